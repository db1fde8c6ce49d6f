import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const RECORDER = fileURLToPath(new URL('../fixtures/recorder.mjs', import.meta.url));

/** A private tmux server (`tmux -L NAME`) for one test; kill() removes it. */
export class TestTmux {
  readonly socket: string;

  /** `configFile`: the server's config (`-f`; the dashboard tests use /dev/null); default: tmux's own. */
  constructor(
    prefix = 'wht-test',
    private readonly configFile?: string,
  ) {
    this.socket = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' }).replace(/\n$/, '');
  }

  /** The tmux server's pid, learned with the first session. */
  private serverPid: number | undefined;

  /** New detached session whose first pane runs `command`; returns its pane id. */
  session(name: string, command?: string[], size = { x: 200, y: 50 }): string {
    const args = [
      ...(this.configFile ? ['-f', this.configFile] : []),
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(size.x),
      '-y',
      String(size.y),
      '-P',
      '-F',
      '#{pane_id} #{pid}',
    ];
    const [pane, pid] = this.run(...args, ...(command ?? [])).split(' ');
    this.serverPid = Number(pid);
    return pane!;
  }

  /** Pane running the recorder; resolves once it is reading. */
  async recorderPane(name: string, dir: string): Promise<{ pane: string; file: string }> {
    const file = join(dir, `${name}.rec`);
    const pane = this.session(name, [process.execPath, RECORDER, file]);
    await waitFor(
      () => existsSync(file) && this.capture(pane).includes('RECORDER READY'),
      10_000,
      `recorder in ${name}`,
    );
    return { pane, file };
  }

  capture(pane: string): string {
    return this.run('capture-pane', '-p', '-J', '-t', pane);
  }

  /**
   * kill-server, then SIGKILL the server if it is still there: tmux 3.3a can hang on exit while a control-mode
   * client (an engine's, orphaned by a kill -9) is attached, and would outlive the test.
   */
  kill(): void {
    try {
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      /* not running, or hung */
    }
    if (this.serverPid) {
      try {
        // Only if that pid is still a tmux server (not a reused pid).
        if (readFileSync(`/proc/${this.serverPid}/comm`, 'utf8').startsWith('tmux'))
          process.kill(this.serverPid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

export function recorded(file: string): string[] {
  return recordedTimes(file).map((r) => r.line);
}

/** The recorder's lines so far, with their arrival times. */
export function recordedTimes(file: string): Array<{ t: number; line: string }> {
  return jsonLines<{ t: number; line: string }>(file);
}

/**
 * The whole lines of a JSON-lines file that another process appends to (missing file: none). A poll may read the
 * file while the writer is in the middle of a line (a long line is more than one write): that half line is not a
 * line yet, and JSON.parse would throw on it.
 */
export function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/**
 * Negative check ("nothing else arrives"), after the expected events were waited for: polls `cond` for `ms` and
 * rejects naming `what` at the first poll where it no longer holds.
 */
export async function holdsFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  do {
    if (!(await cond())) throw new Error(`expected ${what} for ${ms} ms; it stopped holding`);
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
  if (!(await cond())) throw new Error(`expected ${what} for ${ms} ms; it stopped holding`);
}

/** Poll a condition (tests only): resolves when true, rejects with `what` after timeoutMs. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
