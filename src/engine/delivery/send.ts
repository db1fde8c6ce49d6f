import type { Tmux } from '../ports/tmux.js';
import { sendLiteralArgs } from './tmux-args.js';

/** Type `text` literally into `target`: no key names, no flags, no tmux command, chunked under the argv limit. */
export async function typeLiteral(tmux: Tmux, target: string, text: string, timeoutMs: number): Promise<void> {
  for (const argv of sendLiteralArgs(target, text)) await tmux.run(argv, { timeoutMs });
}

export async function pressEnter(tmux: Tmux, target: string, timeoutMs: number): Promise<void> {
  // C-m alone in its own call: agent TUIs treat Enter glued to a paste burst as a newline.
  await tmux.run(['send-keys', '-t', target, 'C-m'], { timeoutMs });
}

/** Above this, a paste buffer is loaded through stdin (one tmux process) instead of set-buffer's argument. */
const SET_BUFFER_MAX = 8000;

/**
 * Multi-line text as one paste: load a named buffer, then `paste-buffer -p` (bracketed when the application asked
 * for it, so its newlines are text, not Enter) and delete the buffer. ESC is refused at intake, so the paste
 * cannot be ended early.
 */
export async function pasteText(
  tmux: Tmux,
  target: string,
  fullText: string,
  buffer: string,
  timeoutMs: number,
): Promise<void> {
  // A final newline inside a bracketed paste is text, not Enter: Enter comes on its own afterwards.
  const text = fullText.replace(/\n+$/, '');
  if (text.length <= SET_BUFFER_MAX) await tmux.run(['set-buffer', '-b', buffer, '--', text], { timeoutMs });
  else await tmux.run(['load-buffer', '-b', buffer, '-'], { input: text, timeoutMs });
  await tmux.run(['paste-buffer', '-p', '-d', '-b', buffer, '-t', target], { timeoutMs });
}
