export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0..1: the delay is drawn uniformly from [(1 - jitter)·d, d]. */
  jitter: number;
}

/** Exponential backoff with jitter and a cap: d = min(max, base·2^(attempt-1)). Pure: `random` is passed in. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const low = exp * (1 - policy.jitter);
  return Math.round(low + (exp - low) * random());
}
