/** The callback outbox port: what the sender reads and records (SQLite: sqlite/event-store.ts). Types only. */

export interface OutboxRow {
  seq: number;
  taskId: number;
  url: string;
  secret: string;
  webhookId: string;
  createdAt: number;
  attempts: number;
  nextAt: number;
  state: string;
  /** The event's JSON data (from `events`). */
  data: string;
  eventAt: number;
}

export interface CallbackOutbox {
  /** The oldest pending callback of each URL (due or not). */
  heads(): OutboxRow[];
  markSent(seq: number, now: number, status: number): void;
  /** A failed try: pending again from `nextAt`, or `failed` for good when nextAt is null. */
  markFailed(seq: number, nextAt: number | null, status: number | null, error: string): void;
}
