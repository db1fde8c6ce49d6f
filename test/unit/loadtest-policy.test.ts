import { createHmac } from 'node:crypto';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { breakingPoint, grade, recoveryMs, sweetSpot, type LevelRow } from '../../src/engine/loadtest/analysis.js';
import { accountE2e } from '../../src/engine/loadtest/e2e.js';
import { statsOf } from '../../src/engine/loadtest/histogram.js';
import { planPhases, spikeStages, stressRates } from '../../src/engine/loadtest/plans.js';
import { buildRequest } from '../../src/engine/loadtest/requests.js';
import { arrivals, expectedCount } from '../../src/engine/loadtest/schedule.js';
import { evaluateThresholds, parseThreshold, type ThresholdFigures } from '../../src/engine/loadtest/thresholds.js';
import { latencyChart } from '../../src/engine/loadtest/text-chart.js';

describe('arrival schedule', () => {
  it('spaces a constant rate evenly: n requests at 1000/rate ms', () => {
    const xs = [...arrivals([{ durationMs: 1000, fromRate: 4, toRate: 4 }])];
    expect(xs).toEqual([0, 250, 500, 750]);
  });
  it('a ramp sends the integral of the rate, denser towards the end', () => {
    const xs = [...arrivals([{ durationMs: 2000, fromRate: 0, toRate: 100 }])];
    expect(xs.length).toBe(expectedCount([{ durationMs: 2000, fromRate: 0, toRate: 100 }]));
    expect(xs.length).toBe(100);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
    expect(gaps[gaps.length - 1]!).toBeLessThan(gaps[1]!);
    expect(xs.every((x) => x >= 0 && x <= 2000)).toBe(true);
  });
  it('stages follow one another and the cap holds', () => {
    const stages = spikeStages(10, 100, 3000);
    expect(expectedCount(stages)).toBe(120);
    const xs = [...arrivals(stages)];
    expect(xs.length).toBe(120);
    expect(xs.filter((x) => x >= 1000 && x < 2000).length).toBe(100);
    expect([...arrivals(stages, 7)].length).toBe(7);
  });
});

describe('plans per test type', () => {
  const base = {
    model: 'open' as const,
    rate: 10,
    durationMs: 1000,
    rampUpMs: 0,
    users: 2,
    requestsPerUser: 3,
    peakRate: 50,
    stepDurationMs: 500,
    stepRate: 10,
    maxRate: 40,
    levels: [1, 5],
  };
  it('stress steps the rate up to max-rate; scalability has one closed phase per level', () => {
    expect(stressRates(base)).toEqual([10, 20, 30, 40]);
    expect(planPhases({ ...base, type: 'stress' }).map((p) => p.label)).toEqual(['10/s', '20/s', '30/s', '40/s']);
    expect(planPhases({ ...base, type: 'scalability' }).map((p) => p.model)).toEqual([
      { kind: 'closed', users: 1, requestsPerUser: 3, rampUpMs: 0, durationMs: 500 },
      { kind: 'closed', users: 5, requestsPerUser: 3, rampUpMs: 0, durationMs: 500 },
    ]);
  });
});

describe('thresholds', () => {
  const figures: ThresholdFigures = {
    latency: { avg: 3, p50: 2, p90: 4, p95: 5, p99: 9, p999: 12, max: 20, min: 1, count: 100 },
    errors: 0.02,
    failed: 2,
    late: 5,
    sent: 100,
    rps: 99.5,
    e2e: {
      latency: { p50: 3, p95: 8, p99: 40, avg: 4, max: 60, min: 1, p90: 6, p999: 55, count: 98 },
      lost: 1,
      duplicated: 0,
      reordered: 0,
      acknowledged: 98,
    },
  };
  it.each([
    ['p95<500ms', true],
    ['p95<4ms', false],
    ['p(95)<0.006s', true],
    ['p99<=9000us', true],
    ['med<2', false],
    ['errors<1%', false],
    ['errors<0.05', true],
    ['failed<=2', true],
    ['late<5%', false],
    ['late<10', true],
    ['rps>=99', true],
    ['e2e.p99<50ms', true],
    ['e2e.p99<30ms', false],
    ['e2e.lost==0', false],
    ['e2e.lost<2%', true],
  ])('%s -> %s', (expr, ok) => {
    expect(evaluateThresholds([parseThreshold(expr)], figures)[0]!.ok).toBe(ok);
  });
  it('an e2e threshold without end-to-end figures breaks (no figure to hold)', () => {
    const [r] = evaluateThresholds([parseThreshold('e2e.p99<50ms')], { ...figures, e2e: undefined });
    expect(r).toMatchObject({ ok: false, actual: null });
  });
  it.each(['p95', 'p95<fast', 'p95<5%', 'bogus<1', 'errors<5ms', 'rps<5%'])('refuses %s naming it', (expr) => {
    expect(() => parseThreshold(expr)).toThrow(`--threshold '${expr}'`);
  });
});

describe('analysis', () => {
  const row = (users: number, rps: number, p95: number, errorRate = 0): LevelRow => ({
    users,
    rps,
    errorRate,
    requests: 100,
    late: 0,
    latency: { ...statsOf([p95]), p95 },
  });
  it('grades against the old bars: EXCELLENT, GOOD within twice, POOR beyond; overall is the worst', () => {
    expect(grade(900, 50, 0)).toMatchObject({ overall: 'EXCELLENT' });
    expect(grade(1500, 50, 0)).toMatchObject({ responseTime: 'GOOD', overall: 'GOOD' });
    expect(grade(900, 3, 0.2)).toMatchObject({ throughput: 'POOR', errorRate: 'POOR', overall: 'POOR' });
  });
  it('the sweet spot is the fewest users reaching 90% of the best throughput within the bars', () => {
    const rows = [row(1, 40, 10), row(5, 180, 20), row(10, 195, 60), row(15, 200, 300), row(20, 210, 1500)];
    expect(sweetSpot(rows)?.users).toBe(5);
    expect(sweetSpot([row(1, 5, 2000)])).toBeNull();
  });
  it('stress: the last rate that held and the first that broke', () => {
    const r = (rate: number, ok: boolean): LevelRow => ({ ...row(0, rate, 1), users: undefined, rate, ok });
    expect(breakingPoint([r(10, true), r(20, true), r(30, false)])).toEqual({ lastHeld: 20, brokeAt: 30 });
    expect(breakingPoint([r(10, false)])).toEqual({ lastHeld: null, brokeAt: 10 });
    expect(breakingPoint([r(10, true)])).toEqual({ lastHeld: 10, brokeAt: null });
  });
  it('spike recovery: seconds after the peak until p95 stays within twice the baseline', () => {
    const series = [0, 1, 2, 3, 4, 5, 6, 7].map((second) => ({
      second,
      p95: [10, 10, 80, 90, 70, 30, 12, 11][second]!,
    }));
    expect(recoveryMs(series, 10, 4)).toBe(2000);
    expect(
      recoveryMs(
        series.map((p) => ({ ...p, p95: p.second >= 4 ? 100 : p.p95 })),
        10,
        4,
      ),
    ).toBeNull();
  });
  it('the terminal chart marks p50, p95 and p99 per level in order', () => {
    const lines = latencyChart([
      { label: '1 users', p50: 1, p95: 2, p99: 4 },
      { label: '5 users', p50: 2, p95: 3, p99: 8 },
    ]);
    expect(lines).toHaveLength(3);
    for (const l of lines.slice(0, 2)) expect(l.indexOf('5')).toBeLessThan(l.indexOf('9', l.indexOf('|')));
    expect(lines[1]).toMatch(/\*\| p99 8\.00 ms$/);
  });
});

describe('end-to-end accounting', () => {
  const acks = {
    acceptedAt: new Map([
      [0, 100],
      [1, 110],
      [2, 120],
      [3, 300],
    ]),
    sentAt: new Map([
      [0, 99],
      [1, 109],
      [2, 119],
      [3, 200],
      [4, 205],
    ]),
  };
  it('counts delivered, lost, duplicated, reordered and unacknowledged lines', () => {
    const lines = [
      { t: 105, line: 'lt-r1-0' },
      { t: 130, line: 'lt-r1-2' },
      { t: 131, line: 'lt-r1-1' },
      { t: 132, line: 'lt-r1-1' },
      { t: 133, line: 'lt-r1-4' },
      { t: 134, line: 'echo other' },
      { t: 135, line: 'lt-other-3' },
    ];
    const e = accountE2e('r1', acks, lines, 1);
    expect(e).toMatchObject({ acknowledged: 4, delivered: 3, lost: 1, pending: 1, duplicated: 1, unacknowledged: 1 });
    // 1 was acknowledged (110) before 2 was sent (119) but typed after it
    expect(e.reordered).toBe(1);
    expect(e.perSeq.get(0)).toBe(5);
  });
  it('requests in flight together may be typed either way round', () => {
    const e = accountE2e(
      'r1',
      {
        acceptedAt: new Map([
          [0, 150],
          [1, 140],
        ]),
        sentAt: new Map([
          [0, 100],
          [1, 101],
        ]),
      },
      [
        { t: 160, line: 'lt-r1-1' },
        { t: 161, line: 'lt-r1-0' },
      ],
    );
    expect(e.reordered).toBe(0);
  });
});

describe('signed requests', () => {
  it('Standard Webhooks signatures verify with the standardwebhooks library', () => {
    const secret = `whsec_${Buffer.from('a-secret-of-at-least-24-bytes').toString('base64')}`;
    const r = buildRequest(
      { kind: 'hook', url: 'http://127.0.0.1:1', hook: 'h', auth: { type: 'standard', secret } },
      'abc',
      7,
      Date.now(),
    );
    expect(r.path).toBe('/hooks/h');
    expect(new Webhook(secret).verify(r.body, r.headers)).toEqual({ command: 'lt-abc-7' });
  });
  it('GitHub signatures verify with @octokit/webhooks-methods', async () => {
    const r = buildRequest(
      { kind: 'hook', url: 'http://127.0.0.1:1', hook: 'gh', auth: { type: 'github', secret: 's3cret' } },
      'abc',
      1,
      Date.now(),
    );
    expect(await verifyGithub('s3cret', r.body, r.headers['x-hub-signature-256']!)).toBe(true);
    expect(r.headers['x-github-delivery']).toBe('lt-abc-1');
    expect(createHmac('sha256', 'other').update(r.body).digest('hex')).not.toBe(
      r.headers['x-hub-signature-256']!.slice(7),
    );
  });
  it('/v1/tasks carries the token, the command text as its idempotency key, and the target', () => {
    const r = buildRequest({ kind: 'v1', url: 'http://127.0.0.1:1', token: 'tok', target: 'agent' }, 'abc', 3, 0);
    expect(r.headers.authorization).toBe('Bearer tok');
    expect(JSON.parse(r.body)).toEqual({ command: 'lt-abc-3', id: 'lt-abc-3', target: 'agent' });
  });
});
