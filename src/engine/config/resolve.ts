import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { WhtError } from '../errors.js';
import { configSchema, type Config, type ConfigInput } from './schema.js';
import { resolveTarget } from '../delivery/profiles.js';
import { resolveCluster } from '../cluster/config.js';

export type Env = Record<string, string | undefined>;

export function defaultConfigPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'webhook-tui', 'config.json');
}

export function defaultDataDir(env: Env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'webhook-tui');
}

export function defaultSpoolDir(env: Env, dataDir: string): string {
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'webhook-tui', 'spool') : join(dataDir, 'spool');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function formatIssues(input: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length ? `${issue.path.join('.')}.` : '';
      return `${issue.keys.map((k) => prefix + k).join(', ')}: unknown key`;
    }
    const key = issue.path.join('.') || '(root)';
    if (issue.code === 'invalid_key') {
      // A record key (target or category name) that does not fit: say what names must look like.
      const why = issue.issues[0]?.message ?? issue.message;
      return `${key}: invalid name: ${why}`;
    }
    return `${key}: ${issue.message} (got ${describe(valueAt(input, issue.path))})`;
  });
}

/** Validate, apply defaults, resolve paths; one error listing every problem with its key. */
export function resolveConfig(input: unknown, env: Env = process.env): Config {
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = formatIssues(input, parsed.error.issues);
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, { problems });
  }
  const cfg = parsed.data;
  const dataDir = resolve(cfg.dataDir ?? defaultDataDir(env));
  const spoolDir = resolve(cfg.spool.dir ?? defaultSpoolDir(env, dataDir));
  const resolved = {
    ...cfg,
    dataDir,
    spool: { ...cfg.spool, dir: spoolDir },
    targets: Object.fromEntries(Object.entries(cfg.targets).map(([name, t]) => [name, resolveTarget(t)])),
    cluster: resolveCluster(cfg.cluster),
  };
  return deepFreeze(resolved) as Config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Read a JSON config file; a missing file at the default path is an empty config. */
export function readConfigFile(path: string, required: boolean): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as ConfigInput;
  } catch (err) {
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Parse a flag value: JSON when it parses (numbers, booleans, null, objects), else the string itself. */
function parseFlagValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Apply dotted overrides (`queue.capacity=5000`) onto a config object, returning a new object.
 * Values are parsed as JSON when possible, so `--queue.capacity 5000` is a number.
 */
export function applyOverrides(input: ConfigInput, overrides: ReadonlyArray<[string, string]>): ConfigInput {
  const out = structuredClone(input) as Record<string, unknown>;
  for (const [path, raw] of overrides) {
    const keys = path.split('.');
    if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) {
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `--${path}: not a valid config key`);
    }
    let cur = out;
    for (const key of keys.slice(0, -1)) {
      const next = cur[key];
      if (next === undefined || next === null || typeof next !== 'object') cur[key] = {};
      cur = cur[key] as Record<string, unknown>;
    }
    cur[keys[keys.length - 1]!] = parseFlagValue(raw);
  }
  return out as ConfigInput;
}
