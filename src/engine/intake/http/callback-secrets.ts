/**
 * The secrets that sign callbacks, read once at start: `callbacks` (callbacks.secretEnv / secretFile) and
 * `hooks.NAME` (hooks.NAME.callback.secretEnv / secretFile). Each must be a Standard Webhooks key (`whsec_` and
 * base64 of 24-64 bytes); a file's first line signs. Errors name the key, never the secret.
 */
import { WhtError } from '../../errors.js';
import { defaultSecretSources, secretProblem, type SecretSources } from './secrets.js';
import type { CallbacksConfig, HookCallbackConfig } from '../../callbacks-config.js';

interface Source {
  secretEnv?: string | undefined;
  secretFile?: string | undefined;
}

function readOne(key: string, s: Source, src: SecretSources): string {
  let value: string | undefined;
  if (s.secretEnv !== undefined) {
    value = src.env[s.secretEnv];
    if (!value)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `${key}.secretEnv: environment variable ${s.secretEnv} is empty or unset`,
      );
  } else {
    try {
      value = src
        .readFile(s.secretFile!)
        .split(/\r?\n/)
        .find((l) => l.length > 0);
    } catch (err) {
      const why = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}.secretFile: cannot read ${s.secretFile} (${why})`);
    }
    if (!value) throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}.secretFile: ${s.secretFile} holds no secret`);
  }
  const problem = secretProblem('standard', value);
  if (problem) throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}: the secret ${problem}`);
  return value;
}

export function resolveCallbackSecrets(
  callbacks: CallbacksConfig,
  hooks: Readonly<Record<string, { callback?: HookCallbackConfig | undefined }>>,
  src: SecretSources = defaultSecretSources,
): Map<string, string> {
  const out = new Map<string, string>();
  if (callbacks.secretEnv !== undefined || callbacks.secretFile !== undefined)
    out.set('callbacks', readOne('callbacks', callbacks, src));
  for (const [name, hook] of Object.entries(hooks)) {
    const c = hook.callback;
    if (c && (c.secretEnv !== undefined || c.secretFile !== undefined))
      out.set(`hooks.${name}`, readOne(`hooks.${name}.callback`, c, src));
  }
  return out;
}
