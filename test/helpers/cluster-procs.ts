/**
 * Nodes of a test cluster as real `webhook-tui serve` processes (the built CLI): each with its own config file, data
 * dir, spool and tmux server (`-L` socket), all on one private redis-server. kill -9 and restart by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareSpool } from '../../src/engine/intake/spool-dirs.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { BIN } from './cli.js';
import { clusterInput } from './cluster.js';
import { TestTmux, waitFor } from './tmux.js';

export class NodeProcess {
  readonly name: string;
  readonly dir: string;
  readonly tmux: TestTmux;
  readonly panes: Record<string, { pane: string; file: string }> = {};
  readonly configFile: string;
  readonly spoolDir: string;
  child: ChildProcess | undefined;
  #stderr = '';

  constructor(name: string, root: string) {
    this.name = name;
    this.dir = join(root, name);
    mkdirSync(this.dir, { recursive: true });
    this.tmux = new TestTmux(`wht-cp-${name}`);
    this.configFile = join(this.dir, 'config.json');
    this.spoolDir = join(this.dir, 'spool');
  }

  /** Recorder panes for the targets (name -> pool or null), then the config file. */
  async setup(targets: Record<string, string | null>, socket: string, secretFile: string): Promise<void> {
    for (const t of Object.keys(targets)) this.panes[t] = await this.tmux.recorderPane(t, this.dir);
    prepareSpool(this.spoolDir);
    const config = {
      dataDir: join(this.dir, 'data'),
      spool: { dir: this.spoolDir, rescanMs: 500 },
      tmux: { socketName: this.tmux.socket },
      targets: Object.fromEntries(Object.entries(targets).map(([t, pool]) => [t, { pane: this.panes[t]!.pane, pool }])),
      queue: { capacity: 10_000, rateLimit: { perSecond: 0 }, retry: { attempts: 5, baseMs: 50, maxMs: 500 } },
      http: { enabled: true, port: 0 },
      monitor: { enabled: false },
      cluster: clusterInput(this.name, socket, secretFile),
    };
    writeFileSync(this.configFile, JSON.stringify(config));
  }

  /** Start `serve`; resolves once its HTTP server answers (it is registered by then). */
  async start(): Promise<void> {
    const urlFile = join(this.dir, 'data', 'http.url');
    const old = existsSync(urlFile) ? readFileSync(urlFile, 'utf8') : '';
    const child = spawn(process.execPath, [BIN, 'serve', '--config', this.configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMUX_PANE: '', TMUX: '' },
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
    });
    this.child = child;
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`${this.name} exited ${child.exitCode}: ${this.#stderr}`);
        return existsSync(urlFile) && readFileSync(urlFile, 'utf8') !== old;
      },
      30_000,
      `${this.name} serving`,
    );
  }

  httpUrl(): string {
    return readFileSync(join(this.dir, 'data', 'http.url'), 'utf8').trim();
  }

  token(): string {
    return readFileSync(join(this.dir, 'data', 'token'), 'utf8').trim();
  }

  async post(body: Record<string, unknown>): Promise<number> {
    const res = await fetch(`${this.httpUrl()}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.body?.cancel();
    return res.status;
  }

  async stats(): Promise<{ cluster?: { backlog: number; state: string } }> {
    const res = await fetch(`${this.httpUrl()}/v1/stats`, { headers: { authorization: `Bearer ${this.token()}` } });
    // The same document as `status --json`: the snapshot, stats inside it.
    const doc = (await res.json()) as { stats: { cluster?: { backlog: number; state: string } } };
    return doc.stats;
  }

  spool(command: string, target: string): void {
    writeSpoolFile(this.spoolDir, JSON.stringify({ command, target }));
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const gone = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    return gone;
  }

  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    this.tmux.kill();
  }
}
