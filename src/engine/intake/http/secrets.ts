/**
 * Hook secrets: read once at start from the config file, an environment variable or a file, and checked there so a
 * sender never meets a silently broken hook. A secret is a whole value (GitHub's own example secret,
 * `It's a Secret to Everybody`, holds spaces); rotation uses an explicit list (`secrets: [...]`, or one secret per
 * line in `secretFile`). Every secret has a minimum length; a bearer token must be one visible-ASCII word.
 * Errors name the hook and the source, never the secret.
 */
import { readFileSync } from 'node:fs';
import { WhtError } from '../../errors.js';

export type HookAuthType = 'standard' | 'github' | 'token';

export interface HookAuthInput {
  type: HookAuthType;
  secret?: string | undefined;
  secrets?: string[] | undefined;
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
}

export interface SecretSources {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

export const defaultSecretSources: SecretSources = {
  env: process.env,
  readFile: (path) => readFileSync(path, 'utf8'),
};

/** Shortest `github` / `token` secret accepted, in characters (GitHub's example secret has 26). */
export const MIN_SECRET_CHARS = 16;
/** Shortest Standard Webhooks key, in bytes after base64 decoding (the spec asks for 24-64 random bytes). */
export const MIN_STANDARD_KEY_BYTES = 24;

function fail(key: string, message: string): never {
  throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}: ${message}`);
}

/** The values a hook's auth names, with a description of where they came from (for messages). */
function readValues(key: string, auth: HookAuthInput, src: SecretSources): { values: string[]; from: string } {
  if (auth.secret !== undefined) return { values: [auth.secret], from: 'auth.secret' };
  if (auth.secrets !== undefined) return { values: auth.secrets, from: 'auth.secrets' };
  if (auth.secretEnv !== undefined) {
    const v = src.env[auth.secretEnv];
    if (v === undefined || v === '') fail(key, `environment variable ${auth.secretEnv} is empty or unset`);
    return { values: [v], from: `environment variable ${auth.secretEnv}` };
  }
  const path = auth.secretFile ?? '';
  let text: string;
  try {
    text = src.readFile(path);
  } catch (err) {
    const why = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    fail(`${key}.secretFile`, `cannot read ${path} (${why})`);
  }
  const values = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (values.length === 0) fail(key, `${path} holds no secret (one secret per line)`);
  return { values, from: `file ${path}` };
}

/** Why one secret is unusable for this auth type, or null. */
export function secretProblem(type: HookAuthType, secret: string): string | null {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(secret)) return 'holds a line break or control character';
  if (type === 'standard') {
    const raw = secret.startsWith('whsec_') ? secret.slice(6) : secret;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || Buffer.from(raw, 'base64').length < MIN_STANDARD_KEY_BYTES) {
      return `must be whsec_<base64 of 24-64 bytes> (a standard-webhooks secret)`;
    }
    return null;
  }
  if (type === 'token' && !/^[\x21-\x7e]+$/.test(secret)) {
    return 'must be one word of visible ASCII characters (a bearer token cannot hold spaces)';
  }
  if (secret.length < MIN_SECRET_CHARS) return `is shorter than ${MIN_SECRET_CHARS} characters`;
  return null;
}

/** Read and check the secrets of hook `name`; throws WHT_ERR_CONFIG_INVALID naming `hooks.NAME.auth` and the source. */
export function resolveSecrets(name: string, auth: HookAuthInput, src: SecretSources = defaultSecretSources): string[] {
  const key = `hooks.${name}.auth`;
  const { values, from } = readValues(key, auth, src);
  values.forEach((secret, i) => {
    const problem = secretProblem(auth.type, secret);
    if (problem === null) return;
    const which = values.length > 1 ? ` (entry ${i + 1} of ${values.length})` : '';
    fail(key, `the ${auth.type} secret from ${from}${which} ${problem}`);
  });
  return values;
}
