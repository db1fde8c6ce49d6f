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
