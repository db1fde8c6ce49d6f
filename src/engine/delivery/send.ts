import type { Tmux } from '../ports/tmux.js';

/** tmux's argv limit is about 16 KB for all arguments; stay well below it per send-keys call. */
const CHUNK_CHARS = 4000;

/**
 * A literal argument for `send-keys -l --`. tmux ends a command at an argument ending in `;` (dropping it) and turns
 * a final `\;` into `;`, so a final `;` is written `\;` (which also keeps a preceding backslash). Pure.
 */
export function literalArg(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

/** Split text into chunks of at most `size` UTF-16 units without cutting a surrogate pair. Pure. */
export function chunkText(text: string, size = CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

/** argv vectors that type `text` literally into `target` (no key-name lookup, no flags, no tmux command). Pure. */
export function sendLiteralArgv(target: string, text: string): string[][] {
  return chunkText(text).map((chunk) => ['send-keys', '-t', target, '-l', '--', literalArg(chunk)]);
}

export async function typeLiteral(tmux: Tmux, target: string, text: string, timeoutMs: number): Promise<void> {
  for (const argv of sendLiteralArgv(target, text)) await tmux.run(argv, { timeoutMs });
}

export async function pressEnter(tmux: Tmux, target: string, timeoutMs: number): Promise<void> {
  // C-m alone in its own call: agent TUIs treat Enter glued to a paste burst as a newline.
  await tmux.run(['send-keys', '-t', target, 'C-m'], { timeoutMs });
}
