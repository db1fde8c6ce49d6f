import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveMonitorConfig, type MonitorConfigInput } from '../../src/engine/monitor/config.js';
import { createMonitor } from '../../src/engine/monitor/monitor.js';
import { SKETCH_ALPHA } from '../../src/engine/monitor/sketch.js';
import type { HealthCheckDeps } from '../../src/engine/monitor/types.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import type { EngineEventMap, QueueStats, Task } from '../../src/engine/types.js';
import { openHistoryStore } from '../../src/engine/sqlite/history-store.js';

const stats = (over: Partial<QueueStats> = {}): QueueStats => ({
  totalProcessed: 0,
  successful: 0,
  failed: 0,
  failedAttempts: 0,
  retries: 0,
  rateLimited: 0,
  received: 0,
  deduplicated: 0,
  avgProcessingMs: 0,
  avgEndToEndMs: 0,
  peakQueueSize: 0,
  depth: {
    queued: 0,
    delivering: 0,
    retrying: 0,
    delivered: 0,
    working: 0,
    completed: 0,
    stalled: 0,
    dead: 0,
    dropped: 0,
    forwarded: 0,
  },
  pending: 0,
  capacity: 1000,
  oldestPendingAgeMs: 0,
  paused: false,
  ...over,
});

function task(id: number, receivedAt: number, ms: { intake: number; wait: number; delivery: number }): Task {
  const committedAt = receivedAt + ms.intake;
  const startedAt = committedAt + ms.wait;
  const deliveredAt = startedAt + ms.delivery;
  return {
    id,
    text: 'echo hi',
    target: 'default',
    priority: 0,
    category: 'default',
    idemKey: null,
    source: 'spool',
    state: 'delivered',
    attempts: 1,
    nextAttemptAt: 0,
    errors: [],
    receivedAt,
    committedAt,
    startedAt,
    deliveredAt,
    finishedAt: deliveredAt,
  };
}

let dir: string;
let db: Database.Database;
const servers: Server[] = [];
const monitors: Array<{ close(): Promise<void> }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wht-monitor-'));
  db = new Database(join(dir, 'queue.db'));
});
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(
  config: MonitorConfigInput = {},
  checks: Partial<HealthCheckDeps> = {},
  clockStart = Date.UTC(2026, 0, 1),
) {
  const events = new EventEmitter<EngineEventMap>();
  const clock = {
    t: clockStart,
    now() {
      return this.t;
    },
  };
  let queueStats = stats();
  const tmuxCalls: string[][] = [];
  const monitorConfig = resolveMonitorConfig(config);
  const monitor = createMonitor({
    events,
    history: openHistoryStore(db, monitorConfig),
    clock,
    logger: silentLogger,
    config: monitorConfig,
    stats: () => queueStats,
    checks: {
      dbWritable: () => true,
      spoolOk: () => ({ ok: true }),
      tmuxReachable: async () => true,
      targets: async () => [
        {
          name: 'default',
          pane: '%1',
          profile: 'shell',
          preset: null,
          state: 'ready' as const,
          reason: null,
          present: true,
          activity: 'idle',
          inMode: false,
          currentCommand: 'bash',
        },
      ],
      dataDirs: [dir],
      ...checks,
    },
    watchedPids: async () => [process.pid],
    tmux: async (args) => {
      tmuxCalls.push([...args]);
      return { stdout: '' };
    },
  });
  monitors.push(monitor);
  return {
    events,
    clock,
    monitor,
    tmuxCalls,
    setStats: (s: Partial<QueueStats>) => {
      queueStats = stats(s);
    },
  };
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** Oldest pending age far above the default 300 s threshold (forMs 0): fires on the first tick. */
async function fireOldestAge(
  monitor: { tick(): Promise<void> },
  clock: { t: number },
  setStats: (s: Partial<QueueStats>) => void,
) {
  setStats({ pending: 1, oldestPendingAgeMs: 3_600_000 });
  clock.t += 5000;
  await monitor.tick();
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Monitor', () => {
  it('turns engine events into stage percentiles, throughput and stored history', async () => {
    const { events, clock, monitor } = setup();
    monitor.start();
    const t0 = clock.t;
    for (let i = 1; i <= 100; i++) {
      const t = task(i, t0 - 1000, { intake: 2, wait: i, delivery: 10 * i });
      events.emit('task:queued', t);
      events.emit('task:started', t);
      events.emit('task:delivered', t);
    }
    events.emit('task:retrying', task(101, t0, { intake: 1, wait: 1, delivery: 1 }), {
      attempt: 1,
      at: t0,
      code: 'WHT_ERR_TMUX_FAILED',
      message: 'x',
    });
    events.emit('task:dead', task(102, t0, { intake: 1, wait: 1, delivery: 1 }), null);
    const snap = monitor.snapshot();
    expect(snap.latency.delivery.lastMinute.count).toBe(100);
    expect(snap.latency.delivery.lastMinute.p50Ms).toBeCloseTo(500, -1);
    expect(snap.latency.delivery.lastMinute.p99Ms).toBeCloseTo(990, -1);
    expect(snap.latency.intake.sinceStart.p95Ms).toBeCloseTo(2, 1);
    expect(snap.throughput.totals).toMatchObject({ received: 100, delivered: 100, retries: 1, failed: 1 });
    expect(snap.throughput.series).toHaveLength(60);
    expect(snap.throughput.series.at(-1)?.delivered).toBe(100);
    expect(snap.throughput.successRate).toBeCloseTo(100 / 101);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);

    clock.t += 5000;
    await monitor.tick();
    expect(monitor.snapshot().resources?.engine.rssBytes).toBeGreaterThan(10e6);
    expect(monitor.snapshot().resources?.watched.map((w) => w.pid)).toEqual([process.pid]);
    const h = monitor.history({ sinceMs: t0 - 60_000, maxPoints: 10 });
    expect(h.points.reduce((a, p) => a + p.delivered, 0)).toBe(100);
    // Stored sketches: within SKETCH_ALPHA (2 %) of the exact P99 (990 ms).
    expect(Math.abs(h.latency.delivery.p99Ms - 990) / 990).toBeLessThanOrEqual(SKETCH_ALPHA);
  });

  it('reports health: HEALTHY, DEGRADED with a missing target, UNHEALTHY with tmux down, failing checks named', async () => {
    let tmuxUp = true;
    let present = true;
    const { monitor } = setup(
      {},
      {
        tmuxReachable: async () => tmuxUp,
        targets: async () => [
          {
            name: 'agent',
            pane: '%2',
            profile: 'agent',
            preset: 'claude-code',
            state: 'busy' as const,
            reason: 'working',
            present,
            activity: 'busy',
            inMode: false,
            currentCommand: 'node',
          },
        ],
      },
    );
    expect((await monitor.health()).status).toBe('HEALTHY');
    present = false;
    const degraded = await monitor.health();
    expect(degraded.status).toBe('DEGRADED');
    expect(degraded.failing).toEqual(['target:agent']);
    tmuxUp = false;
    const bad = await monitor.health();
    expect(bad.status).toBe('UNHEALTHY');
    expect(bad.failing).toEqual(['tmux', 'target:agent']);
    expect(monitor.snapshot().health?.status).toBe('UNHEALTHY');
  });

  it('counts a check that throws or hangs as failed instead of hanging the health run', async () => {
    const { monitor } = setup(
      { healthCheckTimeoutMs: 100 },
      {
        dbWritable: () => {
          throw new Error('disk I/O error');
        },
        spoolOk: () => new Promise(() => {}),
      },
    );
    const r = await monitor.health();
    expect(r.checks.find((c) => c.name === 'spool')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/timed out/),
    });
    expect(r.status).toBe('UNHEALTHY');
    expect(r.checks.find((c) => c.name === 'database')?.message).toMatch(/disk I\/O error/);
  });

  it('fires an alert once, stores it, shows it in tmux and the snapshot, and resolves it', async () => {
    const { clock, monitor, tmuxCalls, setStats } = setup({
      resolveAfterMs: 10_000,
      alerts: { oldestAge: { ms: 60_000 } },
    });
    monitor.start();
    setStats({ pending: 3, oldestPendingAgeMs: 120_000 });
    for (let i = 0; i < 3; i++) {
      clock.t += 5000;
      await monitor.tick();
    }
    const snap = monitor.snapshot();
    expect(snap.alerts.active.map((a) => a.rule)).toEqual(['oldestAge']);
    expect(tmuxCalls).toHaveLength(1);
    expect(tmuxCalls[0]?.[0]).toBe('display-message');
    expect(tmuxCalls[0]?.at(-1)).toMatch(/oldestAge FIRING/);
    setStats({});
    for (let i = 0; i < 4; i++) {
      clock.t += 5000;
      await monitor.tick();
    }
    expect(monitor.snapshot().alerts.active).toEqual([]);
    expect(monitor.snapshot().alerts.recent.map((t) => t.state)).toEqual(['resolved', 'firing']);
    const stored = db.prepare('SELECT rule, state, value, threshold FROM monitor_alerts ORDER BY id').all();
    expect(stored).toEqual([
      { rule: 'oldestAge', state: 'firing', value: 120_000, threshold: 60_000 },
      { rule: 'oldestAge', state: 'resolved', value: 0, threshold: 60_000 },
    ]);
  });

  it('a slow alert webhook does not slow the caller: events are processed while the webhook hangs', async () => {
    const received: string[] = [];
    let answered = false;
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const url = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        void held.then(() => {
          answered = true;
          res.end('ok');
        });
      });
    });
    const { events, clock, monitor, setStats } = setup({
      alerts: { oldestAge: { ms: 1000 } },
      notify: { webhookUrl: url, webhookTimeoutMs: 20_000 },
    });
    monitor.start();
    await fireOldestAge(monitor, clock, setStats);
    // The webhook request is now held open by the server. The monitor keeps taking events and ticks meanwhile.
    await waitFor(() => received.length === 1);
    const t0 = clock.t;
    for (let i = 1; i <= 500; i++)
      events.emit('task:delivered', task(i, t0 - 100, { intake: 1, wait: 1, delivery: 5 }));
    clock.t += 5000;
    await monitor.tick();
    expect(monitor.snapshot().throughput.totals.delivered).toBe(500);
    expect(answered).toBe(false);
    const body = JSON.parse(received[0] ?? '{}') as { text: string; content: string };
    expect(body.text).toMatch(/oldestAge FIRING/);
    expect(body.content).toBe(body.text);
    release();
  });

  it('gives up on a webhook that never answers after its attempts, without blocking close', async () => {
    let hits = 0;
    const url = await listen(() => {
      hits++; /* never answers */
    });
    const { clock, monitor, setStats } = setup({
      notify: { webhookUrl: url, webhookTimeoutMs: 200, webhookAttempts: 2 },
    });
    monitor.start();
    await fireOldestAge(monitor, clock, setStats);
    await waitFor(() => hits === 2, 10_000);
    await waitFor(() => /result="failed"} 1/.test(monitor.prometheus()), 10_000);
  });

  it('serves /metrics text that a Prometheus text parser reads, with conventional names and histogram buckets', async () => {
    const { events, clock, monitor, setStats } = setup();
    monitor.start();
    setStats({
      received: 3,
      successful: 2,
      failed: 1,
      depth: {
        queued: 1,
        delivering: 0,
        retrying: 0,
        delivered: 2,
        working: 0,
        completed: 0,
        stalled: 0,
        dead: 1,
        dropped: 0,
        forwarded: 0,
      },
      pending: 1,
    });
    for (const [i, d] of [
      [1, 0.5],
      [2, 30],
    ] as const)
      events.emit('task:delivered', task(i, clock.t - 100, { intake: 1, wait: 1, delivery: d }));
    clock.t += 5000;
    await monitor.tick();
    await monitor.health();
    const text = monitor.prometheus();
    const families = parsePrometheusTextFormat(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    expect(byName.get('webhook_tui_deliveries_total')?.type).toBe('COUNTER');
    expect(byName.get('webhook_tui_deliveries_total')?.metrics).toEqual([
      { value: '2', labels: { outcome: 'delivered' } },
      { value: '1', labels: { outcome: 'dead' } },
    ]);
    const hist = byName.get('webhook_tui_delivery_duration_seconds');
    expect(hist?.type).toBe('HISTOGRAM');
    const sample = hist?.metrics[0];
    expect(sample?.count).toBe('2');
    expect(sample?.buckets?.['+Inf']).toBe('2');
    expect(sample?.buckets?.['0.001']).toBe('1');
    expect(sample?.buckets?.['0.025']).toBe('1');
    expect(sample?.buckets?.['0.05']).toBe('2');
    expect(Number(sample?.sum)).toBeCloseTo(0.0305, 6);
    expect(byName.get('webhook_tui_queue_tasks')?.metrics.find((m) => m.labels?.state === 'dead')?.value).toBe('1');
    expect(byName.get('process_resident_memory_bytes')?.type).toBe('GAUGE');
    expect(byName.get('webhook_tui_health_status')?.metrics[0]?.value).toBe('0');
    // Structure the lenient parser does not check: TYPE precedes samples, names follow conventions, no duplicates.
    const typed = new Set<string>();
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# TYPE ')) {
        const name = line.split(' ')[2] ?? '';
        expect(typed.has(name)).toBe(false);
        typed.add(name);
      } else if (!line.startsWith('#')) {
        const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
        expect([...typed].some((t) => name === t || name.startsWith(`${t}_`))).toBe(true);
      }
    }
    for (const f of families) {
      expect(f.name).toMatch(/^(webhook_tui_|process_)/);
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
    }
  });

  it('raises the health alert from an UNHEALTHY health result on the next sample', async () => {
    const { clock, monitor } = setup({}, { tmuxReachable: async () => false });
    monitor.start();
    await monitor.health();
    clock.t += 5000;
    await monitor.tick();
    expect(monitor.snapshot().alerts.active).toMatchObject([
      { rule: 'health', severity: 'critical', message: 'health UNHEALTHY' },
    ]);
    expect(monitor.prometheus()).toMatch(/webhook_tui_alert_active\{rule="health"\} 1/);
  });

  it('close is idempotent and stops listening', async () => {
    const { events, monitor } = setup();
    monitor.start();
    await Promise.all([monitor.close(), monitor.close()]);
    events.emit('task:queued', task(1, 0, { intake: 1, wait: 1, delivery: 1 }));
    expect(monitor.snapshot().throughput.totals.received).toBe(0);
    expect(events.listenerCount('task:queued')).toBe(0);
  });
});
