/**
 * The side-effecting half of readiness: look at a target's pane (display-message + capture-pane -e), feed the pure
 * state machine (readiness.ts), wait until it says `ready`, clear foreign input when the target allows it, and
 * confirm an agent took the prompt after Enter.
 */
import { WhtError } from '../errors.js';
import { systemClock, timersOf, type Clock } from '../ports/clock.js';
import type { Tmux } from '../ports/tmux.js';
import { inspectPane, inspectWithCapture, type PaneState } from './pane.js';
import type { ResolvedTarget } from './profiles.js';
import { findInput, step, type Judgement, type Observation, type ReadinessBook } from './readiness.js';
import { normalizeScreen, parseScreen } from './screen.js';
import { pressEnter } from './send.js';

/** Wait `ms`, or less when `signal` aborts; the abort listener goes away with the wait (the signal lives as long as the engine). */
export const sleep = (ms: number, signal?: AbortSignal, clock: Clock = systemClock) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      timersOf(clock).clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = timersOf(clock).setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** The visible screen with attributes (faint placeholders, inverse cursor), wrapped lines joined. */
export async function captureScreen(tmux: Tmux, pane: string): Promise<string> {
  return (await tmux.run(['capture-pane', '-p', '-e', '-J', '-t', pane])).stdout;
}

/**
 * One look at a target. Shell targets: the pane only (their screen is never captured); with `forMark`, also the
 * capture a delivery's mark is cut from, in the same round trip.
 */
export async function observe(
  tmux: Tmux,
  target: ResolvedTarget,
  clock: Clock = systemClock,
  forMark = false,
): Promise<Observation> {
  if (forMark && target.profile !== 'agent') {
    const { pane, capture } = await inspectWithCapture(tmux, target.pane);
    return { pane, screen: null, now: clock.now(), markCapture: capture };
  }
  const pane = await inspectPane(tmux, target.pane);
  const usable = pane && !pane.dead && !pane.inMode && !pane.inputOff;
  const screen = usable && target.profile === 'agent' ? await captureScreen(tmux, target.pane) : null;
  return { pane, screen, now: clock.now() };
}

/** Judge a target now, through its memory in `book` (the same judgement delivery uses). */
export async function judgeTarget(
  tmux: Tmux,
  name: string,
  target: ResolvedTarget,
  book: ReadinessBook,
  clock: Clock = systemClock,
  forMark = false,
): Promise<{ judgement: Judgement; observation: Observation }> {
  const observation = await observe(tmux, target, clock, forMark);
  const { judgement, memory } = step(target, book.get(name), observation);
  book.set(name, memory);
  return { judgement, observation };
}

export interface WaitOptions {
  book: ReadinessBook;
  /** Target name (the book's key). */
  name: string;
  signal?: AbortSignal | undefined;
  /** Told each time the reason for waiting changes (for the log). */
  onWaiting?: ((judgement: Judgement) => void) | undefined;
  /** Time and timers. @default systemClock */
  clock?: Clock | undefined;
}

function stateError(target: ResolvedTarget, j: Judgement, waitedMs: number | null): WhtError {
  const code = j.state === 'missing' ? 'WHT_ERR_TARGET_MISSING' : 'WHT_ERR_TARGET_BUSY';
  const message =
    waitedMs === null
      ? `pane ${target.pane}: ${j.reason}`
      : `pane ${target.pane} did not become ready within ${waitedMs} ms (${j.state}: ${j.reason})`;
  return new WhtError(code, message, { target: target.pane, state: j.state, reason: j.reason });
}

/** Shutdown ended a readiness wait: nothing was typed, and no attempt is charged (DeliveryRunner). */
function cancelledWait(target: ResolvedTarget): WhtError {
  return new WhtError(
    'WHT_ERR_CLOSED',
    `the engine is shutting down: the wait for pane ${target.pane} to become ready was cancelled`,
    { cancelled: true },
  );
}

/**
 * Wait until the target is ready, or fail retryably: at once when the pane is missing, in a mode or has input off;
 * after readyTimeoutMs when an agent stays busy or not ready. Returns the observation that was judged ready.
 */
export async function waitReady(
  tmux: Tmux,
  target: ResolvedTarget,
  opts: WaitOptions,
): Promise<{ pane: PaneState; screen: string | null; markCapture: string | null }> {
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  let lastReason: string | null = null;
  let clearRounds = 0;
  for (;;) {
    const { judgement: j, observation } = await judgeTarget(tmux, opts.name, target, opts.book, opts.clock, true);
    if (j.state === 'ready')
      return { pane: observation.pane!, screen: observation.screen, markCapture: observation.markCapture ?? null };
    if (j.state === 'missing' || j.state === 'in-mode' || j.state === 'input-off') throw stateError(target, j, null);
    if (j.reason !== lastReason) {
      lastReason = j.reason;
      opts.onWaiting?.(j);
    }
    if (j.state === 'not-ready' && j.input !== null && target.clearInput && clearRounds < 5) {
      clearRounds++;
      await tmux.run(['send-keys', '-t', target.pane, ...target.clearKeys]);
      await sleep(Math.min(target.readyPollMs, 50), opts.signal, clock);
      continue;
    }
    if (opts.signal?.aborted) throw cancelledWait(target);
    if (clock.now() - started >= target.readyTimeoutMs) throw stateError(target, j, target.readyTimeoutMs);
    await sleep(target.readyPollMs, opts.signal, clock);
  }
}

/** How many times the task's first line shows above the input line (past prompts in the transcript). Pure. */
export function transcriptCount(target: ResolvedTarget, screen: string, text: string): number {
  const want = normalizeScreen(text.split('\n')[0]!.slice(0, 200));
  if (!want) return 0;
  const lines = parseScreen(screen);
  const input = target.inputPattern ? findInput(lines, target.inputPattern) : null;
  const above = normalizeScreen(
    lines
      .slice(0, input ? input.row : lines.length)
      .map((l) => l.text)
      .join('\n'),
  );
  let n = 0;
  for (let at = above.indexOf(want); at >= 0; at = above.indexOf(want, at + want.length)) n++;
  return n;
}

/** The input line holds (the start of) this task's text: the Enter was taken as a newline. Pure. */
export function inputIsOurs(input: string | null, text: string): boolean {
  if (input === null) return false;
  const have = normalizeScreen(input);
  const want = normalizeScreen(text);
  return have.length > 0 && want.startsWith(have) && have.length >= Math.min(want.length, 16);
}

/**
 * After Enter on an agent: confirmed when its busy marker shows, or the text appears once more in the transcript,
 * within confirmTimeoutMs. When the prompt is still in the input box (the Enter became a newline) and the screen
 * has settled, Enter is pressed once more; the text is never typed again.
 */
export async function confirmAgent(
  tmux: Tmux,
  target: ResolvedTarget,
  text: string,
  before: number,
  opts: WaitOptions & { timeoutMs: number },
): Promise<'busy-marker' | 'transcript'> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now() + target.confirmTimeoutMs;
  let pressedAgain = false;
  let previous: string | null = null;
  for (;;) {
    await sleep(target.readyPollMs, opts.signal, clock);
    const { judgement: j, observation } = await judgeTarget(tmux, opts.name, target, opts.book, opts.clock);
    const screen = observation.screen;
    if (screen === null)
      throw new WhtError('WHT_ERR_NOT_CONFIRMED', `pane ${target.pane} cannot be checked after Enter (${j.reason})`, {
        target: target.pane,
      });
    if (j.busyMarker) return 'busy-marker';
    if (transcriptCount(target, screen, text) > before) return 'transcript';
    const ours = inputIsOurs(j.input, text);
    if (ours && !pressedAgain && screen === previous) {
      await pressEnter(tmux, target.pane, opts.timeoutMs);
      opts.book.submitted(opts.name, clock.now());
      pressedAgain = true;
    }
    previous = screen;
    if (clock.now() >= deadline) {
      const why = ours
        ? 'the prompt is still in the input box'
        : 'no busy marker and the text is not in the transcript';
      throw new WhtError(
        'WHT_ERR_NOT_CONFIRMED',
        `pane ${target.pane}: the agent did not take the prompt within ${target.confirmTimeoutMs} ms (${why})`,
        { target: target.pane },
      );
    }
  }
}
