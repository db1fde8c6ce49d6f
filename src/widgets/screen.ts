/**
 * A blessed screen that behaves inside tmux: 256 colours through blessed's bundled terminfo (blessed cannot parse
 * ncurses >= 6.1 extended-number entries and falls back to 8-colour `xterm` for screen-/tmux-256color),
 * nothing written to stderr while it starts, no process-wide handlers left to chance.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import blessed from 'blessed';

const require = createRequire(import.meta.url);

export interface ScreenOptions {
  input?: NodeJS.ReadableStream | undefined;
  output?: NodeJS.WritableStream | undefined;
  env: Record<string, string | undefined>;
  title?: string | undefined;
  mouse?: boolean | undefined;
}

/** Directory of blessed's bundled terminfo files. */
export function bundledTerminfoDir(): string {
  return path.join(path.dirname(require.resolve('blessed/package.json')), 'usr');
}

/**
 * Pure: which terminal description to give blessed. `WEBHOOK_TUI_TERM` wins (a name or a terminfo file path);
 * a *-256color / *-direct TERM or a truecolor COLORTERM gets the bundled xterm-256color file; otherwise blessed's default.
 */
export function terminfoChoice(
  env: Record<string, string | undefined>,
  dir = bundledTerminfoDir(),
): string | undefined {
  const override = env.WEBHOOK_TUI_TERM;
  if (override) return override;
  const term = env.TERM ?? '';
  const wants256 = /-256colou?r$|-direct$/.test(term) || /truecolor|24bit/.test(env.COLORTERM ?? '');
  return wants256 ? path.join(dir, 'xterm-256color') : undefined;
}

/** Run `fn` with stderr writes captured (blessed's terminfo compiler dumps errors there); returns them too. */
export function captureStderr<T>(fn: () => T): { value: T; captured: string[] } {
  const captured: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: fn(), captured };
  } finally {
    process.stderr.write = original;
  }
}

interface BlessedUnicode {
  chars: { all: RegExp };
  charWidth: (str: string | number, i?: number) => number;
  codePointAt: (str: string, i: number) => number;
}

/**
 * blessed's table of wide characters predates emoji: with fullUnicode it would give 🚀 one column while terminals
 * (and tmux) draw two, shifting the rest of the row. Add the emoji blocks U+1F000-U+1FAFF (as surrogate pairs; the
 * table has no `u` flag) once. tui/format.ts counts the same widths.
 */
export function widenEmoji(): void {
  const unicode = (blessed as unknown as { unicode: BlessedUnicode }).unicode;
  const emoji = '\\ud83c[\\udc00-\\udfff]|\\ud83d[\\udc00-\\udfff]|\\ud83e[\\udc00-\\udeff]';
  const inner = unicode.chars.all.source.slice(1, -1);
  if (inner.includes('ud83e')) return;
  unicode.chars.all = new RegExp(`(${emoji}|${inner})`, 'g');
  // the screen's diff also asks charWidth, to repaint the cell after a wide character when it changes
  const width = unicode.charWidth;
  unicode.charWidth = (str, i) => {
    const cp = typeof str === 'number' ? str : unicode.codePointAt(str, i ?? 0);
    return cp >= 0x1f000 && cp <= 0x1faff ? 2 : width(str, i);
  };
}

export function createScreen(opts: ScreenOptions): { screen: blessed.Widgets.Screen; warnings: string[] } {
  widenEmoji();
  const terminal = terminfoChoice(opts.env);
  const { value: screen, captured } = captureStderr(() =>
    blessed.screen({
      input: opts.input,
      output: opts.output,
      smartCSR: true,
      autoPadding: true,
      // wide characters at their width, combining marks kept (tui/format.ts counts columns the same way)
      fullUnicode: true,
      warnings: false,
      title: opts.title ?? 'webhook-tui',
      ignoreLocked: ['C-c'],
      ...(terminal ? { terminal } : {}),
      ...(opts.mouse ? { mouse: true } : {}),
    } as blessed.Widgets.IScreenOptions),
  );
  return { screen, warnings: captured };
}
