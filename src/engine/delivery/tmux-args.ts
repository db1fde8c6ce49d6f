/**
 * Pure builders of tmux argv vectors (the `Tmux` port's meaning: as for `execFile('tmux', argv)`).
 *
 * tmux's argv rule (cmd-parse.y cmd_parse_from_arguments): an element ending in `;` ends the command and loses the
 * `;` (text `foo;` would type `foo`, and `foo;` followed by more elements runs them as a second command); an
 * element ending in `\;` ends in a literal `;`. `argvLiteral` therefore turns a final `;` into `\;` (text `a\;`
 * becomes `a\\;`, which tmux reads back as `a\;`). A leading `-` is handled by putting `--` before the text.
 *
 * The exec path sends all arguments in one message of at most 16384 bytes (MAX_IMSGSIZE, "command too long"), so
 * long text is split into several send-keys commands at code point boundaries. Control mode has no such limit
 * but accepts the same vectors.
 */

/** Bytes available for the packed argv (each element plus its NUL) in one tmux client message. */
export const EXEC_ARGV_BUDGET = 16_000;

/** One literal argv element: a final `;` is escaped so tmux keeps it as text. */
export function argvLiteral(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

/**
 * `send-keys -t TARGET -l -- CHUNK` vectors that together type `text` exactly (no key names, no Enter).
 * Empty text gives no vectors.
 */
export function sendLiteralArgs(target: string, text: string, budget = EXEC_ARGV_BUDGET): string[][] {
  const head = ['send-keys', '-t', argvLiteral(target), '-l', '--'];
  const headBytes = head.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  // +1 for the chunk's NUL, +1 for a possible `\` before a final `;`.
  const room = budget - headBytes - 2;
  if (room < 4) throw new RangeError(`tmux target too long for one command: ${target.length} characters`);
  return splitUtf8(text, room).map((chunk) => [...head, argvLiteral(chunk)]);
}

/** Split text into pieces of at most `maxBytes` UTF-8 bytes, never inside a code point. Pure. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of text) {
    const size = utf8Size(ch);
    if (bytes + size > maxBytes && current !== '') {
      chunks.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

function utf8Size(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  // Lone surrogates are written as U+FFFD (3 bytes).
  if (cp < 0x10000) return 3;
  return 4;
}
