/**
 * Bounded memory of signed deliveries already accepted: `hook`, `webhook-id`, `webhook-timestamp`. The same triple
 * again is a byte-for-byte replay (a sender's genuine retry re-signs with a new timestamp) and is refused.
 * Entries live for `ttlMs` (2x the signature tolerance, so anything still inside the window is remembered);
 * when full, the oldest entry is forgotten first. Durable dedupe is the store's idempotency key.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#max = maxEntries;
  }

  static key(hook: string, id: string, timestamp: string): string {
    return `${hook}\u0000${id}\u0000${timestamp}`;
  }

  has(key: string, nowMs: number): boolean {
    this.#expire(nowMs);
    const at = this.#seen.get(key);
    return at !== undefined && nowMs - at < this.#ttlMs;
  }

  add(key: string, nowMs: number): void {
    this.#seen.delete(key);
    this.#seen.set(key, nowMs);
    while (this.#seen.size > this.#max) {
      const oldest = this.#seen.keys().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#seen.delete(key);
  }

  #expire(nowMs: number): void {
    for (const [key, at] of this.#seen) {
      if (nowMs - at < this.#ttlMs) break;
      this.#seen.delete(key);
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}
