import { performance } from 'node:perf_hooks';
import type { ResolvedTarget } from './profiles.js';
import { WhtError } from '../errors.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { DeliverySteps } from '../events.js';
import type { Tmux, TmuxSettled } from '../ports/tmux.js';
import type { Task } from '../types.js';
import { confirmAgent, sleep, transcriptCount, waitReady } from './agent-wait.js';
import {
  inspectArgs,
  inspectPane,
  markFromCapture,
  paneFromResult,
  takeMark,
  textsSinceMark,
  type PaneState,
} from './pane.js';
import type { Judgement, ReadinessBook } from './readiness.js';
import { pasteText, pressEnter, typeAndEnter, typeLiteral } from './send.js';
import { normalizeScreen } from './screen.js';

export { normalizeScreen };

export interface DeliveryHooks {
  /** Called once the pane is ready and before anything is typed: commit `delivering` with the pane mark. */
  beforeSend(mark: string): void;
  /** Abort a readiness wait (engine closing). */
  signal?: AbortSignal | undefined;
  /** Time and timers for the readiness wait. @default systemClock */
  clock?: Clock | undefined;
  /** Each target's readiness memory (shared with the targets view). */
  book: ReadinessBook;
  /** The task's target name (the book's key). */
  name: string;
  /** Told each time the reason an agent target is not ready changes. */
  onWaiting?: ((judgement: Judgement) => void) | undefined;
}

/**
 * Type one task into its pane: wait until the target is ready (readiness.ts; shell targets only need a pane that
 * takes input), record where its cursor is, type the text (one bracketed paste when multi-line), pause
 * enterDelayMs, press Enter, and confirm when the target asks for it. Throws WhtError (retryable or not);
 * hooks.beforeSend runs exactly once, right before the first keystroke. Resolves with whether an agent's
 * confirmation saw its busy marker (the task is `working` already), and where the time went.
 *
 * Shell targets take two round trips in all: the pane check with the capture the mark is cut from, and the keys with
 * the still-there check behind them (tmux runs it after the keys).
 */
export async function deliver(
  tmux: Tmux,
  task: Task,
  target: ResolvedTarget,
  hooks: DeliveryHooks,
  timeoutMs: number,
): Promise<{ busySeen: boolean; steps: Omit<DeliverySteps, 'record'> }> {
  const clock = hooks.clock ?? systemClock;
  const waitOpts = { book: hooks.book, name: hooks.name, signal: hooks.signal, onWaiting: hooks.onWaiting, clock };
  const lap = stopwatch();
  const { pane, screen, markCapture } = await waitReady(tmux, target, waitOpts);
  const check = lap();
  const cut = markCapture === null ? null : markFromCapture(pane, markCapture);
  const mark = cut ?? (await takeMark(tmux, target.pane, pane));
  const markMs = lap();
  const before = screen === null ? 0 : transcriptCount(target, screen, task.text);
  hooks.beforeSend(mark);
  const commit = lap();
  const shown = await typeText(tmux, task, target, clock, timeoutMs);
  const type = lap();
  if (target.profile === 'agent') hooks.book.submitted(hooks.name, clock.now());
  await assertStillThere(tmux, target.pane, shown);
  const steps = (confirm: number): Omit<DeliverySteps, 'record'> => ({ check, mark: markMs, commit, type, confirm });
  if (!target.confirm) return { busySeen: false, steps: steps(lap()) };
  if (target.profile === 'agent') {
    const how = await confirmAgent(tmux, target, task.text, before, { ...waitOpts, timeoutMs });
    return { busySeen: how === 'busy-marker', steps: steps(lap()) };
  }
  await confirm(tmux, task, target, mark);
  return { busySeen: false, steps: steps(lap()) };
}

/** ms since the previous call (the first: since creation). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = now - last;
    last = now;
    return ms;
  };
}

/**
 * The text and Enter as the target wants them. Returns the still-there check's outcome when it could be pipelined
 * behind the keys (a one-line text into a shell that takes the Enter at once), else null.
 */
async function typeText(
  tmux: Tmux,
  task: Task,
  target: ResolvedTarget,
  clock: Clock,
  timeoutMs: number,
): Promise<TmuxSettled | null> {
  const multiline = task.text.includes('\n');
  if (multiline && !target.multiline)
    throw new WhtError(
      'WHT_ERR_TEXT_UNSAFE',
      `target ${target.pane} does not accept multi-line text (targets.NAME.multiline)`,
    );
  if (!multiline && target.profile === 'shell' && target.enterDelayMs === 0) {
    // A shell reads keys as they come: the Enter rides in the text's own tmux call, the check right behind it.
    return typeAndEnter(tmux, target.pane, task.text, timeoutMs, inspectArgs(target.pane));
  }
  if (multiline) await pasteText(tmux, target.pane, task.text, `wht-${task.id}`, timeoutMs);
  else await typeLiteral(tmux, target.pane, task.text, timeoutMs);
  await sleep(target.enterDelayMs, undefined, clock);
  await pressEnter(tmux, target.pane, timeoutMs);
  return null;
}

/**
 * tmux accepts keys for a pane whose program has exited (remain-on-exit) without an error, and a pane killed while
 * the text was typed may never have read the Enter: check before the task is recorded delivered. `shown`: the check's
 * outcome when it was pipelined behind the keys (else it is made now).
 */
async function assertStillThere(tmux: Tmux, target: string, shown: TmuxSettled | null): Promise<void> {
  // When the tmux server itself is gone (killed, restarting), its acknowledged Enter had already been written to the
  // pane: counting that as failed would type the command a second time into the pane that comes back.
  const look = (): PaneState | null | 'server gone' => {
    try {
      return paneFromResult(shown!);
    } catch {
      return 'server gone';
    }
  };
  const pane = shown ? look() : await inspectPane(tmux, target).catch(() => 'server gone' as const);
  if (pane === 'server gone' || (pane === null && (await serverGone(tmux)))) return;
  if (pane && !pane.dead) return;
  const what = pane ? 'its program exited' : 'it was closed';
  throw new WhtError(
    'WHT_ERR_TARGET_MISSING',
    `pane ${target} died while the command was typed (${what}); not counted as delivered`,
    { target },
  );
}

async function serverGone(tmux: Tmux): Promise<boolean> {
  return tmux.run(['list-sessions', '-F', '#{session_id}']).then(
    () => false,
    () => true,
  );
}

async function confirm(tmux: Tmux, task: Task, target: ResolvedTarget, mark: string): Promise<void> {
  const firstLine = task.text.split('\n')[0]!.slice(0, 200);
  const want = normalizeScreen(firstLine);
  const until = Date.now() + target.confirmTimeoutMs;
  while (Date.now() < until) {
    await sleep(50);
    const pane = await inspectPane(tmux, target.pane);
    if (!pane) break;
    const texts = await textsSinceMark(tmux, target.pane, mark, pane);
    if (texts.length && texts.every((t) => normalizeScreen(t).includes(want))) return;
  }
  throw new WhtError('WHT_ERR_NOT_CONFIRMED', `the text did not show up in pane ${target.pane} after Enter`, {
    target: target.pane,
  });
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
  if (texts.length === 0)
    return {
      kind: 'undecided',
      why: 'the lines around where it was typed are no longer in the pane (history trimmed: raise history-limit)',
    };
  const verdicts = texts.map((t) => judgeRecovery(t, cursorRow, text));
  const first = JSON.stringify(verdicts[0]);
  if (verdicts.every((v) => JSON.stringify(v) === first)) return verdicts[0]!;
  return {
    kind: 'undecided',
    why: `the pane's history was trimmed and ${texts.length} places match where it was typed; they disagree`,
  };
}

/**
 * After a crash, a task left `delivering` is checked against the pane before anything is typed again:
 * submitted -> delivered; typed but not submitted -> press Enter; not there -> send again; cannot tell -> undecided.
 */
export async function recoverDelivering(
  tmux: Tmux,
  task: Task,
  target: ResolvedTarget,
  mark: string | null,
  timeoutMs: number,
): Promise<RecoveryVerdict> {
  const pane: PaneState | null = await inspectPane(tmux, target.pane);
  if (!pane) return { kind: 'pane-missing' };
  const texts = await textsSinceMark(tmux, target.pane, mark, pane);
  const row = String(pane.cursorY);
  const { stdout: cursorRow } = await tmux.run(['capture-pane', '-p', '-t', target.pane, '-S', row, '-E', row]);
  const verdict = judgeAll(texts, cursorRow, task.text);
  if (verdict.kind === 'typed-not-submitted') await pressEnter(tmux, target.pane, timeoutMs);
  return verdict;
}
