import { runPipeline, type Tmux, type TmuxSettled } from '../ports/tmux.js';
import { argvLiteral, EXEC_ARGV_BUDGET, sendLiteralArgs } from './tmux-args.js';

/** Type `text` literally into `target`: no key names, no flags, no tmux command, chunked under the argv limit. */
export async function typeLiteral(tmux: Tmux, target: string, text: string, timeoutMs: number): Promise<void> {
  for (const argv of sendLiteralArgs(target, text)) await tmux.run(argv, { timeoutMs });
}

/** Room left in the last chunk's argv for the Enter command appended to it. */
const ENTER_ROOM = 64;

/**
 * Type `text` and press Enter in as few tmux calls as its length allows: the Enter rides in the last call, as a second
 * command after the text (`send-keys -l -- TEXT ; send-keys C-m`: one tmux command list, run in order, in control mode
 * and per process alike). For shells, which read keys as they come; agents get `pressEnter`.
 *
 * `then` (e.g. a pane check) is pipelined behind the last call: tmux runs it after the keys were taken, without a
 * round trip between them. Its outcome is returned (null when there was no text, so nothing to pipeline behind); a
 * failure of the keys is thrown as without it.
 */
export async function typeAndEnter(
  tmux: Tmux,
  target: string,
  text: string,
  timeoutMs: number,
  then?: readonly string[],
): Promise<TmuxSettled | null> {
  const chunks = sendLiteralArgs(target, text, EXEC_ARGV_BUDGET - ENTER_ROOM);
  const enter = ['send-keys', '-t', argvLiteral(target), 'C-m'];
  if (chunks.length === 0) {
    await pressEnter(tmux, target, timeoutMs);
    return null;
  }
  for (const chunk of chunks.slice(0, -1)) await tmux.run(chunk, { timeoutMs });
  const last = [...chunks[chunks.length - 1]!, ';', ...enter];
  if (!then) {
    await tmux.run(last, { timeoutMs });
    return null;
  }
  const [typed, after] = await runPipeline(tmux, [last, then], { timeoutMs });
  if (!typed!.ok) throw typed!.error;
  return after!;
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
  const paste = ['paste-buffer', '-p', '-d', '-b', buffer, '-t', target];
  // One command list (one round trip): tmux pastes only if the buffer was set. A final `;` of the text is escaped,
  // or tmux would read it as the end of the command.
  if (text.length <= SET_BUFFER_MAX) {
    await tmux.run(['set-buffer', '-b', buffer, '--', argvLiteral(text), ';', ...paste], { timeoutMs });
    return;
  }
  await tmux.run(['load-buffer', '-b', buffer, '-'], { input: text, timeoutMs });
  await tmux.run(paste, { timeoutMs });
}
