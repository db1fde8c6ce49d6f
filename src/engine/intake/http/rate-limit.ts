/**
 * Per-client token bucket. `takeToken` is a pure function of (bucket, now); `ClientLimiter` keeps a bounded map of
 * buckets (least recently seen forgotten first).
 */
export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface BucketPolicy {
  perSecond: number;
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  bucket: Bucket;
  /** When refused: ms until one token is available. */
  retryAfterMs: number;
}

export function takeToken(prev: Bucket | undefined, nowMs: number, policy: BucketPolicy): TakeResult {
  const start = prev ?? { tokens: policy.burst, updatedAt: nowMs };
  const elapsed = Math.max(0, nowMs - start.updatedAt);
  const tokens = Math.min(policy.burst, start.tokens + (elapsed * policy.perSecond) / 1000);
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, updatedAt: nowMs }, retryAfterMs: 0 };
  const retryAfterMs = Math.ceil(((1 - tokens) * 1000) / policy.perSecond);
  return { allowed: false, bucket: { tokens, updatedAt: nowMs }, retryAfterMs };
}

export class ClientLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #policy: BucketPolicy;
  readonly #maxClients: number;

  constructor(policy: BucketPolicy, maxClients: number) {
    this.#policy = policy;
    this.#maxClients = maxClients;
  }

  take(client: string, nowMs: number): TakeResult {
    const result = takeToken(this.#buckets.get(client), nowMs, this.#policy);
    this.#buckets.delete(client);
    this.#buckets.set(client, result.bucket);
    while (this.#buckets.size > this.#maxClients) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
    return result;
  }

  get size(): number {
    return this.#buckets.size;
  }
}
