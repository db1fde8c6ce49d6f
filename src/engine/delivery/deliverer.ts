import type { ResolvedTarget } from './profiles.js';
import { judgeReadiness } from './profiles.js';
import { WhtError } from '../errors.js';
import { systemClock, timersOf, type Clock } from '../ports/clock.js';
import type { Tmux } from '../ports/tmux.js';
import type { Task } from '../types.js';
import { assertWritable, inspectPane, takeMark, textsSinceMark, type PaneState } from './pane.js';
import { pasteText, pressEnter, typeLiteral } from './send.js';

export interface DeliveryHooks {
  /** Called once the pane is ready and before anything is typed: commit `delivering` with the pane mark. */
  beforeSend(mark: string): void;
  /** Abort a readiness wait (engine closing). */
  signal?: AbortSignal | undefined;
  /** Time and timers for the readiness wait. @default systemClock */
  clock?: Clock | undefined;
}

/** Wait `ms`, or less when `signal` aborts; the abort listener goes away with the wait (the signal lives as long as the engine). */
const sleep = (ms: number, signal?: AbortSignal, clock: Clock = systemClock) => new Promise<void>((resolve) => {
  if (ms <= 0 || signal?.aborted) return resolve();
  const done = () => {
    timersOf(clock).clearTimeout(timer);
    signal?.removeEventListener('abort', done);
    resolve();
  };
  const timer = timersOf(clock).setTimeout(done, ms);
  signal?.addEventListener('abort', done, { once: true });
});

/** The last `lines` lines of the visible screen. */
async function screenTail(tmux: Tmux, pane: string, lines: number): Promise<string> {
  const { stdout } = await tmux.run(['capture-pane', '-p', '-J', '-t', pane, '-S', String(-lines)]);
  return stdout;
}

/**
 * Agent targets: wait until the pane is idle (patterns, foreground command), or fail retryably after
 * readyTimeoutMs. Returns the pane's state at the moment it was judged ready.
 */
async function waitReady(tmux: Tmux, target: ResolvedTarget, signal?: AbortSignal, clock: Clock = systemClock): Promise<PaneState> {
  const until = clock.now() + target.readyTimeoutMs;
  let why: string;
  for (;;) {
    const pane = await inspectPane(tmux, target.pane);
    assertWritable(target.pane, pane);
    if (target.profile !== 'agent') return pane;
    const verdict = judgeReadiness(target, await screenTail(tmux, target.pane, target.readyLines), pane.currentCommand);
    if (verdict.ready) return pane;
    why = verdict.why;
    if (clock.now() >= until || signal?.aborted) break;
    await sleep(target.readyPollMs, signal, clock);
  }
  throw new WhtError('WHT_ERR_TARGET_BUSY', `pane ${target.pane} did not become idle within ${target.readyTimeoutMs} ms (${why})`, { target: target.pane });
}

/**
 * Type one task into its pane: wait until the pane can take input (and, for agents, is idle), record where its
 * cursor is, type the text (one bracketed paste when multi-line), pause enterDelayMs, press Enter, and optionally
 * confirm the text shows in the pane. Throws WhtError (retryable or not); hooks.beforeSend runs exactly once, right
 * before the first keystroke.
 */
export async function deliver(tmux: Tmux, task: Task, target: ResolvedTarget, hooks: DeliveryHooks, timeoutMs: number): Promise<void> {
  const pane = await waitReady(tmux, target, hooks.signal, hooks.clock);
  const mark = await takeMark(tmux, target.pane, pane);
  hooks.beforeSend(mark);
  if (task.text.includes('\n')) {
    if (!target.multiline) throw new WhtError('WHT_ERR_TEXT_UNSAFE', `target ${target.pane} does not accept multi-line text (targets.NAME.multiline)`);
    await pasteText(tmux, target.pane, task.text, `wht-${task.id}`, timeoutMs);
  } else {
    await typeLiteral(tmux, target.pane, task.text, timeoutMs);
  }
  await sleep(target.enterDelayMs, undefined, hooks.clock);
  await pressEnter(tmux, target.pane, timeoutMs);
  await assertStillThere(tmux, target.pane);
  if (target.confirm) await confirm(tmux, task, target, mark);
}

/**
 * tmux accepts keys for a pane whose program has exited (remain-on-exit) without an error, and a pane killed while
 * the text was typed may never have read the Enter: check before the task is recorded delivered.
 */
async function assertStillThere(tmux: Tmux, target: string): Promise<void> {
  const pane = await inspectPane(tmux, target);
  if (pane && !pane.dead) return;
  const what = pane ? 'its program exited' : 'it was closed';
  throw new WhtError('WHT_ERR_TARGET_MISSING', `pane ${target} died while the command was typed (${what}); not counted as delivered`, { target });
}

/** Whitespace and box-drawing characters vary with wrapping and TUI frames: compare without them. */
export function normalizeScreen(text: string): string {
  return text.replace(/[\u2500-\u257f]/g, '').replace(/\s+/g, '');
}

async function confirm(tmux: Tmux, task: Task, target: ResolvedTarget, mark: string): Promise<void> {
  const firstLine = task.text.split('\n')[0]!.slice(0, 200);
  const want = normalizeScreen(firstLine);
  for (let i = 0; i < 10; i++) {
    await sleep(50);
    const pane = await inspectPane(tmux, target.pane);
    if (!pane) break;
    const texts = await textsSinceMark(tmux, target.pane, mark, pane);
    if (texts.length && texts.every((t) => normalizeScreen(t).includes(want))) return;
  }
  throw new WhtError('WHT_ERR_NOT_CONFIRMED', `the text did not show up in pane ${target.pane} after Enter`, { target: target.pane });
}

export type RecoveryVerdict =
  | { kind: 'submitted' }
  | { kind: 'typed-not-submitted' }
  /** A crash between two send-keys chunks of a long text: the input line holds `typed` characters of it. */
  | { kind: 'partly-typed'; typed: number }
  | { kind: 'not-sent' }
  | { kind: 'pane-missing' }
  /** The pane no longer shows whether it was typed (the lines around the mark scrolled out, or they disagree). */
  | { kind: 'undecided'; why: string };

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

/** One verdict for every place the mark may be now; `undecided` when they disagree or there is none. Pure. */
export function judgeAll(texts: readonly string[], cursorRow: string, text: string): RecoveryVerdict {
  if (texts.length === 0) return { kind: 'undecided', why: 'the lines around where it was typed are no longer in the pane (history trimmed: raise history-limit)' };
  const verdicts = texts.map((t) => judgeRecovery(t, cursorRow, text));
  const first = JSON.stringify(verdicts[0]);
  if (verdicts.every((v) => JSON.stringify(v) === first)) return verdicts[0]!;
  return { kind: 'undecided', why: `the pane's history was trimmed and ${texts.length} places match where it was typed; they disagree` };
}

/**
 * After a crash, a task left `delivering` is checked against the pane before anything is typed again:
 * submitted -> delivered; typed but not submitted -> press Enter; not there -> send again; cannot tell -> undecided.
 */
export async function recoverDelivering(tmux: Tmux, task: Task, target: ResolvedTarget, mark: string | null, timeoutMs: number): Promise<RecoveryVerdict> {
  const pane: PaneState | null = await inspectPane(tmux, target.pane);
  if (!pane) return { kind: 'pane-missing' };
  const texts = await textsSinceMark(tmux, target.pane, mark, pane);
  const row = String(pane.cursorY);
  const { stdout: cursorRow } = await tmux.run(['capture-pane', '-p', '-t', target.pane, '-S', row, '-E', row]);
  const verdict = judgeAll(texts, cursorRow, task.text);
  if (verdict.kind === 'typed-not-submitted') await pressEnter(tmux, target.pane, timeoutMs);
  return verdict;
}
