/**
 * Where a load test sends: `--url` (a running webhook-tui: `/v1/tasks` with the data dir's token, or `/hooks/NAME`
 * signed per `hooks.NAME.auth`), `--spool DIR`, or the scratch engine. Only the given URL is ever contacted, and a
 * non-loopback host is refused unless allowRemote.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { WhtError } from '../errors.js';
import { isLoopbackHost, readToken, resolveHooks } from '../intake/http/index.js';
import type { HookSigning, SendTarget } from './types.js';

export interface ResolvedTarget {
  send: SendTarget;
  /** For the report: what was aimed at. */
  describe: string;
  /** Base URL and token for `GET /v1/stats` (the engine's own stage breakdown), when known. */
  stats?: { url: string; token: string } | undefined;
}

const bad = (msg: string): WhtError => new WhtError('WHT_ERR_CONFIG_INVALID', msg);

function hookSigning(config: Config, name: string): HookSigning {
  if (!Object.hasOwn(config.hooks, name)) {
    throw bad(
      `--url: /hooks/${name} is not configured here (hooks.${name}); loadtest signs hook requests with hooks.${name}.auth from the config (--config FILE)`,
    );
  }
  const hook = resolveHooks({ [name]: config.hooks[name]! }).get(name);
  if (!hook?.auth) return { type: 'none' };
  const secret = hook.auth.secrets[0];
  if (!secret) throw bad(`hooks.${name}.auth: no secret to sign with`);
  return { type: hook.auth.type, secret };
}

export interface UrlOptions {
  url: string;
  allowRemote: boolean;
  /** Task target for /v1/tasks (`targets.NAME`). */
  taskTarget?: string | undefined;
}

export async function resolveUrlTarget(config: Config, o: UrlOptions): Promise<ResolvedTarget> {
  let u: URL;
  try {
    u = new URL(o.url);
  } catch {
    throw bad(`--url: not a URL: ${o.url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw bad(`--url: only http and https URLs (got ${u.protocol})`);
  if (!isLoopbackHost(u.hostname) && !o.allowRemote) {
    throw bad(
      `--url: ${u.hostname} is not a loopback address; loadtest only aims at this machine unless --allow-remote`,
    );
  }
  const m = /^(.*?)\/(v1\/tasks|hooks\/([A-Za-z0-9_-]{1,64}))\/?$/.exec(u.pathname);
  if (!m && u.pathname !== '/' && u.pathname !== '')
    throw bad(`--url: the path must be /v1/tasks or /hooks/NAME (got ${u.pathname})`);
  const base = `${u.origin}${m?.[1] ?? ''}`;
  const token = await readToken(config.dataDir);
  const stats = token ? { url: base, token } : undefined;
  const hookName = m?.[3];
  if (hookName) {
    return {
      send: { kind: 'hook', url: base, hook: hookName, auth: hookSigning(config, hookName) },
      describe: `${base}/hooks/${hookName}`,
      stats,
    };
  }
  if (!token)
    throw bad(
      `--url: /v1/tasks needs the bearer token; none in ${config.dataDir} (start the engine once, or use --config/--dataDir of that installation)`,
    );
  return { send: { kind: 'v1', url: base, token, target: o.taskTarget }, describe: `${base}/v1/tasks`, stats };
}

export function resolveSpoolTarget(dir: string, taskTarget?: string): ResolvedTarget {
  if (!existsSync(`${dir}/new`) || !existsSync(`${dir}/tmp`))
    throw bad(`--spool: ${dir} is not a spool (no new/ and tmp/ in it)`);
  return { send: { kind: 'spool', dir, target: taskTarget }, describe: `spool ${dir}` };
}
