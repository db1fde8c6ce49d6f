/**
 * Group commit for HTTP intake: requests validated in the same event-loop turn are committed together through
 * `api.enqueueMany` (one SQLite transaction), and each is answered only after that commit. Without enqueueMany
 * the batcher calls `api.enqueue` once per request, so behaviour is the same either way; only the commit count
 * differs.
 */
import type { EngineApi, EnqueueResult, NewTask } from '../../types.js';

interface Pending {
  input: NewTask;
  resolve: (r: EnqueueResult) => void;
  reject: (e: unknown) => void;
}

export class CommitBatcher {
  readonly #api: EngineApi;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #scheduled = false;
  /** Commits made and tasks in them (for metrics and tests). */
  commits = 0;
  committed = 0;

  constructor(api: EngineApi, maxBatch = 256) {
    this.#api = api;
    this.#maxBatch = maxBatch;
  }

  enqueue(input: NewTask): Promise<EnqueueResult> {
    if (this.#api.enqueueMany === undefined) {
      // no group commit: commit now, exactly as a direct call would
      try {
        return Promise.resolve(this.#api.enqueue(input));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    this.commits++;
    this.committed += batch.length;
    let results: Array<EnqueueResult | Error>;
    try {
      results = this.#api.enqueueMany!(batch.map((p) => p.input));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r === undefined) p.reject(new Error('enqueueMany returned too few results'));
      else if (r instanceof Error) p.reject(r);
      else p.resolve(r);
    });
  }
}
