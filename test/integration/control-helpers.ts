import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TmuxServer } from '../../src/engine/ports/tmux.js';

let counter = 0;

/**
 * A private tmux server (`-L wht-cc-PID-N`) with one session whose pane records every byte it receives into a
 * file (tty in raw mode, no echo). Kill it with `kill()`.
 */
export class RecorderServer {
  readonly name = `wht-cc-${process.pid}-${++counter}`;
  readonly server: TmuxServer = { socketName: this.name };
  readonly dir = mkdtempSync(join(tmpdir(), 'wht-cc-'));
  readonly record = join(this.dir, 'record');
  pane = '';

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.name, ...args], { encoding: 'utf8' }).replace(/\n$/, '');
  }

  /** Start (or restart) the server with session `user` (100x30) running the recorder. */
  async start(): Promise<void> {
    const ready = join(this.dir, 'ready');
    rmSync(ready, { force: true });
    rmSync(this.record, { force: true });
    this.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'user',
      '-x',
      '100',
      '-y',
      '30',
      `stty raw -echo && touch '${ready}' && exec cat > '${this.record}'`,
    );
    this.pane = this.tmux('list-panes', '-t', '=user', '-F', '#{pane_id}');
    await waitFor(() => existsSync(ready), 5000, 'recorder ready');
  }

  recorded(): string {
    return existsSync(this.record) ? readFileSync(this.record, 'utf8') : '';
  }

  /** Wait until the recorder holds at least `length` characters; returns what it holds. */
  async waitRecorded(length: number, timeoutMs = 10_000): Promise<string> {
    await waitFor(() => this.recorded().length >= length, timeoutMs, `recorder to hold ${length} characters`);
    return this.recorded();
  }

  /** Kill the server and remove its socket file (tmux 3.3a leaves it; a restart racing the exit fails). */
  killServer(): void {
    try {
      execFileSync('tmux', ['-L', this.name, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.name), { force: true });
  }

  kill(): void {
    this.killServer();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
