/**
 * Alert notifications: tmux `display-message` and an outbound webhook whose JSON body both Slack (`text`) and
 * Discord (`content`) incoming webhooks accept. `notify()` only queues and returns at once; a single background
 * worker sends with a per-attempt timeout and retries with backoff. A full queue drops the oldest message.
 * Failures are logged, never thrown, so they cannot block or break delivery.
 */
import type { Logger } from '../ports/logger.js';
import type { TmuxRun } from './deps.js';
import type { AlertTransition } from './types.js';

export interface NotifierOptions {
  logger: Logger;
  webhookUrl?: string | undefined;
  timeoutMs: number;
  attempts: number;
  /** Backoff before attempt n+1 is backoffMs * 2^(n-1). @default 1000 */
  backoffMs?: number | undefined;
  tmux?: TmuxRun | undefined;
  tmuxTarget?: string | undefined;
  tmuxDisplay: boolean;
  fetch?: typeof fetch | undefined;
  /** @default 100 */
  maxQueue?: number | undefined;
  /** Prefix in messages. @default 'webhook-tui' */
  source?: string | undefined;
}

export function alertText(t: AlertTransition, source = 'webhook-tui'): string {
  const icon = t.state === 'firing' ? (t.severity === 'critical' ? '🔴' : '🟠') : '✅';
  return `${icon} ${source} alert ${t.rule} ${t.state.toUpperCase()}: ${t.message}`;
}

/** JSON body for Slack and Discord incoming webhooks (each ignores the other's field). */
export function webhookBody(t: AlertTransition, source?: string): string {
  const text = alertText(t, source);
  return JSON.stringify({ text, content: text, alert: t });
}

/** argv for tmux display-message; `#` is doubled because tmux expands formats in the message. */
export function displayMessageArgs(text: string, target?: string): string[] {
  const safe = [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .replace(/#/g, '##');
  return ['display-message', ...(target ? ['-t', target] : []), safe];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class Notifier {
  private queue: AlertTransition[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly abort = new AbortController();
  /** Counters for /metrics and tests. */
  readonly stats = { sent: 0, failed: 0, dropped: 0 };

  constructor(private readonly opts: NotifierOptions) {}

  /** Queue a transition; returns immediately. */
  notify(t: AlertTransition): void {
    if (this.closed) return;
    if (this.opts.tmuxDisplay && this.opts.tmux) {
      this.opts
        .tmux(displayMessageArgs(alertText(t, this.opts.source), this.opts.tmuxTarget))
        .catch((e: unknown) => this.opts.logger.debug('alert display-message failed', { error: String(e) }));
    }
    if (!this.opts.webhookUrl) return;
    this.queue.push(t);
    const max = this.opts.maxQueue ?? 100;
    while (this.queue.length > max) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when the queue is empty (tests, close). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.abort.abort();
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let t = this.queue.shift(); t && !this.closed; t = this.queue.shift()) await this.send(t);
  }

  private async send(t: AlertTransition): Promise<void> {
    const url = this.opts.webhookUrl;
    if (!url) return;
    const doFetch = this.opts.fetch ?? fetch;
    const body = webhookBody(t, this.opts.source);
    let lastError = '';
    for (let attempt = 1; attempt <= this.opts.attempts && !this.closed; attempt++) {
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.abort.signal]);
        const res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal,
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.stats.sent++;
          return;
        }
        lastError = `HTTP ${res.status}`;
        // 4xx other than 429 will not get better by retrying.
        if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
      } catch (e) {
        lastError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      if (attempt < this.opts.attempts && !this.closed) await sleep((this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1));
    }
    this.stats.failed++;
    this.opts.logger.warn('alert webhook failed', { rule: t.rule, state: t.state, error: lastError });
  }
}
