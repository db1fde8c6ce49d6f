import { describe, expect, it } from 'vitest';
import { aggregateHealth } from '../../src/engine/monitor/health.js';
import { alertText, displayMessageArgs, webhookBody } from '../../src/engine/monitor/notify.js';
import { escapeLabelValue, formatValue } from '../../src/engine/monitor/prometheus.js';
import { cpuPercent } from '../../src/engine/monitor/resources.js';
import { bucketStart, downsample, emptyRollup, tiersFor } from '../../src/engine/monitor/rollup.js';
import { ThroughputCounter } from '../../src/engine/monitor/throughput.js';
import type { AlertTransition, HealthCheckResult } from '../../src/engine/monitor/types.js';

describe('ThroughputCounter', () => {
  it('keeps 60 one-second points, oldest first, and computes last-minute rates', () => {
    const t = new ThroughputCounter();
    const t0 = 1_000_000;
    for (let s = 0; s < 90; s++) for (let k = 0; k < 2; k++) t.add('delivered', t0 + s * 1000 + k);
    t.add('failed', t0 + 89_000);
    const b = t.block(t0 + 89_500);
    expect(b.series).toHaveLength(60);
    expect(b.series[0]?.at).toBe(t0 + 30_000);
    expect(b.series.at(-1)).toMatchObject({ at: t0 + 89_000, delivered: 2, failed: 1 });
    expect(b.lastMinute.deliveredPerSec).toBe(2);
    expect(b.totals.delivered).toBe(180);
    expect(b.successRate).toBeCloseTo(120 / 121);
    // An idle minute later the series is all zeros but the totals stay.
    const idle = t.block(t0 + 200_000);
    expect(idle.series.every((p) => p.delivered === 0)).toBe(true);
    expect(idle.successRate).toBeNull();
    expect(idle.totals.delivered).toBe(180);
  });

  it('hands out interval counts once', () => {
    const t = new ThroughputCounter();
    t.add('received', 0, 3);
    expect(t.takeInterval().received).toBe(3);
    expect(t.takeInterval().received).toBe(0);
  });
});

describe('aggregateHealth', () => {
  const c = (name: string, status: HealthCheckResult['status'], critical: boolean): HealthCheckResult => ({
    name,
    status,
    critical,
    message: '',
  });
  it.each([
    [[c('database', 'pass', true), c('tmux', 'pass', true)], 'HEALTHY', []],
    [[c('database', 'pass', true), c('target:a', 'fail', false)], 'DEGRADED', ['target:a']],
    [[c('disk:/d', 'warn', true), c('tmux', 'pass', true)], 'DEGRADED', ['disk:/d']],
    [[c('tmux', 'fail', true), c('target:a', 'fail', false)], 'UNHEALTHY', ['tmux', 'target:a']],
  ] as const)('%j → %s', (checks, status, failing) => {
    const r = aggregateHealth([...checks], 5);
    expect(r.status).toBe(status);
    expect(r.failing).toEqual(failing);
  });
});

describe('alert notification formatting', () => {
  const t: AlertTransition = {
    at: 0,
    rule: 'errorRate',
    state: 'firing',
    severity: 'critical',
    value: 12,
    threshold: 10,
    message: 'error rate 12% > 10% #1',
  };
  it('builds a body with both Slack `text` and Discord `content`', () => {
    const body = JSON.parse(webhookBody(t)) as { text: string; content: string };
    expect(body.text).toBe(alertText(t));
    expect(body.content).toBe(body.text);
    expect(body.text).toMatch(/errorRate FIRING: error rate 12%/);
  });
  it('escapes tmux formats and control characters in display-message', () => {
    expect(displayMessageArgs('a #{pane_id}\x1b[31m\n', '=work')).toEqual([
      'display-message',
      '-t',
      '=work',
      'a ##{pane_id} [31m ',
    ]);
    expect(displayMessageArgs('x')).toEqual(['display-message', 'x']);
  });
});

describe('prometheus formatting helpers', () => {
  it('escapes label values and formats special numbers', () => {
    expect(escapeLabelValue('C:\\dir\n"x"')).toBe('C:\\\\dir\\n\\"x\\"');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(0.25)).toBe('0.25');
  });
});

describe('rollup helpers', () => {
  it('computes CPU percent of one core', () => {
    expect(cpuPercent({ user: 0, system: 0 }, { user: 300_000, system: 200_000 }, 1_000_000)).toBe(50);
    expect(cpuPercent({ user: 0, system: 0 }, { user: 1, system: 0 }, 0)).toBe(0);
  });
  it('defines tiers of 5 s / 1 min / 15 min / 1 h and drops a tier not coarser than the sample interval', () => {
    expect(tiersFor(5000, 30).map((t) => t.resMs)).toEqual([5000, 60_000, 900_000, 3_600_000]);
    expect(tiersFor(60_000, 30).map((t) => t.resMs)).toEqual([60_000, 900_000, 3_600_000]);
    expect(tiersFor(5000, 3).map((t) => t.keepMs)).toEqual([
      86_400_000,
      3 * 86_400_000,
      3 * 86_400_000,
      3 * 86_400_000,
    ]);
  });
  it('downsamples into aligned buckets with summed counts', () => {
    const rows = [0, 5000, 55_000, 60_000, 125_000].map((at) => ({
      ...emptyRollup(at, 5000),
      samples: 1,
      delivered: 1,
      pendingMax: at / 1000,
    }));
    const out = downsample(rows, 60_000);
    expect(out.map((r) => [r.at, r.delivered, r.pendingMax])).toEqual([
      [0, 3, 55],
      [60_000, 1, 60],
      [120_000, 1, 125],
    ]);
    expect(bucketStart(-1, 60_000)).toBe(-60_000);
  });
});

describe('chooseResolution', () => {
  it.each([
    ['hour', 30_000, 60_000],
    ['day', 720_000, 900_000],
    ['week', 5_040_000, 3_600_000],
    ['tiny range', 100, 5000],
  ])('%s (step %d ms) reads the %d ms tier', async (_name, step, res) => {
    const { chooseResolution } = await import('../../src/engine/monitor/history-query.js');
    expect(chooseResolution([5000, 60_000, 900_000, 3_600_000], step)).toBe(res);
  });
});

describe('monitor config', () => {
  it('has the documented defaults and rejects bad values naming the key', async () => {
    const { resolveMonitorConfig } = await import('../../src/engine/monitor/config.js');
    const c = resolveMonitorConfig();
    expect(c).toMatchObject({
      enabled: true,
      sampleMs: 5000,
      healthCheckMs: 30_000,
      retentionDays: 30,
      notify: { tmuxDisplay: true, webhookAttempts: 3 },
    });
    expect(c.alerts.memory.rssBytes).toBe(512 * 1024 * 1024);
    expect(c.notify.webhookUrl).toBeUndefined();
    expect(() => resolveMonitorConfig({ sampleMs: 10 })).toThrow(/sampleMs/);
    expect(() => resolveMonitorConfig({ notify: { webhookUrl: 'not a url' } })).toThrow(/webhookUrl/);
  });
});

describe('formatMonitorStatus', () => {
  it('prints health, failing checks, latency per stage and active alerts readably', async () => {
    const { formatMonitorStatus, formatMs } = await import('../../src/engine/monitor/format-status.js');
    const { ThroughputCounter } = await import('../../src/engine/monitor/throughput.js');
    const { LatencyRecorder } = await import('../../src/engine/monitor/latency.js');
    const rec = new LatencyRecorder();
    rec.recordMs('endToEnd', 42, 0);
    const text = formatMonitorStatus({
      at: 0,
      startedAt: 0,
      sampleMs: 5000,
      latency: rec.summary(0),
      throughput: new ThroughputCounter().block(0),
      queue: {
        depth: {
          queued: 2,
          delivering: 1,
          retrying: 0,
          delivered: 5,
          working: 0,
          completed: 0,
          stalled: 0,
          dead: 1,
          dropped: 0,
          forwarded: 0,
        },
        pending: 3,
        capacity: 100,
        oldestPendingAgeMs: 1500,
        paused: true,
        retries: 0,
        rateLimited: 0,
        dead: 1,
      },
      resources: null,
      health: {
        at: 0,
        status: 'DEGRADED',
        failing: ['target:agent'],
        checks: [{ name: 'target:agent', status: 'fail', message: '%2 missing', critical: false }],
      },
      alerts: {
        active: [{ rule: 'oldestAge', severity: 'warning', since: 0, value: 1, threshold: 1, message: 'old' }],
        recent: [],
      },
    });
    expect(text).toContain('Health: DEGRADED  (failing: target:agent)');
    expect(text).toContain('FAIL target:agent: %2 missing');
    expect(text).toContain('Queue: 3/100 pending');
    expect(text).toContain('PAUSED');
    expect(text).toMatch(/end to end +p50 42ms +p95 42ms/);
    expect(text).toContain('WARNING oldestAge');
    expect(formatMs(0.25)).toBe('250µs');
    expect(formatMs(12_345)).toBe('12.3s');
  });
});
