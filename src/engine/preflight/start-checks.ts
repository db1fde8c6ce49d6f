/**
 * The checks that can refuse a start, as plain functions of the resolved config (ids as the house's preflight
 * module names them: data-dir, lock, spool, hooks, http.bind, http.token, http.port). `start` runs them before it
 * spawns anything and `doctor` lists them. When src/engine/preflight/index.ts (runPreflight, run by the engine itself
 * before any side effect) lands, `startChecks` becomes that function and this file goes.
 */
import { accessSync, constants, existsSync, lstatSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { Config } from '../config/schema.js';
import { dataPaths } from '../engine.js';
import { isWhtError } from '../errors.js';
import { assertSafeBind, readToken, resolveHooks } from '../intake/http/index.js';
import type { ResolvedHook } from '../intake/http/config.js';
import { assertPrivateDir, spoolDirs } from '../intake/spool-dirs.js';
import { lockHolder } from '../lock.js';
import { fail, ok, type CheckResult } from './check.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

export function checkDataDir(config: Config): CheckResult {
  const dir = config.dataDir;
  const at = existingAncestor(dir);
  if (!statSync(at).isDirectory()) {
    return fail('data-dir', 'WHT_ERR_CONFIG_INVALID', `data dir ${dir}: ${at} is not a directory`, 'set dataDir to a directory (or move that file away)');
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
    return ok('data-dir', at === dir ? `${dir} is writable` : `${dir} will be created (under ${at})`);
  } catch {
    return fail('data-dir', 'WHT_ERR_CONFIG_INVALID', `data dir ${dir}: ${at} is not writable`, 'set dataDir to a directory you own, or fix its permissions');
  }
}

export function checkLock(config: Config): CheckResult {
  const holder = lockHolder(dataPaths(config.dataDir).lock);
  if (holder === null) return ok('lock', 'no engine runs on this data dir');
  return fail('lock', 'WHT_ERR_ENGINE_RUNNING', `another engine (PID ${holder}) already runs on this data dir`, `webhook-tui stop, or give this one another dataDir`);
}

export function checkSpool(config: Config): CheckResult {
  const dirs = spoolDirs(config.spool.dir);
  try {
    for (const d of [dirs.root, dirs.tmp, dirs.new, dirs.rejected]) {
      if (existsSync(d) || isLink(d)) assertPrivateDir(d);
    }
    return ok('spool', existsSync(dirs.root) ? `${dirs.root}: ours, mode 0700, not a symlink` : `${dirs.root} will be created (0700)`);
  } catch (err) {
    return fail('spool', isWhtError(err) ? err.code : 'WHT_ERR_SPOOL_UNSAFE', message(err), `chmod 700 ${dirs.root}, or set spool.dir to a private directory of yours`);
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export function checkHooks(config: Config): { result: CheckResult; hooks?: Map<string, ResolvedHook> } {
  if (!config.http.enabled) return { result: ok('hooks', 'HTTP is off: hooks are not used') };
  try {
    const hooks = resolveHooks(config.hooks);
    return { result: ok('hooks', `${hooks.size} hook(s): secrets readable, templates parse`), hooks };
  } catch (err) {
    return { result: fail('hooks', 'WHT_ERR_CONFIG_INVALID', message(err), 'fix the hooks.NAME key named in the message (secretFile / secretEnv must exist and hold the secret)') };
  }
}

export function checkHttpBind(config: Config, hooks: ReadonlyMap<string, ResolvedHook> | undefined): CheckResult {
  if (!config.http.enabled) return ok('http.bind', 'HTTP is off');
  if (!hooks) return ok('http.bind', 'not checked: the hooks do not load (see hooks)');
  try {
    assertSafeBind(config.http.host, hooks);
    return ok('http.bind', `${config.http.host}: ${config.http.host.startsWith('127.') || config.http.host === 'localhost' || config.http.host === '::1' ? 'loopback only' : 'every hook authenticates'}`);
  } catch (err) {
    return fail('http.bind', 'WHT_ERR_HTTP_UNSAFE_BIND', message(err), 'give every hook an auth secret or token, or set http.host to 127.0.0.1 behind a reverse proxy');
  }
}

export async function checkHttpPort(config: Config): Promise<CheckResult> {
  const { enabled, host, port } = config.http;
  if (!enabled) return ok('http.port', 'HTTP is off');
  if (port === 0) return ok('http.port', 'http.port 0: the system picks a free port');
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
    return ok('http.port', `${host}:${port} is free`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return fail('http.port', 'WHT_ERR_CONFIG_INVALID', `cannot listen on ${host}:${port} (${code}): another program uses it`, 'set http.port to a free port (init --force --http.port N), or http.enabled false');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function checkHttpToken(config: Config): Promise<CheckResult> {
  const path = dataPaths(config.dataDir).token;
  if (!config.http.enabled) return ok('http.token', 'HTTP is off');
  try {
    return ok('http.token', (await readToken(config.dataDir)) ? `${path}: mode 0600` : `${path} will be made at first start (0600)`);
  } catch (err) {
    return fail('http.token', isWhtError(err) ? err.code : 'WHT_ERR_CONFIG_INVALID', message(err), `chmod 600 ${path}, or delete it (a new one is made at start)`);
  }
}

/** Every check that refuses a start, in order. */
export async function startChecks(config: Config): Promise<CheckResult[]> {
  const hooks = checkHooks(config);
  return [
    checkDataDir(config), checkLock(config), checkSpool(config), hooks.result,
    checkHttpBind(config, hooks.hooks), await checkHttpToken(config), await checkHttpPort(config),
  ];
}
