/**
 * The engine as a process: is one running and answering, start one detached, stop the one holding the lock.
 * Used by `start`/`stop`/`restart`, `service install` and `doctor`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectRpc, remoteApi } from '../rpc/client.js';
import { lockHolder } from '../lock.js';
import { dataPaths } from '../data-dir.js';

export interface EngineInfo {
  pid: number;
  version: string;
  startedAt: number;
}

export function enginePaths(dataDir: string) {
  const paths = dataPaths(dataDir);
  return {
    lock: paths.lock,
    socket: paths.socket,
    /** stdout/stderr of an engine that `start` ran detached (truncated at each start). */
    output: join(dataDir, 'logs', 'serve.out'),
  };
}

/** The running engine's pid, version and start time, if one answers on its control socket within timeoutMs. */
export async function probeEngine(dataDir: string, timeoutMs = 2000): Promise<EngineInfo | null> {
  let client;
  try {
    client = await connectRpc(enginePaths(dataDir).socket, timeoutMs);
  } catch {
    return null;
  }
  try {
    const snap = await Promise.race([remoteApi(client).snapshot(), sleep(timeoutMs).then(() => null)]);
    return snap ? { pid: snap.pid, version: snap.version, startedAt: snap.startedAt } : null;
  } catch {
    return null;
  } finally {
    client.close();
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Poll until the engine answers (and `started()` holds); stops early (null) when `gaveUp()` says the process is gone.
 */
export async function waitForEngine(
  dataDir: string,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
  started: () => boolean = () => true,
): Promise<EngineInfo | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) return null;
    const info = started() ? await probeEngine(dataDir, Math.min(1000, Math.max(100, deadline - Date.now()))) : null;
    if (info && !gaveUp()) return info;
    await sleep(100);
  }
  return null;
}

export interface DetachedStart {
  pid: number;
  /** Resolves with the exit code/signal if the process ends (it should not). */
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | null;
  output: string;
}

/** `node CLI serve ARGS` in its own session, stdout/stderr to `<dataDir>/logs/serve.out`; returns at once. */
export function startDetached(node: string, cli: string, args: readonly string[], dataDir: string): DetachedStart {
  const output = enginePaths(dataDir).output;
  mkdirSync(dirname(output), { recursive: true, mode: 0o700 });
  const fd = openSync(output, 'w', 0o600);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  try {
    const child = spawn(node, [cli, 'serve', ...args], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    child.unref();
    return { pid: child.pid ?? -1, exited: () => exit, output };
  } finally {
    closeSync(fd);
  }
}

export function lastLines(path: string, n: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

export type StopResult =
  { state: 'not-running' } | { state: 'stopped'; pid: number } | { state: 'timeout'; pid: number };

/**
 * SIGTERM to the engine holding the data dir's lock, then wait until that process has gone (it releases the lock
 * only after deliveries in flight finished).
 */
export async function stopEngine(dataDir: string, timeoutMs: number): Promise<StopResult> {
  const pid = lockHolder(enginePaths(dataDir).lock);
  if (pid === null) return { state: 'not-running' };
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return { state: 'stopped', pid };
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return { state: 'stopped', pid };
    await sleep(50);
  }
  return alive(pid) ? { state: 'timeout', pid } : { state: 'stopped', pid };
}
