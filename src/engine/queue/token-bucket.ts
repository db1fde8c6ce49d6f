export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface BucketRate {
  /** Tokens per second; 0 means unlimited. */
  perSecond: number;
  burst: number;
}

export type TakeResult = { ok: true; bucket: Bucket } | { ok: false; bucket: Bucket; waitMs: number };

/** Refill then try to take one token. Pure function of (bucket, now). A new bucket starts full. */
export function takeToken(bucket: Bucket | undefined, rate: BucketRate, now: number): TakeResult {
  if (rate.perSecond <= 0) return { ok: true, bucket: bucket ?? { tokens: 0, updatedAt: now } };
  const start = bucket ?? { tokens: rate.burst, updatedAt: now };
  const elapsed = Math.max(0, now - start.updatedAt);
  const tokens = Math.min(rate.burst, start.tokens + (elapsed * rate.perSecond) / 1000);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, updatedAt: now } };
  const waitMs = Math.ceil(((1 - tokens) * 1000) / rate.perSecond);
  return { ok: false, bucket: { tokens, updatedAt: now }, waitMs };
}
