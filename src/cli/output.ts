import { printable } from '../engine/text-safety.js';
import type { QueueStats, Task } from '../engine/types.js';

export interface Out {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Out = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** A short age: 850ms, 12.5s, 3m07s, 2h05m, 4d03h (rounded first, so 59.99 s is 1m00s, never 60.0s). */
export function formatAge(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (Math.round(ms / 100) < 600) return `${(Math.round(ms / 100) / 10).toFixed(1)}s`;
  const two = (n: number) => String(n).padStart(2, '0');
  const secs = Math.round(ms / 1000);
  if (secs < 3600) return `${Math.floor(secs / 60)}m${two(secs % 60)}s`;
  const mins = Math.round(ms / 60_000);
  if (mins < 1440) return `${Math.floor(mins / 60)}h${two(mins % 60)}m`;
  const hours = Math.round(ms / 3_600_000);
  return `${Math.floor(hours / 24)}d${two(hours % 24)}h`;
}

export function formatStats(s: QueueStats): string {
  const d = s.depth;
  return [
    `queue:      ${s.paused ? 'PAUSED' : 'running'}, ${s.pending}/${s.capacity} pending (queued ${d.queued}, delivering ${d.delivering}, retrying ${d.retrying})`,
    `finished:   delivered ${d.delivered}, dead ${d.dead}, dropped ${d.dropped}; watched: working ${d.working}, completed ${d.completed}, stalled ${d.stalled}`,
    `processed:  ${s.totalProcessed} (successful ${s.successful}, failed ${s.failed}); failed attempts ${s.failedAttempts}, retries ${s.retries}`,
    `received:   ${s.received} (deduplicated ${s.deduplicated}, rate limited ${s.rateLimited})`,
    `rejected:   ${s.rejected ?? 0}${rejectedReasons(s.rejectedByReason)}`,
    `timing:     avg processing ${s.avgProcessingMs.toFixed(2)} ms, avg end to end ${s.avgEndToEndMs.toFixed(2)} ms`,
    `peak queue: ${s.peakQueueSize}; oldest pending ${s.oldestPendingAgeMs ? formatAge(s.oldestPendingAgeMs) : '-'}`,
    ...(s.callbacks
      ? [
          `callbacks:  pending ${s.callbacks.pending} (${s.callbacks.retrying} failing, retried), sent ${s.callbacks.sent}, given up ${s.callbacks.failed}${s.callbacks.lastError ? `; last error: ${s.callbacks.lastError}` : ''}`,
        ]
      : []),
    ...(s.storage
      ? [
          `storage:    database ${mib(s.storage.databaseBytes)}, WAL ${mib(s.storage.walBytes)} (checkpointed past ${mib(s.storage.walLimitBytes)})`,
        ]
      : []),
    ...(s.cluster ? [formatClusterLine(s.cluster)] : []),
  ].join('\n');
}

/** This node in the cluster, one line (status). */
function formatClusterLine(c: NonNullable<QueueStats['cluster']>): string {
  const by = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ') || 'none';
  const state = c.state === 'connected' ? 'Redis connected' : `${c.state.toUpperCase()}: ${c.reason ?? ''}`;
  return `cluster:    node ${c.node}, ${state} (${c.redis}); backlog ${c.backlog}; forwarded ${by(c.forwarded)}; received ${by(c.received)}; refused ${c.rejected}`;
}

function rejectedReasons(by: Record<string, number> | undefined): string {
  const parts = Object.entries(by ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code.replace(/^WHT_ERR_/, '')} ${n}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 2 : 0)} MiB`;
}

export function formatTasks(tasks: Task[], now = Date.now()): string {
  if (!tasks.length) return '(no tasks)';
  const cols = (id: string, state: string, pri: string, target: string, age: string, tries: string, cmd: string) =>
    `${id.padEnd(7)} ${state.padEnd(11)} ${pri.padStart(4)} ${target.padEnd(13)} ${age.padEnd(8)} ${tries.padStart(5)}  ${cmd}`;
  const header = cols('ID', 'STATE', 'PRI', 'TARGET', 'AGE', 'TRIES', 'COMMAND');
  const rows = tasks.map((t) =>
    cols(
      String(t.id),
      t.state,
      String(t.priority),
      t.target.slice(0, 13),
      formatAge(now - t.receivedAt),
      String(t.attempts),
      printable(t.text, 60),
    ),
  );
  return [header, ...rows].join('\n');
}

export function formatDead(tasks: Task[], now = Date.now()): string {
  if (!tasks.length) return '(dead-letter queue is empty)';
  return tasks
    .map((t) => {
      const last = t.errors[t.errors.length - 1];
      return `#${t.id} target=${t.target} tries=${t.attempts} age=${formatAge(now - t.receivedAt)}\n  command: ${printable(t.text, 100)}\n  error:   ${last ? `${last.code}: ${last.message}` : '-'}`;
    })
    .join('\n');
}

const when = (at: number | null | undefined): string => (at ? new Date(at).toISOString() : '-');

/** One task in full (`tasks show ID`): fields, stages, errors, the size of its output. */
export function formatTask(t: Task): string {
  const took = t.completedAt && t.deliveredAt ? ` (took ${formatAge(t.completedAt - t.deliveredAt)})` : '';
  const lines = [
    `task ${t.id}: ${t.state}`,
    `target:     ${t.target}   priority ${t.priority}   category ${t.category}   source ${t.source}`,
    `key:        ${t.idemKey ?? '-'}   attempts ${t.attempts}`,
    `received:   ${when(t.receivedAt)}`,
    `delivered:  ${when(t.deliveredAt)}`,
    ...(t.workingAt ? [`working:    ${when(t.workingAt)}`] : []),
    ...(t.completedAt ? [`completed:  ${when(t.completedAt)}${took}`] : []),
    `finished:   ${when(t.finishedAt)}`,
    ...(t.exitCode !== null && t.exitCode !== undefined ? [`exit code:  ${t.exitCode}`] : []),
    ...(t.callback ? [`callback:   ${t.callback.url} (${t.callback.events.join(', ')})`] : []),
    `command:    ${printable(t.text, 200)}`,
    ...t.errors.map((e) => `error:      #${e.attempt} ${e.code}: ${e.message}`),
    `output:     ${t.outputBytes ?? 0} bytes${t.outputBytes ? ' (--output prints it)' : ''}`,
  ];
  return lines.join('\n');
}
