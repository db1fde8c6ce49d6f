/** The event log as `GET /v1/events` sees it (types only; events-sse.ts streams it). */

export interface FeedEvent {
  seq: number;
  at: number;
  kind: 'task' | 'alert';
  state: string | null;
  data: unknown;
}

/** The event log as the SSE route sees it. */
export interface EventFeed {
  since(seq: number, limit: number): FeedEvent[];
  lastSeq(): number;
  /** Called after new events were written; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}
