/**
 * Readable form of the monitor block for `webhook-tui status` (without --json). Pure: snapshot in, text out.
 */
import { STAGES, type LatencySummary, type MonitorSnapshot, type Stage } from './types.js';

const STAGE_LABEL: Record<Stage, string> = {
  intake: 'intake',
  wait: 'wait',
  delivery: 'delivery',
  endToEnd: 'end to end',
};

export function formatMs(ms: number): string {
  if (ms === 0) return '-';
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

const lat = (s: LatencySummary) =>
  s.count === 0
    ? 'no samples'
    : `p50 ${formatMs(s.p50Ms)}  p95 ${formatMs(s.p95Ms)}  p99 ${formatMs(s.p99Ms)}  max ${formatMs(s.maxMs)}  (n=${s.count})`;
const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);

export function formatMonitorStatus(m: MonitorSnapshot): string {
  const out: string[] = [];
  const h = m.health;
  out.push(
    `Health: ${h ? h.status : 'not checked yet'}${h && h.failing.length > 0 ? `  (failing: ${h.failing.join(', ')})` : ''}`,
  );
  for (const c of h?.checks.filter((c) => c.status !== 'pass') ?? [])
    out.push(`  ${c.status.toUpperCase()} ${c.name}: ${c.message}`);
  const q = m.queue;
  out.push(
    `Queue: ${q.pending}/${q.capacity} pending (queued ${q.depth.queued}, delivering ${q.depth.delivering}, retrying ${q.depth.retrying}), ` +
      `dead ${q.dead}, oldest ${formatMs(q.oldestPendingAgeMs)}${q.paused ? ', PAUSED' : ''}`,
  );
  const t = m.throughput;
  out.push(
    `Throughput (last min): ${t.lastMinute.receivedPerSec.toFixed(2)}/s in, ${t.lastMinute.deliveredPerSec.toFixed(2)}/s delivered, ` +
      `${t.lastMinute.failedPerSec.toFixed(2)}/s dead; success ${pct(t.successRate)}, errors ${pct(t.errorRate)}`,
  );
  out.push('Latency (last minute | since start):');
  for (const s of STAGES)
    out.push(`  ${STAGE_LABEL[s].padEnd(10)} ${lat(m.latency[s].lastMinute)}  |  ${lat(m.latency[s].sinceStart)}`);
  const r = m.resources;
  if (r) {
    out.push(
      `Engine: CPU ${r.engine.cpuPercent.toFixed(1)}%, RSS ${formatBytes(r.engine.rssBytes)}, heap ${formatBytes(r.engine.heapUsedBytes)}, ` +
        `event-loop p99 ${formatMs(r.engine.eventLoopDelayP99Ms)}`,
    );
    out.push(
      `tmux (${r.watched.length} processes): CPU ${r.watchedTotal.cpuPercent.toFixed(1)}%, RSS ${formatBytes(r.watchedTotal.rssBytes)}`,
    );
    const disks = r.system.disks
      .map((d) => `${d.path} ${formatBytes(d.freeBytes)} free (${d.freePercent.toFixed(0)}%)`)
      .join(', ');
    out.push(
      `System: load ${r.system.loadAvg.map((l) => l.toFixed(2)).join(' ')}, free memory ${formatBytes(r.system.freeMemBytes)}${disks ? `, ${disks}` : ''}`,
    );
  }
  out.push(`Alerts: ${m.alerts.active.length === 0 ? 'none active' : ''}`);
  for (const a of m.alerts.active)
    out.push(`  ${a.severity.toUpperCase()} ${a.rule} since ${new Date(a.since).toISOString()}: ${a.message}`);
  return out.join('\n') + '\n';
}
