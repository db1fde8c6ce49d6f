/**
 * The event log and the callback outbox (tables `events` and `callbacks`, migrations 2 and 3). Rows are written by
 * triggers in the same transaction as each task state change (migrations.ts); this store reads them, records what
 * the sender did, adds the monitor's alerts to the log, and prunes old rows.
 * The queue store leaves some writes open until the end of the event-loop turn (group commit, group-commit.ts): the
 * feed and the sender read only what is committed, so `settle` (commit them) runs before each of their reads.
 */
import { pruneInOrder } from './prune-in-order.js';
import type Database from 'better-sqlite3';
import type { CallbackStats } from '../task.js';
import type { CallbackOutbox, OutboxRow } from '../callbacks/outbox.js';

export type { OutboxRow };

export interface StoredEvent {
  seq: number;
  at: number;
  kind: 'task' | 'alert';
  taskId: number | null;
  state: string | null;
  data: unknown;
}

export type CallbackCounts = Omit<CallbackStats, 'sentSinceStart' | 'failedTriesSinceStart'>;

interface EventRow {
  seq: number;
  at: number;
  kind: 'task' | 'alert';
  task_id: number | null;
  state: string | null;
  data: string;
}

const toEvent = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  at: r.at,
  kind: r.kind,
  taskId: r.task_id,
  state: r.state,
  data: JSON.parse(r.data) as unknown,
});

export class EventStore implements CallbackOutbox {
  private readonly stmt;

  constructor(
    db: Database.Database,
    private readonly settle: () => void = () => undefined,
  ) {
    this.stmt = {
      // kind 'seq': the row migration 3 may leave to hold the last id given (never served).
      since: db.prepare(`SELECT * FROM events WHERE seq > ? AND kind != 'seq' ORDER BY seq LIMIT ?`),
      last: db.prepare('SELECT max(seq) FROM events').pluck(),
      alert: db.prepare(`INSERT INTO events (at, kind, data) VALUES (?, 'alert', ?)`),
      // The oldest pending callback of each URL: one URL's events go out in order, one at a time.
      heads: db.prepare(`SELECT c.seq, c.task_id AS taskId, c.url, c.secret, c.webhook_id AS webhookId,
          c.created_at AS createdAt, c.attempts, c.next_at AS nextAt, c.state, e.data, e.at AS eventAt
        FROM callbacks c JOIN events e ON e.seq = c.seq
        WHERE c.seq IN (SELECT min(seq) FROM callbacks WHERE state = 'pending' GROUP BY url)`),
      sent: db.prepare(
        `UPDATE callbacks SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_status = ? WHERE seq = ?`,
      ),
      failed: db.prepare(`UPDATE callbacks SET state = CASE WHEN @nextAt IS NULL THEN 'failed' ELSE 'pending' END,
        attempts = attempts + 1, next_at = coalesce(@nextAt, next_at), last_status = @status, last_error = @error
        WHERE seq = @seq`),
      counts: db.prepare(`SELECT state, count(*) AS n, sum(CASE WHEN last_error IS NOT NULL THEN 1 ELSE 0 END) AS erred
        FROM callbacks GROUP BY state`),
      lastError: db.prepare(
        `SELECT last_error AS error FROM callbacks WHERE last_error IS NOT NULL AND state != 'sent' ORDER BY seq DESC LIMIT 1`,
      ),
      pruneScan: db.prepare(`SELECT max(seq) AS last, max(at >= @before) AS reached
        FROM (SELECT seq, at FROM events WHERE seq > @after ORDER BY seq LIMIT @chunk)`),
      pruneEvents:
        db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq > @after ORDER BY seq LIMIT @chunk)
        AND at < @before AND seq NOT IN (SELECT seq FROM callbacks WHERE state = 'pending')
        AND seq < (SELECT max(seq) FROM events)`),
      pruneCallbacks: db.prepare(`DELETE FROM callbacks WHERE state != 'pending' AND created_at < ?`),
    };
  }

  /** Events after `seq`, oldest first (SSE resume). */
  since(seq: number, limit = 1000): StoredEvent[] {
    this.settled();
    return (this.stmt.since.all(seq, limit) as EventRow[]).map(toEvent);
  }

  lastSeq(): number {
    this.settled();
    return (this.stmt.last.get() as number | null) ?? 0;
  }

  /** Add a monitor alert to the log; returns its seq. */
  addAlert(at: number, data: unknown): number {
    return Number(this.stmt.alert.run(at, JSON.stringify(data)).lastInsertRowid);
  }

  /** The next callback of each URL (due or not). */
  heads(): OutboxRow[] {
    this.settled();
    return this.stmt.heads.all() as OutboxRow[];
  }

  markSent(seq: number, now: number, status: number): void {
    this.stmt.sent.run(now, status, seq);
  }

  /** A failed try: pending again from `nextAt`, or `failed` for good when nextAt is null. */
  markFailed(seq: number, nextAt: number | null, status: number | null, error: string): void {
    this.stmt.failed.run({ seq, nextAt, status, error });
  }

  counts(): CallbackCounts {
    const out: CallbackCounts = { pending: 0, sent: 0, failed: 0, retrying: 0, lastError: null };
    for (const r of this.stmt.counts.all() as Array<{ state: string; n: number; erred: number }>) {
      if (r.state === 'pending') {
        out.pending = r.n;
        out.retrying = r.erred;
      } else if (r.state === 'sent') out.sent = r.n;
      else if (r.state === 'failed') out.failed = r.n;
    }
    const last = this.stmt.lastError.get() as { error: string } | undefined;
    if (last) out.lastError = last.error;
    return out;
  }

  /**
   * Delete events and finished callbacks older than `before` (pending callbacks and their events stay, and the newest
   * event: the next seq is one past it, so ids never go back without AUTOINCREMENT). Events go in seq order
   * (pruneInOrder): no index on `at` is updated by every state change.
   */
  prune(before: number): number {
    const callbacks = this.stmt.pruneCallbacks.run(before).changes;
    return callbacks + pruneInOrder(this.stmt.pruneScan, this.stmt.pruneEvents, before);
  }

  /** Commit the queue's open writes before a read that others act on; if that fails, read what is committed. */
  private settled(): void {
    try {
      this.settle();
    } catch {
      /* the commit failed: its writes were rolled back (and are owed), the read sees the committed state */
    }
  }
}
