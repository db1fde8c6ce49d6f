/**
 * Interim Prometheus text for `GET /metrics`: queue counters from `api.stats()` plus HTTP request counters.
 * The monitor issue replaces `formatQueueMetrics` (pass its formatter as `deps.metrics`); `HttpCounters` stays.
 */
import type { QueueStats } from '../../types.js';
import { TASK_STATES } from '../../types.js';

type Sample = [labels: string, value: number];

function family(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
  return lines.join('\n');
}

export function formatQueueMetrics(s: QueueStats): string {
  const p = 'webhook_tui_';
  return (
    [
      family(
        `${p}queue_depth`,
        'gauge',
        'Tasks by state.',
        TASK_STATES.map((st) => [`{state="${st}"}`, s.depth[st] ?? 0]),
      ),
      family(`${p}queue_pending`, 'gauge', 'Tasks waiting for delivery (queued + delivering + retrying).', [
        ['', s.pending],
      ]),
      family(`${p}queue_capacity`, 'gauge', 'Most pending tasks the queue accepts.', [['', s.capacity]]),
      family(`${p}queue_oldest_pending_age_seconds`, 'gauge', 'Age of the oldest pending task.', [
        ['', s.oldestPendingAgeMs / 1000],
      ]),
      family(`${p}queue_paused`, 'gauge', '1 while delivery is paused.', [['', s.paused ? 1 : 0]]),
      family(`${p}tasks_received_total`, 'counter', 'Triggers received.', [['', s.received]]),
      family(`${p}tasks_deduplicated_total`, 'counter', 'Triggers that matched an existing idempotency key.', [
        ['', s.deduplicated],
      ]),
      family(`${p}tasks_delivered_total`, 'counter', 'Tasks delivered.', [['', s.successful]]),
      family(`${p}tasks_dead_total`, 'counter', 'Tasks that went to the dead-letter queue.', [['', s.failed]]),
      family(`${p}delivery_attempts_failed_total`, 'counter', 'Failed delivery attempts.', [['', s.failedAttempts]]),
      family(`${p}tasks_retried_total`, 'counter', 'Retries scheduled.', [['', s.retries]]),
      family(`${p}tasks_rate_limited_total`, 'counter', 'Tasks deferred by a category rate limit.', [
        ['', s.rateLimited],
      ]),
    ].join('\n') + '\n'
  );
}

/** Request counters kept by the handler: by route group and status code. */
export class HttpCounters {
  readonly #counts = new Map<string, number>();
  readonly #events = new Map<string, number>();

  /** A hook delivery answered without queueing: GitHub's ping, or an event not in `hooks.NAME.events`. */
  hookEvent(hook: string, outcome: 'ping' | 'ignored'): void {
    const key = `${hook}\u0000${outcome}`;
    this.#events.set(key, (this.#events.get(key) ?? 0) + 1);
  }

  /** Deliveries of `hook` answered with `outcome` so far. */
  hookEvents(hook: string, outcome: 'ping' | 'ignored'): number {
    return this.#events.get(`${hook}\u0000${outcome}`) ?? 0;
  }

  count(route: string, status: number): void {
    const key = `${route}\u0000${status}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  format(): string {
    const samples: Sample[] = [...this.#counts].map(([key, n]) => {
      const [route = '', code = ''] = key.split('\u0000');
      return [`{route="${route}",code="${code}"}`, n];
    });
    const events: Sample[] = [...this.#events].map(([key, n]) => {
      const [hook = '', outcome = ''] = key.split('\u0000');
      return [`{hook="${hook}",outcome="${outcome}"}`, n];
    });
    return (
      family('webhook_tui_http_requests_total', 'counter', 'HTTP requests by route and status code.', samples) +
      '\n' +
      family(
        'webhook_tui_hook_events_unqueued_total',
        'counter',
        "Hook deliveries answered without queueing: GitHub's ping, or an event not in hooks.NAME.events.",
        events,
      ) +
      '\n'
    );
  }
}

/** Group-commit counters of the HTTP intake (CommitBatcher). */
export function formatBatchMetrics(commits: number, requests: number): string {
  return (
    [
      family(
        'webhook_tui_http_group_commits_total',
        'counter',
        'Group commits made for HTTP requests (0 without EngineApi.enqueueMany).',
        [['', commits]],
      ),
      family('webhook_tui_http_group_committed_total', 'counter', 'HTTP requests committed through group commits.', [
        ['', requests],
      ]),
    ].join('\n') + '\n'
  );
}
