/**
 * The checks that can refuse a start, as plain functions of the resolved config. None of them changes anything on
 * disk, in tmux or in the queue (the HTTP port probe binds and closes at once). The engine runs them all before it
 * touches tmux, the spool or the queue (preflight/index.ts); `webhook-tui doctor` lists the same results.
 */
import { accessSync, constants, existsSync, lstatSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { Config } from '../config/schema.js';
import { dataPaths } from '../data-dir.js';
import { isWhtError } from '../errors.js';
import { assertSafeBind, readToken, resolveHooks } from '../intake/http/index.js';
import type { ResolvedHook } from '../intake/http/config.js';
import { assertPrivateDir, spoolDirs } from '../intake/spool-dirs.js';
import { lockHolder } from '../lock.js';
import { fail, ok, type CheckResult } from './check.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The nearest existing ancestor of a path (what a later mkdir -p would create under). */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** The data dir exists and is writable, or can be created. */
export function checkDataDir(config: Config): CheckResult {
  const dir = config.dataDir;
  const at = existingAncestor(dir);
  if (!statSync(at).isDirectory()) {
    return fail(
      'data-dir',
      'WHT_ERR_CONFIG_INVALID',
      `data dir ${dir}: ${at} is not a directory`,
      'set dataDir to a directory (or move that file away)',
    );
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
    return ok('data-dir', existsSync(dir) ? `${dir} is writable` : `${dir} will be created (under ${at})`);
  } catch {
    return fail(
      'data-dir',
      'WHT_ERR_CONFIG_INVALID',
      `data dir ${dir}: ${at} is not writable`,
      'set dataDir to a directory you own, or fix its permissions',
    );
  }
}

/** No other engine holds this data dir. (The engine still takes the real lock, atomically, right after.) */
export function checkLock(config: Config): CheckResult {
  const holder = lockHolder(dataPaths(config.dataDir).lock);
  if (holder === null) return ok('lock', 'no other engine runs on this data dir');
  return fail(
    'lock',
    'WHT_ERR_ENGINE_RUNNING',
    `another engine (PID ${holder}) already runs on this data dir`,
    `webhook-tui stop, or give this one another dataDir`,
  );
}

/** The spool dir and its tmp/ new/ rejected/ are private directories of ours, or missing (then they are created). */
export function checkSpool(config: Config): CheckResult {
  const dirs = spoolDirs(config.spool.dir);
  try {
    for (const d of [dirs.root, dirs.tmp, dirs.new, dirs.rejected]) {
      if (existsSync(d) || isDanglingLink(d)) assertPrivateDir(d);
    }
    return ok(
      'spool',
      existsSync(dirs.root) ? `${dirs.root} is private (0700)` : `${dirs.root} will be created (0700)`,
    );
  } catch (err) {
    return fail(
      'spool',
      isWhtError(err) ? err.code : 'WHT_ERR_SPOOL_UNSAFE',
      message(err),
      `chmod 700 ${dirs.root}, or set spool.dir to a private directory`,
    );
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Every hook's secrets can be read and its command template parses (only when HTTP is on). */
export function checkHooks(config: Config): CheckResult & { hooks?: Map<string, ResolvedHook> } {
  if (!config.http.enabled) return ok('hooks', 'HTTP is off: hooks are not used');
  try {
    const hooks = resolveHooks(config.hooks);
    return { ...ok('hooks', `${hooks.size} hook(s) ready`), hooks };
  } catch (err) {
    return fail(
      'hooks',
      isWhtError(err) ? err.code : 'WHT_ERR_CONFIG_INVALID',
      message(err),
      'fix the hooks.NAME key named in the message (secretFile / secretEnv must exist and hold the secret)',
    );
  }
}

/** A non-loopback http.host only when every hook authenticates. */
export function checkHttpBind(config: Config, hooks: ReadonlyMap<string, ResolvedHook> | undefined): CheckResult {
  if (!config.http.enabled) return ok('http.bind', 'HTTP is off');
  if (!hooks) return ok('http.bind', 'not checked: the hooks do not load (see the hooks check)');
  try {
    assertSafeBind(config.http.host, hooks);
    return ok('http.bind', `http.host ${config.http.host} is safe for the configured hooks`);
  } catch (err) {
    return fail(
      'http.bind',
      'WHT_ERR_HTTP_UNSAFE_BIND',
      message(err),
      'give every hook an auth secret or token, or set http.host to 127.0.0.1 behind a reverse proxy',
    );
  }
}

/** http.host:http.port can be listened on (bound and released at once). */
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
    return fail(
      'http.port',
      'WHT_ERR_PORT_IN_USE',
      `cannot listen on ${host}:${port} (${code}): another program (or a webhook-tui with another data dir) uses it`,
      'set http.port to a free port (init --force --http.port N), or http.enabled false',
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The HTTP token file, when there is one, is a private regular file holding a token. */
export async function checkHttpToken(config: Config): Promise<CheckResult> {
  if (!config.http.enabled) return ok('http.token', 'HTTP is off');
  try {
    const token = await readToken(config.dataDir);
    return ok(
      'http.token',
      token ? `${dataPaths(config.dataDir).token} holds a token` : 'a token will be made on first start',
    );
  } catch (err) {
    return fail(
      'http.token',
      isWhtError(err) ? err.code : 'WHT_ERR_CONFIG_INVALID',
      message(err),
      `fix or delete ${dataPaths(config.dataDir).token} (a new one is made at start)`,
    );
  }
}
