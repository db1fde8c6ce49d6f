import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './tmux.js';

/**
 * A private redis-server for one test: unix socket in the test's temp dir, no TCP port, AOF on (a restart keeps what
 * it acknowledged), no RDB snapshots, `noeviction` unless told otherwise. Stopped by its PID, never by name; the
 * system daemon on 6379 (if the package started one) is never used.
 */
export class TestRedis {
  readonly dir: string;
  readonly socket: string;
  #child: ChildProcess | undefined;
  readonly #extra: string[];

  constructor(dir: string, extra: string[] = []) {
    this.dir = join(dir, 'redis');
    this.socket = join(this.dir, 'r.sock');
    this.#extra = extra;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Start (or restart, same dir: the AOF is replayed) and wait until it answers on its socket. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const args = [
      '--port',
      '0',
      '--unixsocket',
      this.socket,
      '--unixsocketperm',
      '700',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      join(this.dir, 'redis.log'),
      ...this.#extra,
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    // The log is appended to across restarts: wait for one more "Ready" line than before.
    this.#starts++;
    await waitFor(
      () => existsSync(this.socket) && this.#logSays('ready to accept connections'),
      15_000,
      'redis-server ready',
    );
  }

  #logSays(text: string): boolean {
    try {
      return readFileSync(join(this.dir, 'redis.log'), 'utf8').split(text).length - 1 >= this.#starts;
    } catch {
      return false;
    }
  }

  #starts = 0;

  /** SIGKILL (a crash) or SIGTERM (a clean stop); resolves once the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  }

  /** Restart after a stop: a new process on the same socket and AOF. */
  async restart(): Promise<void> {
    await this.stop('SIGKILL');
    await this.start();
  }
}
