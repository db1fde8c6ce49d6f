import { resolveConfig, readConfigFile, applyOverrides, defaultConfigPath } from '../engine/config/resolve.js';
import type { Config } from '../engine/config/schema.js';
import { connectRpc, localApi, remoteApi, type AsyncEngineApi } from '../engine/rpc/client.js';
import { dataPaths } from '../engine/data-dir.js';
import { openOfflineApi } from '../engine/offline-api.js';
import { isWhtError, WhtError } from '../engine/errors.js';
import { lockHolder } from '../engine/lock.js';

export interface GlobalArgs {
  config?: string | undefined;
  overrides: Array<[string, string]>;
}

const CONFIG_ROOTS = new Set([
  'dataDir',
  'queue',
  'spool',
  'tmux',
  'targets',
  'output',
  'log',
  'http',
  'hooks',
  'callbacks',
  'monitor',
  'tui',
]);

/**
 * Pull dotted config flags (`--queue.capacity 5000`, `--tmux.socketName=x`, `--dataDir D`) out of argv before yargs
 * sees it. Returns the rest of argv and the overrides in order.
 */
export function extractOverrides(argv: readonly string[]): { rest: string[]; overrides: Array<[string, string]> } {
  const rest: string[] = [];
  const overrides: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const m = /^--([A-Za-z][\w-]*(?:\.[^=\s]+)*)(?:=(.*))?$/s.exec(arg);
    const key = m?.[1];
    const root = key?.split('.')[0];
    if (m && key && root && CONFIG_ROOTS.has(root) && (key.includes('.') || root === 'dataDir')) {
      if (m[2] !== undefined) overrides.push([key, m[2]]);
      else if (i + 1 < argv.length) overrides.push([key, argv[++i]!]);
      else throw new WhtError('WHT_ERR_CONFIG_INVALID', `--${key}: needs a value`);
      continue;
    }
    rest.push(arg);
  }
  return { rest, overrides };
}

export function loadConfig(args: GlobalArgs, env: NodeJS.ProcessEnv = process.env): Config {
  const explicit = args.config ?? env.WEBHOOK_TUI_CONFIG;
  const path = explicit ?? defaultConfigPath(env);
  const input = readConfigFile(path, explicit !== undefined);
  return resolveConfig(applyOverrides(input, args.overrides), env);
}

export interface ApiHandle {
  api: AsyncEngineApi;
  /** 'engine' when a running engine answered on its control socket. */
  via: 'engine' | 'database';
  close(): void;
}

/** Reach the running engine through its control socket, or work on the database when none runs. */
export async function openApi(config: Config): Promise<ApiHandle> {
  const paths = dataPaths(config.dataDir);
  try {
    const client = await connectRpc(paths.socket);
    return { api: remoteApi(client), via: 'engine', close: () => client.close() };
  } catch (err) {
    if (!isWhtError(err, 'WHT_ERR_ENGINE_UNREACHABLE')) throw err;
    const holder = lockHolder(paths.lock);
    if (holder !== null)
      throw new WhtError('WHT_ERR_ENGINE_UNREACHABLE', `the engine (PID ${holder}) does not answer on ${paths.socket}`);
  }
  // No engine: work on the database (an empty one is created when there is none yet, as the engine would).
  const offline = openOfflineApi(config);
  return { api: localApi(offline.api), via: 'database', close: () => offline.close() };
}

/** Run `fn` with the engine's API (running engine, else the database) and close it afterwards. */
export async function withApi<T>(global: GlobalArgs, fn: (handle: ApiHandle) => Promise<T>): Promise<T> {
  const handle = await openApi(loadConfig(global));
  try {
    return await fn(handle);
  } finally {
    handle.close();
  }
}
