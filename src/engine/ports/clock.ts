/** Time as a value: policies take `now`; components that own timers take a Clock so tests can use fake timers. */
export interface Clock {
  /** Epoch milliseconds, with sub-millisecond precision where the clock has it. */
  now(): number;
}

/** Epoch ms with microsecond resolution (performance.now() anchored at timeOrigin), so stage latencies below 1 ms show. */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };
