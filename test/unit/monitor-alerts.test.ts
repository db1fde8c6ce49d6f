import { describe, expect, it } from 'vitest';
import {
  activeAlerts,
  evaluateAlerts,
  initialAlertState,
  type AlertSample,
  type AlertState,
} from '../../src/engine/monitor/alerts.js';
import { resolveMonitorConfig } from '../../src/engine/monitor/config.js';
import type { AlertTransition } from '../../src/engine/monitor/types.js';

const MiB = 1024 * 1024;
const base: AlertSample = {
  rssBytes: 80 * MiB,
  cpuPercent: 5,
  p95Ms: 50,
  p95Count: 100,
  attempts: 10,
  failedAttempts: 0,
  dead: 0,
  pending: 0,
  capacity: 1000,
  oldestPendingAgeMs: 0,
  health: 'HEALTHY',
};

/** Feed samples every `stepMs` (a fake clock) and collect transitions with their times. */
function run(samples: Array<Partial<AlertSample>>, config = resolveMonitorConfig(), stepMs = 5000) {
  let state: AlertState = initialAlertState();
  const out: Array<AlertTransition & { t: number }> = [];
  samples.forEach((s, i) => {
    const now = 1_000_000 + i * stepMs;
    const r = evaluateAlerts(state, { ...base, ...s }, now, config.alerts, config.resolveAfterMs);
    state = r.state;
    out.push(...r.transitions.map((tr) => ({ ...tr, t: i })));
  });
  return { out, state };
}
const rep = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

describe('alert rules (defaults, 5 s samples)', () => {
  it('does not fire for an ordinary Node process (80 MiB RSS)', () => {
    expect(run(rep(100, {})).out).toEqual([]);
  });

  it.each([
    // [name, breach sample, samples of breach needed before firing (forMs / 5 s)]
    ['memory', { rssBytes: 600 * MiB }, 12],
    ['cpu', { cpuPercent: 95 }, 24],
    ['latencyP95', { p95Ms: 8000 }, 12],
    ['queueDepth', { pending: 900 }, 6],
    ['oldestAge', { oldestPendingAgeMs: 400_000 }, 0],
    ['health', { health: 'UNHEALTHY' as const }, 0],
  ])(
    '%s fires once after its hold time, holds, and resolves once after the clear time',
    (rule, breach, holdSamples) => {
      const { out, state } = run([...rep(3, {}), ...rep(holdSamples + 20, breach), ...rep(30, {})]);
      const mine = out.filter((t) => t.rule === rule);
      expect(mine.map((t) => [t.state, t.t])).toEqual([
        ['firing', 3 + holdSamples],
        // resolveAfterMs 60 s = 12 samples after the condition clears
        ['resolved', 3 + holdSamples + 20 + 12],
      ]);
      expect(mine[0]?.message).toMatch(/.+/);
      expect(activeAlerts(state)).toEqual([]);
    },
  );

  it('does not fire when the breach ends before the hold time', () => {
    const { out } = run([...rep(11, { rssBytes: 600 * MiB }), {}, ...rep(11, { rssBytes: 600 * MiB }), {}]);
    expect(out).toEqual([]);
  });

  it('does not flap when the value oscillates around the threshold while firing', () => {
    const flap = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? { health: 'UNHEALTHY' as const } : {}));
    const { out, state } = run([...flap]);
    expect(out.map((t) => t.state)).toEqual(['firing']);
    expect(activeAlerts(state).map((a) => a.rule)).toEqual(['health']);
  });

  it('error rate needs the minimum number of attempts in the window', () => {
    // 1 failure in 2 attempts per sample = 50 %, but only 2 attempts per 5 s: 20 attempts after 10 samples.
    const { out } = run(rep(12, { attempts: 2, failedAttempts: 1 }));
    expect(out.filter((t) => t.rule === 'errorRate').map((t) => [t.state, t.t])).toEqual([['firing', 9]]);
    expect(
      run(
        rep(12, { attempts: 1, failedAttempts: 1 }),
        resolveMonitorConfig({ alerts: { errorRate: { minCount: 100 } } }),
      ).out,
    ).toEqual([]);
  });

  it('error rate resolves once failures leave the window', () => {
    const cfg = resolveMonitorConfig({ alerts: { errorRate: { windowMs: 60_000, minCount: 5 } } });
    const { out } = run(
      [...rep(4, { attempts: 10, failedAttempts: 5 }), ...rep(40, { attempts: 10, failedAttempts: 0 })],
      cfg,
    );
    const mine = out.filter((t) => t.rule === 'errorRate');
    expect(mine.map((t) => t.state)).toEqual(['firing', 'resolved']);
    expect(mine[0]?.value).toBeCloseTo(50);
  });

  it('dead-letter growth counts dead tasks over its window', () => {
    const { out } = run([{ dead: 2 }, { dead: 2 }, {}, { dead: 1 }, ...rep(150, {})]);
    const mine = out.filter((t) => t.rule === 'deadGrowth');
    expect(mine.map((t) => [t.state, t.t])).toEqual([
      ['firing', 3],
      // window 10 min = 120 samples after the first dead sample; then 12 samples to resolve
      ['resolved', 120 + 12],
    ]);
  });

  it('latency P95 ignores windows with too few samples', () => {
    expect(run(rep(30, { p95Ms: 9000, p95Count: 3 })).out).toEqual([]);
  });

  it('a disabled rule never fires', () => {
    const cfg = resolveMonitorConfig({ alerts: { health: { enabled: false } } });
    expect(run(rep(5, { health: 'UNHEALTHY' as const }), cfg).out).toEqual([]);
  });

  it('records value and threshold with each transition', () => {
    const { out } = run([{ oldestPendingAgeMs: 400_000 }]);
    expect(out[0]).toMatchObject({
      rule: 'oldestAge',
      state: 'firing',
      value: 400_000,
      threshold: 300_000,
      severity: 'warning',
    });
  });
});
