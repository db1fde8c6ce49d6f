/**
 * `config show`: every resolved key with its value and where the value came from (default, file, env, flag);
 * secrets masked. Pure: takes what was read, returns rows.
 */
import type { Env } from './resolve.js';
import type { Config } from './schema.js';

export type ValueSource = 'default' | 'file' | 'env' | 'flag';

export interface ExplainedKey {
  key: string;
  value: unknown;
  source: ValueSource;
  /** For env: the variable; for flag: the flag. */
  from?: string;
}

const SECRET_KEY = /^(secret|secrets|token|password|webhookUrl)$/i;
export const MASK = '***';

/** Mask the values of secret-looking keys anywhere in a value (a copy; the input is left alone). */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== null && value !== undefined)
    return Array.isArray(value) ? value.map(() => MASK) : MASK;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return value;
}

function leaves(value: unknown, path: string[], out: Array<[string[], unknown]>): void {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  } else {
    out.push([path, value]);
  }
}

/** True when `input` sets `path` or a value on the way to it that is not an object (which then holds it whole). */
function sets(input: unknown, path: readonly string[]): boolean {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return false;
    if (!Object.hasOwn(cur, key)) return false;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur !== undefined;
}

function envSource(key: string, env: Env): string | undefined {
  if (key === 'dataDir' && env.XDG_STATE_HOME) return 'XDG_STATE_HOME';
  if (key === 'spool.dir' && env.XDG_RUNTIME_DIR) return 'XDG_RUNTIME_DIR';
  return undefined;
}

export function explainConfig(
  config: Config,
  fileInput: unknown,
  overrides: ReadonlyArray<readonly [string, string]>,
  env: Env,
): ExplainedKey[] {
  const all: Array<[string[], unknown]> = [];
  leaves(config, [], all);
  return all
    .filter(([path]) => path[0] !== '$schema')
    .map(([path, value]) => {
      const key = path.join('.');
      const shown = maskSecrets(value, path[path.length - 1]);
      const flag = [...overrides].reverse().find(([k]) => key === k || key.startsWith(`${k}.`));
      if (flag) return { key, value: shown, source: 'flag', from: `--${flag[0]}` };
      if (sets(fileInput, path)) return { key, value: shown, source: 'file' };
      const fromEnv = envSource(key, env);
      if (fromEnv) return { key, value: shown, source: 'env', from: fromEnv };
      return { key, value: shown, source: 'default' };
    });
}
