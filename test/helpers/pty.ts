/**
 * Pseudo-terminal harness: spawns a command in node-pty, feeds every byte into a headless xterm.js,
 * and reads the screen the way a user would see it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';

const { Terminal } = xterm;
/** The package root: the nearest directory up with package.json (also when compiled into .bench-out/). */
function findRoot(dir: string): string {
  let d = dir;
  while (!existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}
export const ROOT = findRoot(import.meta.dirname);
export const BUILD_DIR = path.join(ROOT, '.e2e-build');

/** Compile src + test with tsc into .e2e-build (once per test file). */
export function buildForPty(): void {
  try {
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.json',
        '--noEmit',
        'false',
        '--outDir',
        BUILD_DIR,
        '--sourceMap',
        'false',
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(`tsc failed:\n${String((err as { stdout?: Buffer }).stdout ?? err)}`, { cause: err });
  }
  if (!existsSync(path.join(BUILD_DIR, 'test/fixtures/dashboard-fixture.js'))) throw new Error('fixture not built');
}

export interface PtyOptions {
  args: string[];
  cols: number;
  rows: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export class PtyScreen {
  readonly term: InstanceType<typeof Terminal>;
  readonly proc: pty.IPty;
  raw = '';
  exit: { exitCode: number; signal?: number } | null = null;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private writes: Promise<void> = Promise.resolve();

  constructor(opts: PtyOptions) {
    this.term = new Terminal({ cols: opts.cols, rows: opts.rows, allowProposedApi: true });
    const env: Record<string, string | undefined> = {
      ...process.env,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      ...opts.env,
    };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    this.proc = pty.spawn(process.execPath, opts.args, {
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd ?? ROOT,
      env: env as Record<string, string>,
    });
    this.proc.onData((d) => {
      this.raw += d;
      this.writes = this.writes.then(() => new Promise<void>((r) => this.term.write(d, r)));
    });
    this.exited = new Promise((resolve) =>
      this.proc.onExit((e) => {
        this.exit = e;
        resolve(e);
      }),
    );
  }

  /** Screen rows as text (trailing spaces trimmed). */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y += 1) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Wait until `pred(screenText)` holds; throws with the screen on timeout. */
  async waitFor(pred: string | RegExp | ((text: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test =
      typeof pred === 'function' ? pred : (t: string) => (typeof pred === 'string' ? t.includes(pred) : pred.test(t));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.writes;
      const t = this.text();
      if (test(t)) return t;
      if (this.exit || Date.now() > deadline)
        throw new Error(`waitFor(${String(pred)}) ${this.exit ? 'process exited' : 'timed out'}; screen:\n${t}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  write(data: string): void {
    this.proc.write(data);
  }

  resize(cols: number, rows: number): void {
    this.proc.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  /** Find text on screen and return the foreground colour info of its first cell. */
  cellAt(x: number, y: number): { fgDefault: boolean; fgMode: number; fg: number; bgDefault: boolean } {
    const cell = this.term.buffer.active.getLine(this.term.buffer.active.viewportY + y)?.getCell(x);
    if (!cell) throw new Error(`no cell at ${x},${y}`);
    return {
      fgDefault: cell.isFgDefault(),
      fgMode: cell.getFgColorMode(),
      fg: cell.getFgColor(),
      bgDefault: cell.isBgDefault(),
    };
  }

  /** Every non-blank cell's colours: used to check NO_COLOR and 256-colour output. */
  colouredCells(): { fg: number; fgPalette: boolean }[] {
    const out: { fg: number; fgPalette: boolean }[] = [];
    const buf = this.term.buffer.active;
    for (let y = 0; y < this.term.rows; y += 1) {
      const line = buf.getLine(buf.viewportY + y);
      if (!line) continue;
      for (let x = 0; x < this.term.cols; x += 1) {
        const c = line.getCell(x);
        if (c && (!c.isFgDefault() || !c.isBgDefault())) out.push({ fg: c.getFgColor(), fgPalette: c.isFgPalette() });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (!this.exit) {
      this.proc.kill();
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    this.term.dispose();
  }
}
