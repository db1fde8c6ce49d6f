import { printable } from '../engine/delivery/text-safety.js';
import type { QueueStats, Task } from '../engine/types.js';

export interface Out {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Out = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.round((s % 86_400) / 3600)}h`;
}

export function formatStats(s: QueueStats): string {
  const d = s.depth;
  return [
    `queue:      ${s.paused ? 'PAUSED' : 'running'}, ${s.pending}/${s.capacity} pending (queued ${d.queued}, delivering ${d.delivering}, retrying ${d.retrying})`,
    `finished:   delivered ${d.delivered}, dead ${d.dead}, dropped ${d.dropped}`,
    `processed:  ${s.totalProcessed} (successful ${s.successful}, failed ${s.failed}); failed attempts ${s.failedAttempts}, retries ${s.retries}`,
    `received:   ${s.received} (deduplicated ${s.deduplicated}, rate limited ${s.rateLimited})`,
    `timing:     avg processing ${s.avgProcessingMs.toFixed(2)} ms, avg end to end ${s.avgEndToEndMs.toFixed(2)} ms`,
    `peak queue: ${s.peakQueueSize}; oldest pending ${s.oldestPendingAgeMs ? formatAge(s.oldestPendingAgeMs) : '-'}`,
  ].join('\n');
}

export function formatTasks(tasks: Task[], now = Date.now()): string {
  if (!tasks.length) return '(no tasks)';
  const header = 'ID      STATE       PRI  TARGET        AGE      TRIES  COMMAND';
  const rows = tasks.map((t) => [
    String(t.id).padEnd(7), t.state.padEnd(11), String(t.priority).padStart(3), ' ', t.target.slice(0, 13).padEnd(13),
    formatAge(now - t.receivedAt).padEnd(8), String(t.attempts).padStart(5), ' ', printable(t.text, 60),
  ].join(' ').replace(/ {2}(?=\S)/g, '  '));
  return [header, ...rows].join('\n');
}

export function formatDead(tasks: Task[], now = Date.now()): string {
  if (!tasks.length) return '(dead-letter queue is empty)';
  return tasks.map((t) => {
    const last = t.errors[t.errors.length - 1];
    return `#${t.id} target=${t.target} tries=${t.attempts} age=${formatAge(now - t.receivedAt)}\n  command: ${printable(t.text, 100)}\n  error:   ${last ? `${last.code}: ${last.message}` : '-'}`;
  }).join('\n');
}
