import type { ResolvedTarget } from '../config/schema.js';
import type { Tmux } from '../ports/tmux.js';
import type { Task } from '../types.js';
import { assertWritable, captureSince, inspectPane, paneMark, type PaneState } from './pane.js';
import { pressEnter, typeLiteral } from './send.js';

export interface DeliveryHooks {
  /** Called once the pane is checked and before anything is typed: commit `delivering` with the pane mark. */
  beforeSend(mark: string): void;
}

/**
 * Type one task into its pane: check the pane can take input, record where its cursor is, type the text literally,
 * then press Enter. Throws WhtError (retryable or not) on failure; hooks.beforeSend is called exactly once when
 * the pane is writable.
 */
export async function deliver(tmux: Tmux, task: Task, target: ResolvedTarget, hooks: DeliveryHooks, timeoutMs: number): Promise<void> {
  const pane = await inspectPane(tmux, target.pane);
  assertWritable(target.pane, pane);
  hooks.beforeSend(paneMark(pane));
  await typeLiteral(tmux, target.pane, task.text, timeoutMs);
  await pressEnter(tmux, target.pane, timeoutMs);
}

export type RecoveryVerdict =
  | { kind: 'submitted' }
  | { kind: 'typed-not-submitted' }
  /** A crash between two send-keys chunks of a long text: the input line holds `typed` characters of it. */
  | { kind: 'partly-typed'; typed: number }
  | { kind: 'not-sent' }
  | { kind: 'pane-missing' };

/**
 * Decide from the pane's lines since the mark (wrapped lines joined) and the cursor's row whether a task's text was
 * typed, and submitted. Pure.
 */
export function judgeRecovery(captured: string, cursorRow: string, text: string): RecoveryVerdict {
  const body = captured.trimEnd();
  const waiting = cursorRow.trim() !== '';
  if (waiting && body.endsWith(text.trimEnd())) {
    // The text ends where the cursor waits: typed, Enter not (yet) pressed.
    return { kind: 'typed-not-submitted' };
  }
  if (body.includes(text.trimEnd())) return { kind: 'submitted' };
  const typed = waiting ? typedPrefix(body, text) : 0;
  return typed > 0 ? { kind: 'partly-typed', typed } : { kind: 'not-sent' };
}

/** Length of the longest prefix of `text` (64 characters at least) that `body` ends with; 0 if none. Pure. */
export function typedPrefix(body: string, text: string, minimum = 64): number {
  if (text.length <= minimum) return 0;
  const head = text.slice(0, minimum);
  for (let pos = body.lastIndexOf(head); pos >= 0; pos = pos > 0 ? body.lastIndexOf(head, pos - 1) : -1) {
    const tail = body.slice(pos);
    if (tail.length < text.length && text.startsWith(tail)) return tail.length;
  }
  return 0;
}

/**
 * After a crash, a task left `delivering` is checked against the pane before anything is typed again:
 * submitted -> delivered; typed but not submitted -> press Enter; not there -> send again.
 */
export async function recoverDelivering(tmux: Tmux, task: Task, target: ResolvedTarget, mark: number | null, timeoutMs: number): Promise<RecoveryVerdict> {
  const pane: PaneState | null = await inspectPane(tmux, target.pane);
  if (!pane) return { kind: 'pane-missing' };
  const captured = await captureSince(tmux, target.pane, mark, pane);
  const row = String(pane.cursorY);
  const { stdout: cursorRow } = await tmux.run(['capture-pane', '-p', '-t', target.pane, '-S', row, '-E', row]);
  const verdict = judgeRecovery(captured, cursorRow, task.text);
  if (verdict.kind === 'typed-not-submitted') await pressEnter(tmux, target.pane, timeoutMs);
  return verdict;
}
