/**
 * `GET /v1/events`: Server-Sent Events of task state changes and the monitor's alerts, read from the database's
 * event log (sqlite/event-store.ts) so a client that reconnects with `Last-Event-ID` (or `?since=SEQ`) gets
 * everything it missed, in order, then the live stream. Without either it starts with what happens next
 * (`?since=0`: the whole log that is kept). Each event: `id: SEQ`, `event: task` or `alert`, `data:` JSON
 * `{"type": "task.completed", "at": ..., "data": {...}}`. A comment line every 15 s keeps proxies from closing it.
 */
import type { ServerResponse } from 'node:http';
import type { RequestCtx } from './context.js';
import { HttpError } from './responses.js';
import type { FeedEvent } from './event-feed.js';

export type { EventFeed, FeedEvent } from './event-feed.js';

export const HEARTBEAT_MS = 15_000;
const BATCH = 500;

/** One event in the SSE wire format. Pure. */
export function formatSse(e: FeedEvent): string {
  const d = e.data as { state?: string } | null;
  const type = e.kind === 'task' ? `task.${e.state ?? 'unknown'}` : `alert.${d?.state ?? 'changed'}`;
  return `id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify({ type, at: e.at, data: e.data })}\n\n`;
}

/** Where a stream starts: Last-Event-ID, else ?since=, else the newest event now (live only). */
export function startSeq(lastEventId: string | undefined, since: string | null, lastSeq: () => number): number {
  const raw = lastEventId ?? since;
  if (raw === undefined || raw === null) return lastSeq();
  if (!/^\d{1,15}$/.test(raw.trim()))
    throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'field Last-Event-ID (or since) must be an event id (a number)');
  return Number(raw.trim());
}

export function streamEvents(ctx: RequestCtx, streams: Set<ServerResponse>): void {
  const feed = ctx.state.deps.events;
  if (!feed) throw new HttpError(404, 'WHT_ERR_NOT_FOUND', 'no event log here');
  const header = ctx.req.headers['last-event-id'];
  let cursor = startSeq(Array.isArray(header) ? header[0] : header, ctx.query.get('since'), () => feed.lastSeq());
  const { res } = ctx;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let blocked = false;
  const flush = (): void => {
    while (!blocked && !res.destroyed) {
      const batch = feed.since(cursor, BATCH);
      if (batch.length === 0) return;
      for (const e of batch) {
        cursor = e.seq;
        if (!res.write(formatSse(e))) blocked = true;
      }
    }
  };
  res.on('drain', () => {
    blocked = false;
    flush();
  });
  const unsubscribe = feed.subscribe(flush);
  const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  beat.unref();
  streams.add(res);
  res.on('close', () => {
    clearInterval(beat);
    unsubscribe();
    streams.delete(res);
  });
  flush();
}
