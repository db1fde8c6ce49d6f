/**
 * Alert rules as pure functions of (state, sample, now, config).
 * Each rule yields a condition (breach or not, value, threshold). A small state machine per rule gives
 * fire-once / resolve-once behaviour: a breach must hold for `forMs` before firing, and the condition must stay
 * clear for `resolveAfterMs` before resolving; a breach while resolving keeps the alert firing (no flapping).
 */
import type { AlertRulesConfig } from './config.js';
import {
  ALERT_RULES,
  type ActiveAlert,
  type AlertRule,
  type AlertSeverity,
  type AlertTransition,
  type HealthStatus,
} from './types.js';

/** What the monitor observed in one sample interval. */
export interface AlertSample {
  rssBytes: number;
  /** Engine CPU, percent of one core. */
  cpuPercent: number;
  /** End-to-end P95 over the last minute and its sample count. */
  p95Ms: number;
  p95Count: number;
  /** Counted in this sample interval. */
  attempts: number;
  failedAttempts: number;
  dead: number;
  pending: number;
  capacity: number;
  oldestPendingAgeMs: number;
  health: HealthStatus | null;
}

type Phase = 'ok' | 'pending' | 'firing' | 'resolving';

export interface RuleState {
  phase: Phase;
  /** When the current phase began. */
  since: number;
  /** When the alert fired (valid while firing/resolving). */
  firedAt: number;
  value: number;
  threshold: number;
  message: string;
}

export interface AlertState {
  rules: Record<AlertRule, RuleState>;
  /** Per-sample counts kept for windowed rules (error rate, dead growth). */
  window: Array<{ at: number; attempts: number; failedAttempts: number; dead: number }>;
}

export interface Condition {
  breach: boolean;
  value: number;
  threshold: number;
  message: string;
}

const SEVERITY: Record<AlertRule, AlertSeverity> = {
  memory: 'warning',
  cpu: 'warning',
  latencyP95: 'warning',
  errorRate: 'critical',
  queueDepth: 'warning',
  oldestAge: 'warning',
  deadGrowth: 'critical',
  health: 'critical',
};

export function initialAlertState(): AlertState {
  const rules = {} as Record<AlertRule, RuleState>;
  for (const r of ALERT_RULES) rules[r] = { phase: 'ok', since: 0, firedAt: 0, value: 0, threshold: 0, message: '' };
  return { rules, window: [] };
}

const MiB = 1024 * 1024;
const fmt = (n: number, digits = 1) => (Number.isInteger(n) ? String(n) : n.toFixed(digits));

/** Condition of each enabled rule; rules without enough data report no breach. */
export function conditions(
  window: AlertState['window'],
  s: AlertSample,
  now: number,
  cfg: AlertRulesConfig,
): Partial<Record<AlertRule, Condition>> {
  const out: Partial<Record<AlertRule, Condition>> = {};
  const sumSince = (ms: number, k: 'attempts' | 'failedAttempts' | 'dead') =>
    window.filter((w) => w.at > now - ms).reduce((acc, w) => acc + w[k], 0);
  if (cfg.memory.enabled) {
    const t = cfg.memory.rssBytes;
    out.memory = {
      breach: s.rssBytes > t,
      value: s.rssBytes,
      threshold: t,
      message: `engine RSS ${fmt(s.rssBytes / MiB)} MiB > ${fmt(t / MiB)} MiB`,
    };
  }
  if (cfg.cpu.enabled) {
    const t = cfg.cpu.percent;
    out.cpu = {
      breach: s.cpuPercent > t,
      value: s.cpuPercent,
      threshold: t,
      message: `engine CPU ${fmt(s.cpuPercent)}% > ${t}% of one core`,
    };
  }
  if (cfg.latencyP95.enabled) {
    const t = cfg.latencyP95.ms;
    const enough = s.p95Count >= cfg.latencyP95.minCount;
    out.latencyP95 = {
      breach: enough && s.p95Ms > t,
      value: s.p95Ms,
      threshold: t,
      message: `end-to-end P95 ${fmt(s.p95Ms)} ms > ${t} ms`,
    };
  }
  if (cfg.errorRate.enabled) {
    const attempts = sumSince(cfg.errorRate.windowMs, 'attempts');
    const failed = sumSince(cfg.errorRate.windowMs, 'failedAttempts');
    const pct = attempts === 0 ? 0 : (100 * failed) / attempts;
    const t = cfg.errorRate.percent;
    out.errorRate = {
      breach: attempts >= cfg.errorRate.minCount && pct > t,
      value: pct,
      threshold: t,
      message: `error rate ${fmt(pct)}% (${failed}/${attempts} attempts) > ${t}%`,
    };
  }
  if (cfg.queueDepth.enabled) {
    const pct = s.capacity > 0 ? (100 * s.pending) / s.capacity : 0;
    const t = cfg.queueDepth.percent;
    out.queueDepth = {
      breach: pct > t,
      value: pct,
      threshold: t,
      message: `queue ${s.pending}/${s.capacity} (${fmt(pct)}%) > ${t}%`,
    };
  }
  if (cfg.oldestAge.enabled) {
    const t = cfg.oldestAge.ms;
    out.oldestAge = {
      breach: s.oldestPendingAgeMs > t,
      value: s.oldestPendingAgeMs,
      threshold: t,
      message: `oldest pending task ${fmt(s.oldestPendingAgeMs / 1000)} s old > ${fmt(t / 1000)} s`,
    };
  }
  if (cfg.deadGrowth.enabled) {
    const dead = sumSince(cfg.deadGrowth.windowMs, 'dead');
    const t = cfg.deadGrowth.count;
    out.deadGrowth = {
      breach: dead >= t,
      value: dead,
      threshold: t,
      message: `${dead} tasks went dead in ${fmt(cfg.deadGrowth.windowMs / 60000)} min (>= ${t})`,
    };
  }
  if (cfg.health.enabled) {
    out.health = {
      breach: s.health === 'UNHEALTHY',
      value: s.health === 'UNHEALTHY' ? 2 : s.health === 'DEGRADED' ? 1 : 0,
      threshold: 2,
      message: `health ${s.health ?? 'unknown'}`,
    };
  }
  return out;
}

function forMs(rule: AlertRule, cfg: AlertRulesConfig): number {
  const r = cfg[rule];
  return 'forMs' in r ? r.forMs : 0;
}

/** One step of a rule's state machine. Returns the new state and a transition when it fired or resolved. */
export function stepRule(
  st: RuleState,
  c: Condition | undefined,
  now: number,
  holdMs: number,
  resolveAfterMs: number,
): { state: RuleState; transition: 'firing' | 'resolved' | null } {
  const breach = c?.breach ?? false;
  const seen = c ? { value: c.value, threshold: c.threshold, message: c.message } : {};
  const next = (phase: Phase, since: number, firedAt = st.firedAt): RuleState => ({
    ...st,
    ...seen,
    phase,
    since,
    firedAt,
  });
  switch (st.phase) {
    case 'ok':
      if (!breach) return { state: next('ok', st.since), transition: null };
      if (holdMs <= 0) return { state: next('firing', now, now), transition: 'firing' };
      return { state: next('pending', now), transition: null };
    case 'pending':
      if (!breach) return { state: next('ok', now), transition: null };
      if (now - st.since >= holdMs) return { state: next('firing', now, now), transition: 'firing' };
      return { state: next('pending', st.since), transition: null };
    case 'firing':
      if (breach) return { state: next('firing', st.since), transition: null };
      if (resolveAfterMs <= 0) return { state: next('ok', now), transition: 'resolved' };
      return { state: next('resolving', now), transition: null };
    case 'resolving':
      if (breach) return { state: next('firing', st.since), transition: null };
      if (now - st.since >= resolveAfterMs) return { state: next('ok', now), transition: 'resolved' };
      return { state: next('resolving', st.since), transition: null };
  }
}

const maxWindowMs = (cfg: AlertRulesConfig) => Math.max(cfg.errorRate.windowMs, cfg.deadGrowth.windowMs);

/** Evaluate every rule for one sample. Pure: same inputs, same outputs. */
export function evaluateAlerts(
  state: AlertState,
  sample: AlertSample,
  now: number,
  cfg: AlertRulesConfig,
  resolveAfterMs: number,
): { state: AlertState; transitions: AlertTransition[] } {
  const window = [
    ...state.window,
    { at: now, attempts: sample.attempts, failedAttempts: sample.failedAttempts, dead: sample.dead },
  ].filter((w) => w.at > now - maxWindowMs(cfg));
  const conds = conditions(window, sample, now, cfg);
  const rules = { ...state.rules };
  const transitions: AlertTransition[] = [];
  for (const rule of ALERT_RULES) {
    const { state: st, transition } = stepRule(state.rules[rule], conds[rule], now, forMs(rule, cfg), resolveAfterMs);
    rules[rule] = st;
    if (transition)
      transitions.push({
        at: now,
        rule,
        state: transition,
        severity: SEVERITY[rule],
        value: st.value,
        threshold: st.threshold,
        message: st.message,
      });
  }
  return { state: { rules, window }, transitions };
}

export function activeAlerts(state: AlertState): ActiveAlert[] {
  return ALERT_RULES.filter((r) => state.rules[r].phase === 'firing' || state.rules[r].phase === 'resolving').map(
    (rule) => {
      const st = state.rules[rule];
      return {
        rule,
        severity: SEVERITY[rule],
        since: st.firedAt,
        value: st.value,
        threshold: st.threshold,
        message: st.message,
      };
    },
  );
}
