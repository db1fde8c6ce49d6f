import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const RECORDER = fileURLToPath(new URL('../fixtures/recorder.mjs', import.meta.url));

/** A private tmux server (`tmux -L NAME`) for one test; kill() removes it. */
export class TestTmux {
  readonly socket = `wht-test-${process.pid}-${randomBytes(4).toString('hex')}`;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' }).replace(/\n$/, '');
  }

  /** New detached session whose first pane runs `command`; returns its pane id. */
  session(name: string, command?: string[], size = { x: 200, y: 50 }): string {
    const args = ['new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), '-P', '-F', '#{pane_id}'];
    return this.run(...args, ...(command ?? []));
  }

  /** Pane running the recorder; resolves once it is reading. */
  async recorderPane(name: string, dir: string): Promise<{ pane: string; file: string }> {
    const file = join(dir, `${name}.rec`);
    const pane = this.session(name, [process.execPath, RECORDER, file]);
    await waitFor(() => existsSync(file) && this.capture(pane).includes('RECORDER READY'), 10_000, `recorder in ${name}`);
    return { pane, file };
  }

  capture(pane: string): string {
    return this.run('capture-pane', '-p', '-J', '-t', pane);
  }

  kill(): void {
    try {
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    } catch { /* not running */ }
  }
}

export function recorded(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { line: string }).line);
}

export function recordedTimes(file: string): Array<{ t: number; line: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: number; line: string });
}

/** Poll a condition (tests only): resolves when true, rejects with `what` after timeoutMs. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
