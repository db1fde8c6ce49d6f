/** View-models for the status line, metrics (gauges + sparklines), latency table, alerts, history chart and footer. */
import type { EngineSnapshot, TargetStatus } from '../engine/types.js';
import type { StyledLine, Tone } from '../widgets/styled.js';
import {
  bar,
  displayWidth,
  formatBytes,
  formatClock,
  formatMs,
  formatRate,
  padEnd,
  padStart,
  sanitize,
  sparkline,
  truncate,
} from './format.js';
import type { HistoryPointLike, LatencySummaryLike, MonitorView, Stage } from './monitor-view.js';
import { STAGES } from './monitor-view.js';
import type { UiState } from './state.js';

export interface StatusInput {
  now: number;
  mode: 'embedded' | 'attached';
  snapshot: EngineSnapshot | null;
  monitor: MonitorView;
  frozen: boolean;
  /** Attached mode: the control socket answers. */
  connected: boolean;
}

/** A target as delivery judges it: `name:ready`, `name:busy`, `name:not-ready (the reason)`, `name:missing`, ... */
function targetSeg(t: TargetStatus): { text: string; tone: Tone } {
  const tone: Tone = t.state === 'ready' ? 'ok' : t.state === 'missing' ? 'bad' : 'warn';
  const why = t.state === 'not-ready' && t.reason ? ` (${sanitize(truncate(t.reason, 48))})` : '';
  return { text: `${t.name}:${t.state}${why}`, tone };
}

const HEALTH_TONE: Record<string, Tone> = { HEALTHY: 'ok', DEGRADED: 'warn', UNHEALTHY: 'bad' };

/** Status line(s): PAUSED first and unmissable, then mode, health, uptime, queue, targets. */
export function statusLines(s: StatusInput, width: number, rows: number): StyledLine[] {
  const snap = s.snapshot;
  const state: StyledLine = [];
  if (!snap)
    state.push({
      text: s.mode === 'attached' ? ' CONNECTING ' : ' STARTING ',
      tone: 'warn',
      bold: true,
      inverse: true,
    });
  else if (snap.paused) state.push({ text: ' PAUSED ', tone: 'bad', bold: true, inverse: true });
  else state.push({ text: ' RUNNING ', tone: 'ok', bold: true });
  if (s.frozen) state.push({ text: ' ' }, { text: ' FROZEN ', tone: 'warn', bold: true, inverse: true });
  if (s.mode === 'attached' && !s.connected)
    state.push({ text: ' ' }, { text: ' DISCONNECTED ', tone: 'bad', bold: true, inverse: true });
  const info: StyledLine = [{ text: ` ${s.mode}` }];
  const health = s.monitor.health;
  if (health)
    info.push({ text: ' ' }, { text: health.status.toLowerCase(), tone: HEALTH_TONE[health.status] ?? 'warn' });
  if (snap) {
    info.push({ text: ` up ${formatMs(s.now - snap.startedAt)}` });
    info.push({ text: ` pend ${snap.stats.pending}/${snap.stats.capacity}` });
    if (snap.stats.depth.dead > 0) info.push({ text: ' dead ' }, { text: String(snap.stats.depth.dead), tone: 'bad' });
    const cb = snap.stats.callbacks;
    if (cb && cb.failed + cb.retrying > 0)
      info.push({ text: ' callbacks ' }, { text: `failing ${cb.retrying}+${cb.failed}`, tone: 'bad' });
  }
  if (snap?.stats.cluster) info.push(...clusterSegs(snap.stats.cluster));
  const nAlerts = s.monitor.alerts.active.length;
  if (nAlerts > 0) info.push({ text: ' ' }, { text: `alerts ${nAlerts}`, tone: 'bad', bold: true });
  const targets: StyledLine = [];
  for (const t of snap?.targets ?? []) targets.push({ text: ' ' }, targetSeg(t));
  for (const t of remoteTargets(snap?.stats.cluster)) targets.push({ text: ' ' }, t);
  const clock: StyledLine = [{ text: ` ${formatClock(s.now)}Z`, tone: 'dim' }];
  if (rows >= 2) return [fit([...state, ...info], width), fit([...targets.slice(1), ...clock], width)];
  return [fit([...state, ...info, { text: ' |' }, ...targets, ...clock], width)];
}

type ClusterInfo = NonNullable<EngineSnapshot['stats']['cluster']>;

/** Cluster mode: `cluster NODE 2/3 up`, Redis state when it is not connected, the forward backlog. */
export function clusterSegs(c: ClusterInfo): StyledLine {
  const nodes = c.nodes ?? [];
  const up = nodes.filter((n) => n.alive).length;
  const out: StyledLine = [{ text: ' cluster ' }, { text: c.node, bold: true }];
  if (nodes.length) out.push({ text: ` ${up}/${nodes.length} up`, tone: up === nodes.length ? 'ok' : 'warn' });
  if (c.state !== 'connected') out.push({ text: ' ' }, { text: `redis ${c.state}`, tone: 'bad', bold: true });
  if (c.backlog > 0) out.push({ text: ' backlog ' }, { text: String(c.backlog), tone: 'warn' });
  return out;
}

/** Other nodes' targets, marked `name@node:state` (dim: the node is down). */
export function remoteTargets(c: ClusterInfo | undefined): Array<{ text: string; tone: Tone }> {
  if (!c?.nodes) return [];
  return c.nodes
    .filter((n) => n.node !== c.node)
    .flatMap((n) =>
      n.targets.map((t) => ({
        text: `${sanitize(t.name)}@${sanitize(n.node)}:${n.alive ? sanitize(t.state) : 'down'}`,
        tone: (!n.alive ? 'dim' : t.state === 'ready' ? 'ok' : 'warn') as Tone,
      })),
    );
}

/** The cluster panel (`c`): this node and Redis, then every node with its health, backlog and targets. */
export function clusterLines(c: ClusterInfo | undefined, width: number): StyledLine[] {
  if (!c) return [[{ text: 'Cluster mode is off (cluster.redis is not set; see README: Cluster).', tone: 'dim' }]];
  const fwd =
    Object.entries(c.forwarded)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ') || 'none';
  const rcv =
    Object.entries(c.received)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ') || 'none';
  const lines: StyledLine[] = [
    [
      { text: 'this node ', bold: true },
      { text: c.node, bold: true },
      { text: `  ${sanitize(c.redis)}  ` },
      { text: c.state, tone: c.state === 'connected' ? 'ok' : 'bad', bold: c.state !== 'connected' },
      ...(c.reason && c.state !== 'connected'
        ? [{ text: ` ${sanitize(truncate(c.reason, 60))}`, tone: 'dim' as Tone }]
        : []),
    ],
    [{ text: `backlog ${c.backlog}  forwarded ${fwd}  received ${rcv}  refused ${c.rejected}` }],
    [],
  ];
  for (const n of c.nodes ?? []) {
    lines.push([
      { text: padEnd(sanitize(n.node), 14), bold: true },
      { text: n.alive ? 'up  ' : 'DOWN', tone: n.alive ? 'ok' : 'bad', bold: !n.alive },
      { text: `  health ${sanitize(n.health)}`, tone: HEALTH_TONE[n.health] ?? 'dim' },
      { text: `  backlog ${n.backlog}`, tone: n.backlog > 0 ? 'warn' : undefined },
    ]);
    for (const t of n.targets)
      lines.push([
        { text: `    ${sanitize(t.name)}${t.pool ? ` (pool ${sanitize(t.pool)})` : ''}: ` },
        { text: n.alive ? sanitize(t.state) : 'down', tone: !n.alive ? 'dim' : t.state === 'ready' ? 'ok' : 'warn' },
        { text: `, ${t.depth} queued`, tone: 'dim' },
      ]);
  }
  if (!c.nodes?.length) lines.push([{ text: 'No node records read yet.', tone: 'dim' }]);
  return lines.map((l) => fit(l, width));
}

/** Cut a styled line to `width` columns. */
export function fit(line: StyledLine, width: number): StyledLine {
  const out: StyledLine = [];
  let left = width;
  for (const seg of line) {
    if (left <= 0) break;
    const text = displayWidth(seg.text) > left ? truncate(seg.text, left) : seg.text;
    out.push({ ...seg, text });
    left -= displayWidth(text);
  }
  return out;
}

export interface MetricsInput {
  monitor: MonitorView;
  snapshot: EngineSnapshot | null;
  /** End-to-end latency per second (max), oldest first. */
  e2eSeries: readonly number[];
}

function pctTone(f: number | null, warnAt: number, badAt: number): Tone {
  if (f === null) return 'dim';
  return f >= badAt ? 'bad' : f >= warnAt ? 'warn' : 'ok';
}

/** Four gauges (CPU, memory, queue fill, success rate) beside three sparklines (in/s, out/s, latency). */
export function metricsLines(m: MetricsInput, width: number): StyledLine[] {
  const gw = Math.min(34, Math.floor(width * 0.55));
  const barW = Math.max(4, gw - 12);
  const sw = width - gw - 1;
  const mon = m.monitor;
  const stats = m.snapshot?.stats;
  const cpu = mon.cpuPercent === null ? null : mon.cpuPercent / 100;
  const mem = mon.rssBytes !== null && mon.totalMemBytes ? mon.rssBytes / mon.totalMemBytes : null;
  const fill = stats && stats.capacity > 0 ? stats.pending / stats.capacity : null;
  const ok = mon.successRate;
  const gauges: [string, number | null, string, Tone][] = [
    ['cpu', cpu, mon.cpuPercent === null ? 'n/a' : `${mon.cpuPercent.toFixed(1)}%`, pctTone(cpu, 0.5, 0.9)],
    ['mem', mem, formatBytes(mon.rssBytes), pctTone(mem, 0.5, 0.8)],
    ['queue', fill, stats ? `${stats.pending}` : '-', pctTone(fill, 0.5, 0.9)],
    [
      'ok',
      ok,
      ok === null ? '-' : `${(ok * 100).toFixed(ok === 1 ? 0 : 1)}%`,
      ok === null ? 'dim' : ok >= 0.99 ? 'ok' : ok >= 0.9 ? 'warn' : 'bad',
    ],
  ];
  const last = (xs: readonly number[]): number => xs[xs.length - 1] ?? 0;
  const prev = (xs: readonly number[]): number => (xs.length >= 2 ? (xs[xs.length - 2] ?? 0) : last(xs));
  const sparks: [string, readonly number[], string, Tone][] = [
    ['in', mon.received, `${formatRate(prev(mon.received))}/s`, 'info'],
    ['out', mon.delivered, `${formatRate(prev(mon.delivered))}/s`, 'ok'],
    ['lat', m.e2eSeries, formatMs(Math.max(0, ...m.e2eSeries.slice(-5))), 'accent'],
    ['fail', mon.failed, `${mon.failed.reduce((a, b) => a + b, 0)}/m`, mon.failed.some((x) => x > 0) ? 'bad' : 'dim'],
  ];
  return gauges.map(([name, f, label, tone], i): StyledLine => {
    const left: StyledLine = [
      { text: padEnd(name, 6) },
      { text: bar(f, barW), tone },
      { text: ' ' + padStart(label, 5) },
    ];
    const sp = sparks[i];
    if (!sp || sw < 12) return fit(left, width);
    const [sname, series, slabel, stone] = sp;
    const lw = 6;
    const graphW = Math.max(0, sw - 5 - lw - 1);
    return fit(
      [
        ...left,
        { text: ' ' },
        { text: padEnd(sname, 5) },
        { text: sparkline(series, graphW), tone: stone },
        { text: ' ' + padStart(slabel, lw) },
      ],
      width,
    );
  });
}

const STAGE_LABEL: Record<Stage, string> = { intake: 'intake', wait: 'wait', delivery: 'deliver', endToEnd: 'e2e' };

/** Latency table: P50/P95/P99/max per stage, last minute and (when wide enough) since start. */
export function percentileLines(latency: MonitorView['latency'], width: number): StyledLine[] {
  const cw = 6;
  const lw = 7;
  const both = width >= lw + cw * 8 + 3;
  const cells = (s: LatencySummaryLike): string =>
    s.count === 0
      ? ['-', '-', '-', '-'].map((x) => padStart(x, cw)).join('')
      : [s.p50Ms, s.p95Ms, s.p99Ms, s.maxMs].map((x) => padStart(formatMs(x), cw)).join('');
  const head = ['p50', 'p95', 'p99', 'max'].map((x) => padStart(x, cw)).join('');
  const header: StyledLine = [
    { text: padEnd('1m', lw), bold: true },
    { text: head, bold: true },
  ];
  if (both) header.push({ text: ' |all', bold: true }, { text: head.slice(2), bold: true });
  const rows = STAGES.map((st): StyledLine => {
    const l = latency[st];
    const line: StyledLine = [
      { text: padEnd(STAGE_LABEL[st], lw) },
      { text: cells(l.lastMinute), tone: st === 'endToEnd' ? 'accent' : undefined },
    ];
    if (both) line.push({ text: ' | ' }, { text: cells(l.sinceStart), tone: 'dim' });
    return fit(line, width);
  });
  return [fit(header, width), ...rows];
}

/** Active alerts first (severity-coloured), then recent transitions. */
export function alertLines(alerts: MonitorView['alerts'], filter: string, width: number, now: number): StyledLine[] {
  const f = filter.trim().toLowerCase();
  const lines: StyledLine[] = [];
  for (const a of alerts.active) {
    const text = sanitize(`${a.severity.toUpperCase()} ${a.rule} ${formatMs(now - a.since)}: ${a.message}`);
    if (f && !text.toLowerCase().includes(f)) continue;
    lines.push(fit([{ text, tone: a.severity === 'critical' ? 'bad' : 'warn', bold: true }], width));
  }
  for (const t of alerts.recent) {
    const text = sanitize(`${formatClock(t.at)} ${t.state} ${t.rule}: ${t.message}`);
    if (f && !text.toLowerCase().includes(f)) continue;
    lines.push(fit([{ text, tone: t.state === 'resolved' ? 'dim' : 'warn' }], width));
  }
  if (lines.length === 0) lines.push([{ text: f ? 'No alerts match the filter.' : 'No alerts.', tone: 'dim' }]);
  return lines;
}

export interface ChartSeries {
  title: string;
  x: string[];
  y: number[];
  tone: 'info' | 'accent';
}

/** History chart series: throughput per bucket (per minute) and end-to-end P95 latency (ms), oldest first. */
export function historySeries(points: readonly HistoryPointLike[]): ChartSeries[] {
  const x = points.map((p) => formatClock(p.at).slice(0, 5));
  return [
    { title: 'out/min', x, y: points.map((p) => (p.delivered * 60_000) / Math.max(1, p.resolutionMs)), tone: 'info' },
    { title: 'p95 ms', x, y: points.map((p) => p.latency.endToEnd.p95Ms), tone: 'accent' },
  ];
}

/** Footer: a prompt, a flash message, or key hints. */
export function footerLine(ui: UiState, width: number, now: number): StyledLine {
  if (ui.prompt?.kind === 'confirm')
    return fit(
      [
        { text: ` ${ui.prompt.message} `, tone: 'warn', bold: true, inverse: true },
        { text: ' y = yes, any other key = no' },
      ],
      width,
    );
  if (ui.prompt?.kind === 'filter')
    return fit(
      [
        { text: ` filter ${ui.prompt.list}: `, bold: true },
        { text: `${ui.prompt.text}_` },
        { text: '  Enter apply, Esc clear', tone: 'dim' },
      ],
      width,
    );
  if (ui.flash && ui.flash.until > now) return fit([{ text: ` ${ui.flash.text}`, tone: ui.flash.tone }], width);
  const hints =
    width >= 100
      ? ' q quit  ? help  Tab/1-5 focus  j/k move  Enter detail  p pause  r retry  R retry all  d drop  / filter  e export  f freeze'
      : ' q quit  ? help  Tab focus  p pause  r retry  d drop  / filter';
  return fit([{ text: hints, tone: 'dim' }], width);
}
