/**
 * Sends the callback outbox: for each URL its oldest pending event, signed as a Standard Webhooks sender
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`, with the `standardwebhooks` library), one at a time per
 * URL so a receiver sees a task's state changes in order. 2xx: sent. Otherwise it is tried again with backoff
 * (policy.ts), and given up (`failed`) after callbacks.giveUpAfterMs or on 410 Gone. It never blocks delivery: it
 * runs on its own timer and only reads and writes the outbox. Rows survive a crash; a row sent just before a crash
 * may be sent again with the same webhook-id (receivers dedupe on it).
 */
import { Webhook } from 'standardwebhooks';
import { WakeTimer, type Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { CallbackOutbox, OutboxRow } from './outbox.js';
import { VERSION } from '../version.js';
import type { CallbacksConfig } from '../callbacks-config.js';
import { callbackBody, checkCallbackUrl, nextCallbackTry } from './policy.js';

export interface CallbackSenderDeps {
  events: CallbackOutbox;
  config: CallbacksConfig;
  /** Signing secrets by name (`callbacks`, `hooks.NAME`), read at start. */
  secrets: ReadonlyMap<string, string>;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  onError: (err: unknown) => void;
}

/** Since start: POSTs answered 2xx, tries that failed, callbacks given up. */
export interface SenderCounters {
  sent: number;
  failedTries: number;
  givenUp: number;
}

export class CallbackSender {
  readonly counters: SenderCounters = { sent: 0, failedTries: 0, givenUp: 0 };
  private readonly inflight = new Set<string>();
  private readonly sending = new Set<Promise<void>>();
  private readonly wake: WakeTimer;
  private closed = false;
  private readonly aborter = new AbortController();

  constructor(private readonly d: CallbackSenderDeps) {
    this.wake = new WakeTimer(d.clock, () => this.kick());
  }

  start(): void {
    this.kick();
  }

  /** Look at the outbox now (a state change may have added rows). */
  kick(): void {
    if (this.closed) return;
    try {
      this.pump();
    } catch (err) {
      this.d.onError(err);
    }
  }

  private pump(): void {
    const now = this.d.clock.now();
    let wake = Infinity;
    for (const row of this.d.events.heads()) {
      if (this.inflight.has(row.url)) continue;
      if (row.nextAt > now) {
        wake = Math.min(wake, row.nextAt);
        continue;
      }
      this.inflight.add(row.url);
      const p: Promise<void> = this.send(row)
        .catch((err: unknown) => this.d.onError(err))
        .finally(() => {
          this.inflight.delete(row.url);
          this.sending.delete(p);
          this.kick();
        });
      this.sending.add(p);
    }
    if (wake < Infinity) this.wake.at(wake);
  }

  /** One POST of one row, and its outcome recorded. */
  private async send(row: OutboxRow): Promise<void> {
    const result = await this.post(row);
    if (this.closed) return; // not recorded: it is sent again after the next start
    const now = this.d.clock.now();
    if (result.ok) {
      this.d.events.markSent(row.seq, now, result.status!);
      this.counters.sent++;
      return;
    }
    const r = { attempts: row.attempts + 1, createdAt: row.createdAt, now, ...result };
    const nextAt = result.final ? null : nextCallbackTry(r, this.d.config, this.d.random);
    this.d.events.markFailed(row.seq, nextAt, result.status, result.error);
    this.counters.failedTries++;
    const fields = { url: row.url, id: row.webhookId, attempt: r.attempts, error: result.error };
    if (nextAt === null) {
      this.counters.givenUp++;
      this.d.logger.error('callback given up', fields);
    } else this.d.logger.warn('callback failed, will retry', { ...fields, nextTry: new Date(nextAt).toISOString() });
  }

  private async post(row: OutboxRow): Promise<{
    ok: boolean;
    status: number | null;
    retryAfterSec: number | null;
    error: string;
    final?: boolean;
  }> {
    const none = { status: null, retryAfterSec: null };
    const secret = this.d.secrets.get(row.secret);
    if (secret === undefined)
      return { ok: false, ...none, error: `no secret ${row.secret} is configured (it signs this callback)` };
    try {
      checkCallbackUrl(row.url, this.d.config.allow);
    } catch (err) {
      return { ok: false, ...none, error: (err as Error).message, final: true };
    }
    const state = (JSON.parse(row.data) as { state?: string }).state ?? 'unknown';
    const body = callbackBody(state, row.eventAt, JSON.parse(row.data));
    const at = new Date(this.d.clock.now());
    const headers = {
      'content-type': 'application/json',
      'user-agent': `webhook-tui/${VERSION}`,
      'webhook-id': row.webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(row.webhookId, at, body),
    };
    try {
      const res = await fetch(row.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.d.config.timeoutMs), this.aborter.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      const ok = res.status >= 200 && res.status < 300;
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        ok,
        status: res.status,
        retryAfterSec: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
        error: ok ? '' : `HTTP ${res.status}`,
      };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, ...none, error: cause?.code ?? cause?.message ?? (err as Error).message };
    }
  }

  /** Stop; POSTs in flight are cut off and not recorded (they are sent again after the next start). */
  async close(): Promise<void> {
    this.closed = true;
    this.aborter.abort();
    this.wake.cancel();
    await Promise.allSettled([...this.sending]);
  }
}
