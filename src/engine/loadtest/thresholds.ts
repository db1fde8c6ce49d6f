/**
 * k6-style pass/fail thresholds: `--threshold 'p95<500ms'`, `'errors<1%'`, `'e2e.p99<50ms'`. Pure.
 * Metric names: latency avg|min|p50|med|p90|p95|p99|p99.9|max (ms unless `us`/`s`), `e2e.` + the same (end to end),
 * errors (a rate: `1%` or `0.01`), failed (count), late (count, or `%` of sends), rps (achieved requests/s),
 * e2e.lost|e2e.duplicated|e2e.reordered (count, or `%` of acknowledged).
 */
import { WhtError } from '../errors.js';

export type Op = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  /** As written. */
  source: string;
  metric: string;
  op: Op;
  /** In the metric's base unit (ms for latencies; a fraction for `%` and rates). */
  value: number;
  percent: boolean;
}

export interface ThresholdResult extends Threshold {
  /** null when the run has no such figure (e.g. e2e.* without end to end): counts as broken. */
  actual: number | null;
  ok: boolean;
}

const LATENCY = new Set(['avg', 'min', 'p50', 'med', 'p90', 'p95', 'p99', 'p99.9', 'max']);
const COUNTS = new Set(['failed', 'late', 'e2e.lost', 'e2e.duplicated', 'e2e.reordered']);
const RE = /^\s*([a-z0-9.()]+)\s*(<=|>=|==|<|>)\s*([0-9]*\.?[0-9]+)\s*(ms|us|µs|s|%)?\s*$/i;

function canonical(metric: string): string {
  const m = metric.toLowerCase().replace(/p\((\d+(?:\.\d+)?)\)/, 'p$1');
  return m.replace(/(^|\.)med$/, '$1p50');
}

function isLatency(metric: string): boolean {
  return LATENCY.has(metric.startsWith('e2e.') ? metric.slice(4) : metric);
}

export function parseThreshold(source: string): Threshold {
  const m = RE.exec(source);
  const bad = (why: string): WhtError => new WhtError('WHT_ERR_CONFIG_INVALID', `--threshold '${source}': ${why}`);
  if (!m) throw bad('expected METRIC<VALUE[unit], e.g. p95<500ms, errors<1%, e2e.p99<50ms');
  const metric = canonical(m[1]!);
  const unit = (m[4] ?? '').toLowerCase();
  let value = Number(m[3]);
  if (isLatency(metric)) {
    if (unit === '%') throw bad(`${metric} is a latency: give ms, s or us`);
    value = unit === 's' ? value * 1000 : unit === 'us' || unit === 'µs' ? value / 1000 : value;
  } else if (metric === 'errors') {
    if (unit && unit !== '%') throw bad('errors is a rate: give a percentage (1%) or a fraction (0.01)');
    value = unit === '%' ? value / 100 : value;
  } else if (COUNTS.has(metric) || metric === 'rps') {
    if (unit && unit !== '%') throw bad(`${metric} takes a number${metric === 'rps' ? '' : ' or a percentage'}`);
    if (unit === '%' && (metric === 'rps' || metric === 'failed')) throw bad(`${metric} takes a number`);
    if (unit === '%') value /= 100;
  } else {
    throw bad(
      `unknown metric ${metric} (latency avg|p50|p90|p95|p99|p99.9|max, e2e.<latency>, errors, failed, late, rps, e2e.lost|duplicated|reordered)`,
    );
  }
  return { source, metric, op: m[2] as Op, value, percent: unit === '%' };
}

/** Figures a threshold can name, from a finished run. Missing e2e figures are left out. */
export interface ThresholdFigures {
  latency: Record<string, number>;
  errors: number;
  failed: number;
  late: number;
  sent: number;
  rps: number;
  e2e?:
    | { latency: Record<string, number>; lost: number; duplicated: number; reordered: number; acknowledged: number }
    | undefined;
}

function actualOf(t: Threshold, f: ThresholdFigures): number | null {
  const lat = (rec: Record<string, number>, name: string): number | null =>
    rec[name === 'p99.9' ? 'p999' : name] ?? null;
  if (t.metric.startsWith('e2e.')) {
    const e = f.e2e;
    if (!e) return null;
    const name = t.metric.slice(4);
    if (LATENCY.has(name)) return lat(e.latency, name);
    const n = e[name as 'lost' | 'duplicated' | 'reordered'];
    return t.percent ? (e.acknowledged ? n / e.acknowledged : 0) : n;
  }
  if (LATENCY.has(t.metric)) return lat(f.latency, t.metric);
  if (t.metric === 'errors') return f.errors;
  if (t.metric === 'failed') return f.failed;
  if (t.metric === 'rps') return f.rps;
  return t.percent ? (f.sent ? f.late / f.sent : 0) : f.late;
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}

export function evaluateThresholds(list: readonly Threshold[], f: ThresholdFigures): ThresholdResult[] {
  return list.map((t) => {
    const actual = actualOf(t, f);
    return { ...t, actual, ok: actual !== null && compare(actual, t.op, t.value) };
  });
}
