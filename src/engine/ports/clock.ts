/** Time as a value: policies take `now`; components that own timers take a Clock so tests can use fake timers. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
