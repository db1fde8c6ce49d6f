/**
 * `init`: the config file a user starts with. Only the keys that differ from the defaults are written, plus a
 * `$schema` reference to a copy of the JSON Schema beside the file. Pure apart from writeInitFiles.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WhtError } from '../errors.js';
import { PRESETS, type PresetName } from '../delivery/profiles.js';
import { applyOverrides, resolveConfig, type Env } from '../config/resolve.js';
import { configSchema, type Config, type ConfigInput } from '../config/schema.js';
import { configJsonSchema } from '../config/json-schema.js';

export const SCHEMA_FILE = 'config.schema.json';

export interface InitAnswers {
  /** `%id`, `=session:window.pane` or `session:window.pane`; undefined = automatic default target. */
  target?: string | undefined;
  preset?: string | undefined;
  /** Dotted flags given to init (`--http.port 9000`). */
  overrides: ReadonlyArray<[string, string]>;
}

export function normalisePane(pane: string): string {
  return pane.startsWith('%') || pane.startsWith('=') ? pane : `=${pane}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Drop every key whose value equals the default at the same place (records such as targets are kept whole). */
export function pruneDefaults(
  input: Record<string, unknown>,
  defaults: unknown = configSchema.parse({}),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const def = isPlainObject(defaults) ? defaults[key] : undefined;
    if (isPlainObject(value) && isPlainObject(def) && Object.keys(def).length > 0) {
      const inner = pruneDefaults(value, def);
      if (Object.keys(inner).length) out[key] = inner;
    } else if (JSON.stringify(value) !== JSON.stringify(def)) {
      out[key] = value;
    }
  }
  return out;
}

/** The file init writes, validated like any config (throws WHT_ERR_CONFIG_INVALID naming the key). */
export function buildInitConfig(answers: InitAnswers, env: Env): { file: ConfigInput; config: Config } {
  if (answers.preset !== undefined && !(answers.preset in PRESETS)) {
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `--preset: one of ${Object.keys(PRESETS).join(', ')} (got ${JSON.stringify(answers.preset)})`,
    );
  }
  if (answers.preset !== undefined && answers.target === undefined) {
    throw new WhtError('WHT_ERR_CONFIG_INVALID', '--preset needs --target PANE (the pane the agent CLI runs in)');
  }
  let input: Record<string, unknown> = {};
  if (answers.target !== undefined) {
    const target: Record<string, unknown> = { pane: normalisePane(answers.target) };
    if (answers.preset) target.preset = answers.preset as PresetName;
    input.targets = { default: target };
  }
  input = applyOverrides(input as ConfigInput, answers.overrides) as Record<string, unknown>;
  const config = resolveConfig(input, env);
  return { file: { $schema: `./${SCHEMA_FILE}`, ...pruneDefaults(input) } as ConfigInput, config };
}

export interface WrittenFiles {
  config: string;
  schema: string;
  /** The previous config, when --force replaced one. */
  backup?: string;
}

/** Write config.json (0600, via a temp file and rename) and config.schema.json beside it. */
export function writeInitFiles(path: string, file: ConfigInput, force: boolean): WrittenFiles {
  const written: WrittenFiles = { config: path, schema: join(dirname(path), SCHEMA_FILE) };
  if (existsSync(path)) {
    if (!force)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `${path} already exists; init --force replaces it (and keeps a .bak)`,
      );
    written.backup = `${path}.bak`;
    copyFileSync(path, written.backup);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  writeFileSync(written.schema, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return written;
}
