/**
 * Time as a value: policies take `now`; components that own timers take a Clock (and wait through `timersOf`) so
 * tests can use fake timers or a clock of their own. The default timers call the global ones at call time (so
 * `vi.useFakeTimers()` applies) and unref them: an engine timer never keeps the process alive on its own.
 */
export type ClockTimer = ReturnType<typeof setTimeout>;

export interface ClockTimers {
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
  setInterval(fn: () => void, ms: number): ClockTimer;
  clearInterval(timer: ClockTimer | undefined): void;
}

export interface Clock extends Partial<ClockTimers> {
  /** Epoch milliseconds, with sub-millisecond precision where the clock has it. */
  now(): number;
}

export const globalTimers: ClockTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (t) => clearTimeout(t),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (t) => clearInterval(t),
};

/** The clock's timers, or the global ones for a clock that only tells the time. */
export function timersOf(clock: Clock): ClockTimers {
  const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = clock;
  return st && ct && si && ci ? { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } : globalTimers;
}

/** Epoch ms with microsecond resolution (performance.now() anchored at timeOrigin), so stage latencies below 1 ms show. */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now(), ...globalTimers };

/**
 * One timer for the earliest of several deadlines (a dispatcher's next retry, an outbox's next try): `at(t)` makes it
 * fire at t unless it already fires sooner; firing forgets the deadline, then runs `fire`.
 */
export class WakeTimer {
  private timer: ClockTimer | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  at(when: number): void {
    if (this.timer && this.timerAt <= when) return;
    const timers = timersOf(this.clock);
    if (this.timer) timers.clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = timers.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.fire();
      },
      Math.max(0, Math.ceil(when - this.clock.now())),
    );
  }

  cancel(): void {
    if (this.timer) timersOf(this.clock).clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
