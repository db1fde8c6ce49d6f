/**
 * Prometheus text exposition format 0.0.4 (`Content-Type: text/plain; version=0.0.4; charset=utf-8`).
 * Names: `webhook_tui_*` with base units (seconds, bytes) and `_total` on counters; the engine process uses the
 * standard `process_*` names. Labels have bounded values only (states, stages, rules, configured targets/dirs).
 */
import type { QueueStats } from '../types.js';
import { ALERT_RULES, type ActiveAlert, type HealthResult, type ResourceSample, type Stage } from './types.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;
type MetricType = 'counter' | 'gauge' | 'histogram';

export interface PromHistogram {
  /** Cumulative [le seconds, count], ending with [Infinity, count]. */
  buckets: Array<[number, number]>;
  sum: number;
  count: number;
}

export interface PrometheusInput {
  stats: QueueStats;
  histograms: Record<Stage, PromHistogram>;
  resources: ResourceSample | null;
  health: HealthResult | null;
  alerts: ActiveAlert[];
  /** Engine process start, epoch ms. */
  processStartMs: number;
  /** Total CPU seconds (user + system) of the engine process. */
  cpuSeconds: number;
  notifications: { sent: number; failed: number; dropped: number };
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Accumulates metric families; each family's HELP and TYPE precede its samples. */
export class PromWriter {
  private readonly lines: string[] = [];

  family(name: string, type: MetricType, help: string, samples: Array<[Labels, number]>): this {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    return this;
  }

  histogram(name: string, help: string, h: PromHistogram): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [le, count] of h.buckets) this.lines.push(`${name}_bucket{le="${formatValue(le)}"} ${count}`);
    this.lines.push(`${name}_sum ${formatValue(h.sum)}`, `${name}_count ${h.count}`);
    return this;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

const STAGE_METRICS: Array<[Stage, string, string]> = [
  ['intake', 'webhook_tui_intake_duration_seconds', 'Time from trigger received to task committed.'],
  ['wait', 'webhook_tui_queue_wait_duration_seconds', 'Time from task committed to its (last) delivery start.'],
  ['delivery', 'webhook_tui_delivery_duration_seconds', 'Time from delivery start to delivered (typed and confirmed).'],
  ['endToEnd', 'webhook_tui_end_to_end_duration_seconds', 'Time from trigger received to delivered.'],
];

const HEALTH_VALUE = { HEALTHY: 0, DEGRADED: 1, UNHEALTHY: 2 } as const;

export function formatPrometheus(input: PrometheusInput): string {
  const { stats: s, resources: r } = input;
  const w = new PromWriter()
    .family('webhook_tui_tasks_received_total', 'counter', 'Triggers accepted into the queue.', [[{}, s.received]])
    .family('webhook_tui_tasks_deduplicated_total', 'counter', 'Triggers ignored as repeats of an idempotency key.', [
      [{}, s.deduplicated],
    ])
    .family(
      'webhook_tui_triggers_rejected_total',
      'counter',
      'Triggers rejected at intake (spool files moved to rejected/, legacy triggers), by reason code.',
      Object.entries(s.rejectedByReason ?? {}).map(([reason, n]) => [{ reason }, n]),
    )
    .family('webhook_tui_deliveries_total', 'counter', 'Tasks that reached a final delivery outcome.', [
      [{ outcome: 'delivered' }, s.successful],
      [{ outcome: 'dead' }, s.failed],
    ])
    .family('webhook_tui_delivery_attempts_failed_total', 'counter', 'Failed delivery attempts, retried or not.', [
      [{}, s.failedAttempts],
    ])
    .family('webhook_tui_retries_total', 'counter', 'Delivery retries scheduled.', [[{}, s.retries]])
    .family('webhook_tui_rate_limited_total', 'counter', 'Tasks deferred by a rate limit.', [[{}, s.rateLimited]])
    .family(
      'webhook_tui_queue_tasks',
      'gauge',
      'Tasks per state.',
      Object.entries(s.depth).map(([state, n]) => [{ state }, n]),
    )
    .family('webhook_tui_queue_pending', 'gauge', 'Tasks waiting for delivery (queued, delivering, retrying).', [
      [{}, s.pending],
    ])
    .family('webhook_tui_queue_capacity', 'gauge', 'Maximum pending tasks.', [[{}, s.capacity]])
    .family('webhook_tui_queue_oldest_pending_age_seconds', 'gauge', 'Age of the oldest pending task.', [
      [{}, s.oldestPendingAgeMs / 1000],
    ])
    .family('webhook_tui_queue_paused', 'gauge', '1 while the queue is paused.', [[{}, s.paused ? 1 : 0]]);
  if (s.storage) {
    w.family('webhook_tui_database_bytes', 'gauge', 'Size of the SQLite database file.', [
      [{}, s.storage.databaseBytes],
    ])
      .family('webhook_tui_wal_bytes', 'gauge', 'Size of the SQLite write-ahead log.', [[{}, s.storage.walBytes]])
      .family('webhook_tui_wal_limit_bytes', 'gauge', 'WAL size past which it is checkpointed (queue.walLimitBytes).', [
        [{}, s.storage.walLimitBytes],
      ]);
  }
  for (const [stage, name, help] of STAGE_METRICS) w.histogram(name, help, input.histograms[stage]);
  w.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time of the engine process in seconds.', [
    [{}, input.cpuSeconds],
  ]).family('process_start_time_seconds', 'gauge', 'Start time of the engine process since unix epoch in seconds.', [
    [{}, Math.round(input.processStartMs / 1000)],
  ]);
  if (r) {
    w.family('process_resident_memory_bytes', 'gauge', 'Resident memory of the engine process.', [
      [{}, r.engine.rssBytes],
    ])
      .family('webhook_tui_heap_used_bytes', 'gauge', 'V8 heap used by the engine.', [[{}, r.engine.heapUsedBytes]])
      .family(
        'webhook_tui_event_loop_delay_p99_seconds',
        'gauge',
        'Event-loop delay P99 over the last sample interval.',
        [[{}, r.engine.eventLoopDelayP99Ms / 1000]],
      )
      .family('webhook_tui_watched_processes', 'gauge', 'tmux server and pane processes sampled.', [
        [{}, r.watched.length],
      ])
      .family('webhook_tui_watched_cpu_ratio', 'gauge', 'CPU of the watched processes (1 = one core).', [
        [{}, r.watchedTotal.cpuPercent / 100],
      ])
      .family('webhook_tui_watched_resident_memory_bytes', 'gauge', 'Resident memory of the watched processes.', [
        [{}, r.watchedTotal.rssBytes],
      ])
      .family('webhook_tui_system_load1', 'gauge', 'System load average over 1 minute.', [[{}, r.system.loadAvg[0]]])
      .family('webhook_tui_system_memory_free_bytes', 'gauge', 'Free system memory.', [[{}, r.system.freeMemBytes]])
      .family(
        'webhook_tui_disk_free_bytes',
        'gauge',
        'Free bytes on the filesystems of the data and spool dirs.',
        r.system.disks.map((d) => [{ path: d.path }, d.freeBytes]),
      );
  }
  if (input.health) {
    w.family('webhook_tui_health_status', 'gauge', 'Overall health: 0 healthy, 1 degraded, 2 unhealthy.', [
      [{}, HEALTH_VALUE[input.health.status]],
    ]).family(
      'webhook_tui_health_check_ok',
      'gauge',
      '1 when the named health check passes.',
      input.health.checks.map((c) => [{ check: c.name }, c.status === 'pass' ? 1 : 0]),
    );
  }
  const active = new Set(input.alerts.map((a) => a.rule));
  w.family(
    'webhook_tui_alert_active',
    'gauge',
    '1 while the alert rule is firing.',
    ALERT_RULES.map((rule) => [{ rule }, active.has(rule) ? 1 : 0]),
  ).family('webhook_tui_alert_notifications_total', 'counter', 'Outbound alert webhook notifications by result.', [
    [{ result: 'sent' }, input.notifications.sent],
    [{ result: 'failed' }, input.notifications.failed],
    [{ result: 'dropped' }, input.notifications.dropped],
  ]);
  return w.text();
}
