import { describe, expect, it } from 'vitest';
import type { HistoryPoint, MonitorSnapshot } from '../../src/engine/monitor/types.js';
import type { EngineEventMap, EngineSnapshot, LogEntry, Task } from '../../src/engine/types.js';
import { snapshotCsv, exportStem } from '../../src/tui/export.js';
import { LocalStats, percentileSummary } from '../../src/tui/local-stats.js';
import { asMonitor, monitorView, type HistoryPointLike, type MonitorLike } from '../../src/tui/monitor-view.js';
import { initialUiState } from '../../src/tui/state.js';
import { fromLogEntry, LogRing, logView } from '../../src/tui/vm-log.js';
import { EventEmitter } from 'node:events';
import { TaskEventLog } from '../../src/engine/logs/task-events.js';
import { loggerFrom } from '../../src/engine/ports/logger.js';
import {
  alertLines,
  footerLine,
  historySeries,
  metricsLines,
  percentileLines,
  statusLines,
  clusterLines,
} from '../../src/tui/vm-panels.js';
import { deadView, detailLines, filterTasks, queueView, windowStart } from '../../src/tui/vm-tasks.js';
import { lineText, type StyledLine } from '../../src/widgets/styled.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

function task(over: Partial<Task>): Task {
  return {
    id: 1,
    text: 'echo hi',
    target: 'default',
    priority: 0,
    category: 'default',
    idemKey: null,
    source: 'http',
    state: 'queued',
    attempts: 0,
    nextAttemptAt: T0,
    errors: [],
    receivedAt: T0,
    committedAt: T0 + 2,
    startedAt: null,
    deliveredAt: null,
    finishedAt: null,
    ...over,
  };
}

function snapshot(over: Partial<EngineSnapshot> = {}): EngineSnapshot {
  const depth = {
    queued: 2,
    delivering: 1,
    retrying: 0,
    delivered: 10,
    working: 0,
    completed: 0,
    stalled: 0,
    dead: 1,
    dropped: 0,
    forwarded: 0,
  };
  return {
    at: T0 + 65_000,
    startedAt: T0,
    pid: 1,
    version: '0.1.0',
    paused: false,
    stats: {
      totalProcessed: 11,
      successful: 10,
      failed: 1,
      failedAttempts: 2,
      retries: 1,
      rateLimited: 0,
      received: 14,
      deduplicated: 0,
      avgProcessingMs: 5,
      avgEndToEndMs: 9,
      peakQueueSize: 3,
      depth,
      pending: 3,
      capacity: 100,
      oldestPendingAgeMs: 0,
      paused: false,
    },
    targets: [
      {
        name: 'default',
        pane: '%1',
        profile: 'shell',
        preset: null,
        state: 'ready',
        reason: null,
        present: true,
        activity: 'idle',
        inMode: false,
        currentCommand: 'bash',
      },
      {
        name: 'ci',
        pane: '%7',
        profile: 'agent',
        preset: null,
        state: 'missing',
        reason: 'the pane does not exist',
        present: false,
        activity: 'unknown',
        inMode: false,
        currentCommand: null,
      },
    ],
    pending: [
      task({ id: 3, priority: 5, state: 'delivering' }),
      task({ id: 4, text: 'deploy web' }),
      task({ id: 5, target: 'ci', text: 'run \x1b[2J tests' }),
    ],
    dead: [
      task({
        id: 2,
        state: 'dead',
        attempts: 3,
        errors: [{ attempt: 3, at: T0, code: 'WHT_ERR_TARGET_MISSING', message: 'pane %7 gone' }],
      }),
    ],
    ...over,
  };
}

const texts = (lines: StyledLine[]): string[] => lines.map(lineText);

describe('task lists', () => {
  it('queue rows show id, state, target, age and the text cut to the width', () => {
    const v = queueView(snapshot().pending, '', 0, 10, 60, T0 + 65_000);
    expect(lineText(v.header)).toMatch(/^\s+id pri state\s+target\s+age text/);
    const rows = texts(v.lines);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/#3\s+5 sending default\s+1m05s echo hi/);
    for (const r of rows) expect(r.length).toBe(60);
    expect(rows[2]).toContain('run <U+001B>[2J tests');
    expect(v.lines[0]!.every((s) => s.inverse)).toBe(true);
    expect(v.lines[1]!.some((s) => s.inverse)).toBe(false);
  });

  it('narrow queue rows drop the priority column', () => {
    expect(lineText(queueView([], '', 0, 5, 50, T0).header)).not.toContain('pri');
  });

  it('dead rows show attempts and the last error without the WHT_ERR_ prefix', () => {
    const v = deadView(snapshot().dead, '', 0, 5, 90, T0 + 5000);
    expect(texts(v.lines)[0]).toMatch(/#2 default\s+3\s+5.0s TARGET_MISSING: pane %7 gone/);
  });

  it('filters by text, target, id and error, case-insensitively', () => {
    const s = snapshot();
    expect(filterTasks(s.pending, 'DEPLOY').map((t) => t.id)).toEqual([4]);
    expect(filterTasks(s.pending, 'ci').map((t) => t.id)).toEqual([5]);
    expect(filterTasks(s.pending, '#3').map((t) => t.id)).toEqual([3]);
    expect(filterTasks(s.dead, 'gone').map((t) => t.id)).toEqual([2]);
  });

  it('keeps the selected row inside the visible window and clamps the selection', () => {
    expect(windowStart(100, 50, 10)).toBe(45);
    expect(windowStart(100, 99, 10)).toBe(90);
    expect(windowStart(5, 4, 10)).toBe(0);
    const many = Array.from({ length: 30 }, (_, i) => task({ id: i + 1 }));
    const v = queueView(many, '', 99, 6, 60, T0);
    expect(v.selected).toBe(29);
    expect(texts(v.lines).at(-1)).toContain('#30');
  });

  it('detail shows full text, stage timestamps and attempt history', () => {
    const t = task({
      id: 7,
      state: 'dead',
      text: 'x'.repeat(120),
      attempts: 2,
      startedAt: T0 + 10,
      finishedAt: T0 + 20,
      errors: [
        { attempt: 1, at: T0 + 10, code: 'WHT_ERR_TMUX_FAILED', message: 'no server' },
        { attempt: 2, at: T0 + 20, code: 'WHT_ERR_TMUX_FAILED', message: 'no server' },
      ],
    });
    const lines = texts(detailLines(t, 50, T0 + 60_000));
    expect(lines[0]).toBe('Task #7  dead');
    expect(lines.join('\n')).toContain('received   12:00:00 (1m00s ago)');
    expect(lines.filter((l) => /^x+$/.test(l)).join('')).toHaveLength(120);
    expect(lines.filter((l) => l.startsWith('#')).length).toBe(2);
    expect(texts(detailLines(undefined, 50, T0))[0]).toContain('not found');
  });

  it('shows a completed task with its duration, exit code and output, line by line', () => {
    const t = task({
      id: 9,
      state: 'completed',
      deliveredAt: T0,
      workingAt: T0 + 200,
      completedAt: T0 + 61_000,
      finishedAt: T0 + 61_000,
      exitCode: 2,
      output: 'first line\n\nthird \x1b[31mline',
      outputBytes: 27,
    });
    const lines = texts(detailLines(t, 50, T0 + 62_000));
    expect(lines[0]).toBe('Task #9  completed');
    expect(lines).toContain('completed  12:01:01 (1.0s ago)   took 1m01s');
    expect(lines).toContain('exit code  2');
    const at = lines.indexOf('Output (27 bytes)');
    expect(lines.slice(at + 1)).toEqual(['first line', '', 'third <U+001B>[31mline']);
  });
});

describe('status line', () => {
  const local = new LocalStats(T0).view(T0, { cpuPercent: 1, rssBytes: 1, totalMemBytes: 10 });
  it('shows PAUSED unmissably (bold, inverse) first', () => {
    const [line] = statusLines(
      {
        now: T0,
        mode: 'embedded',
        snapshot: snapshot({ paused: true }),
        monitor: local,
        frozen: false,
        connected: true,
      },
      120,
      1,
    );
    expect(line![0]).toMatchObject({ text: ' PAUSED ', bold: true, inverse: true });
  });

  it('shows mode, uptime, pending/capacity, dead count and each target', () => {
    const text = lineText(
      statusLines(
        { now: T0 + 65_000, mode: 'attached', snapshot: snapshot(), monitor: local, frozen: true, connected: false },
        200,
        1,
      )[0]!,
    );
    expect(text).toContain('RUNNING');
    expect(text).toContain('FROZEN');
    expect(text).toContain('DISCONNECTED');
    expect(text).toContain('attached up 1m05s pend 3/100 dead 1');
    expect(text).toContain('default:ready ci:missing');
  });

  it("cluster mode: shows the node, nodes up, Redis trouble, the backlog, and marks other nodes' targets", () => {
    const base = snapshot();
    const cluster = {
      node: 'alpha',
      redis: 'unix:/r.sock',
      state: 'disconnected' as const,
      reason: 'down',
      lastHeartbeatAt: null,
      backlog: 7,
      forwarded: {},
      received: {},
      rejected: 0,
      nodes: [
        { node: 'alpha', alive: true, health: 'HEALTHY', backlog: 7, targets: [] },
        {
          node: 'beta',
          alive: true,
          health: 'HEALTHY',
          backlog: 0,
          targets: [{ name: 'b1', pool: null, state: 'ready', depth: 0 }],
        },
        {
          node: 'gamma',
          alive: false,
          health: 'HEALTHY',
          backlog: 0,
          targets: [{ name: 'g1', pool: 'crew', state: 'ready', depth: 2 }],
        },
      ],
    };
    const snap = { ...base, stats: { ...base.stats, cluster } };
    const text = lineText(
      statusLines(
        { now: T0, mode: 'embedded', snapshot: snap, monitor: local, frozen: false, connected: true },
        300,
        1,
      )[0]!,
    );
    expect(text).toContain('cluster alpha 2/3 up redis disconnected backlog 7');
    expect(text).toContain('default:ready ci:missing b1@beta:ready g1@gamma:down');
    // The cluster panel (c): this node, then every node with its targets.
    const panel = clusterLines(cluster, 100).map(lineText);
    expect(panel[0]).toContain('this node alpha  unix:/r.sock  disconnected down');
    expect(panel[1]).toBe('backlog 7  forwarded none  received none  refused 0');
    expect(panel).toContain('gamma         DOWN  health HEALTHY  backlog 0');
    expect(panel).toContain('    g1 (pool crew): down, 2 queued');
    expect(panel).toContain('    b1: ready, 0 queued');
    expect(clusterLines(undefined, 100).map(lineText)[0]).toContain('Cluster mode is off');
    // A single node shows none of it.
    const single = lineText(
      statusLines(
        { now: T0, mode: 'embedded', snapshot: base, monitor: local, frozen: false, connected: true },
        300,
        1,
      )[0]!,
    );
    expect(single).not.toContain('cluster');
  });

  it('fits the width, and uses two rows in compact mode', () => {
    const input = {
      now: T0,
      mode: 'embedded' as const,
      snapshot: snapshot(),
      monitor: local,
      frozen: false,
      connected: true,
    };
    expect(lineText(statusLines(input, 30, 1)[0]!).length).toBeLessThanOrEqual(30);
    const two = statusLines(input, 60, 2);
    expect(two).toHaveLength(2);
    expect(lineText(two[1]!)).toContain('default:ready');
  });
});

const monitor: MonitorLike = {
  at: T0,
  latency: {
    intake: {
      lastMinute: { count: 3, p50Ms: 1, p95Ms: 2, p99Ms: 2, maxMs: 3 },
      sinceStart: { count: 9, p50Ms: 1, p95Ms: 2, p99Ms: 4, maxMs: 5 },
    },
    wait: {
      lastMinute: { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 },
      sinceStart: { count: 9, p50Ms: 10, p95Ms: 20, p99Ms: 40, maxMs: 50 },
    },
    delivery: {
      lastMinute: { count: 3, p50Ms: 100, p95Ms: 200, p99Ms: 250, maxMs: 300 },
      sinceStart: { count: 9, p50Ms: 100, p95Ms: 200, p99Ms: 250, maxMs: 300 },
    },
    endToEnd: {
      lastMinute: { count: 3, p50Ms: 120, p95Ms: 1500, p99Ms: 1900, maxMs: 2000 },
      sinceStart: { count: 9, p50Ms: 120, p95Ms: 1500, p99Ms: 1900, maxMs: 65_000 },
    },
  },
  throughput: {
    intervalMs: 1000,
    series: [
      { at: T0, received: 2, delivered: 1, failed: 0 },
      { at: T0 + 1000, received: 4, delivered: 3, failed: 1 },
    ],
    successRate: 0.75,
  },
  resources: {
    engine: { cpuPercent: 12.5, rssBytes: 50 * 1024 * 1024 },
    system: { totalMemBytes: 1000 * 1024 * 1024 },
  },
  health: { status: 'DEGRADED', failing: ['target:ci'] },
  alerts: {
    active: [{ rule: 'queueDepth', severity: 'critical', since: T0 - 90_000, message: 'pending 900 > 800' }],
    recent: [{ at: T0 - 5000, rule: 'cpu', state: 'resolved', severity: 'warning', message: 'cpu back to 10%' }],
  },
};

describe('monitor block', () => {
  it('MonitorSnapshot and HistoryPoint fit what the dashboard reads (compile-time check)', () => {
    const fits = (m: MonitorSnapshot, h: HistoryPoint): [MonitorLike, HistoryPointLike] => [m, h];
    expect(fits).toBeTypeOf('function');
  });

  it('reads a MonitorSnapshot-shaped block and ignores anything else', () => {
    expect(asMonitor(monitor)).toBe(monitor);
    expect(asMonitor(undefined)).toBeUndefined();
    expect(asMonitor({ foo: 1 })).toBeUndefined();
    const v = monitorView(monitor);
    expect(v).toMatchObject({
      source: 'monitor',
      cpuPercent: 12.5,
      successRate: 0.75,
      received: [2, 4],
      delivered: [1, 3],
      failed: [0, 1],
    });
  });

  it('metrics: four gauges beside four sparklines, each line within the width', () => {
    const lines = texts(
      metricsLines({ monitor: monitorView(monitor), snapshot: snapshot(), e2eSeries: [100, 900, 300] }, 60),
    );
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^cpu\s+\[#+\s*\]\s+12\.5% in\s+/);
    expect(lines[1]).toContain('50M');
    expect(lines[2]).toMatch(/queue\s+\[/);
    expect(lines[3]).toContain('75.0%');
    expect(lines[2]).toContain('900ms');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
  });

  it('latency table: last minute always, since start when wide enough; empty windows show -', () => {
    const narrow = texts(percentileLines(monitor.latency, 40));
    expect(narrow[0]).toMatch(/^1m\s+p50\s+p95\s+p99\s+max$/);
    expect(narrow[2]).toMatch(/^wait\s+-\s+-\s+-\s+-$/);
    expect(narrow[4]).toMatch(/^e2e\s+120ms\s+1\.5s\s+1\.9s\s+2\.0s$/);
    // 58 columns: the latency panel inside the 120x40 layout shows both windows
    expect(texts(percentileLines(monitor.latency, 58))[0]).toMatch(/max \|all p50 +p95 +p99 +max$/);
    expect(texts(percentileLines(monitor.latency, 57))[0]).not.toContain('|all');
    const wide = texts(percentileLines(monitor.latency, 70));
    expect(wide[0]).toContain('|all p50');
    expect(wide[4]).toMatch(/1m05s$/);
  });

  it('alerts: active first with age, then recent transitions; filterable', () => {
    const lines = texts(alertLines(monitor.alerts, '', 80, T0));
    expect(lines[0]).toBe('CRITICAL queueDepth 1m30s: pending 900 > 800');
    expect(lines[1]).toContain('resolved cpu');
    expect(texts(alertLines(monitor.alerts, 'cpu', 80, T0))).toHaveLength(1);
    expect(texts(alertLines({ active: [], recent: [] }, '', 80, T0))).toEqual(['No alerts.']);
  });

  it('history: per-minute throughput and p95 series', () => {
    const zero = { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    const pt = (at: number, delivered: number, p95: number) => ({
      at,
      delivered,
      failed: 0,
      resolutionMs: 60_000,
      latency: { intake: zero, wait: zero, delivery: zero, endToEnd: { ...zero, p95Ms: p95 } },
    });
    const [tput, lat] = historySeries([pt(T0, 30, 100), pt(T0 + 60_000, 60, 250)]);
    expect(tput).toMatchObject({ x: ['12:00', '12:01'], y: [30, 60] });
    expect(lat?.y).toEqual([100, 250]);
  });
});

describe('footer', () => {
  it('shows a confirm prompt, a filter being typed, a flash, or key hints', () => {
    const s = initialUiState();
    expect(
      lineText(
        footerLine(
          { ...s, prompt: { kind: 'confirm', message: 'Drop task #2?', effect: { type: 'drop', id: 2 } } },
          80,
          T0,
        ),
      ),
    ).toContain('Drop task #2?  y = yes');
    expect(lineText(footerLine({ ...s, prompt: { kind: 'filter', list: 'log', text: 'err' } }, 80, T0))).toContain(
      'filter log: err_',
    );
    expect(lineText(footerLine({ ...s, flash: { text: 'Exported', tone: 'ok', until: T0 + 1 } }, 80, T0))).toContain(
      'Exported',
    );
    expect(lineText(footerLine({ ...s, flash: { text: 'Exported', tone: 'ok', until: T0 - 1 } }, 80, T0))).toContain(
      'q quit',
    );
  });
});

describe('log pane', () => {
  it('keeps only the newest lines (ring buffer)', () => {
    const ring = new LogRing(3);
    for (let i = 1; i <= 5; i += 1) ring.push({ at: T0, level: 'info', text: `line ${i}` });
    expect(ring.lines().map((l) => l.text)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(ring.version).toBe(5);
  });

  it('shows the tail, scrolls up, filters, and cuts lines to the width', () => {
    const lines = Array.from({ length: 20 }, (_, i) => ({
      at: T0,
      level: i % 5 === 0 ? ('error' as const) : ('info' as const),
      text: `event ${i} ${'x'.repeat(100)}`,
    }));
    const tail = logView(lines, '', 0, 3, 40);
    expect(texts(tail.lines).map((l) => l.slice(15, 23))).toEqual(['event 17', 'event 18', 'event 19']);
    for (const l of texts(tail.lines)) expect(l.length).toBeLessThanOrEqual(40);
    expect(texts(logView(lines, '', 5, 3, 40).lines)[2]).toContain('event 14');
    expect(logView(lines, '', 500, 3, 40).scroll).toBe(17);
    expect(logView(lines, 'error', 0, 10, 80).count).toBe(4);
  });

  it('formats log entries and task events as single safe lines', () => {
    expect(
      fromLogEntry({ at: T0, level: 'warn', msg: 'spool rejected', name: 'a\nb', size: 3, nested: { x: 1 } }).text,
    ).toBe('spool rejected name=a⏎b size=3');
    // Task events reach the pane as the engine's log entries (logs/task-events.ts), in short form.
    const events = new EventEmitter<EngineEventMap>();
    const entries: LogEntry[] = [];
    new TaskEventLog(
      events,
      loggerFrom((level, msg, fields) => entries.push({ ...fields, at: T0, level, msg })),
    ).start();
    const t = task({ id: 9, attempts: 2, deliveredAt: T0 + 1500 });
    events.emit('task:delivered', t);
    events.emit('task:dead', t, { attempt: 2, at: T0, code: 'WHT_ERR_TARGET_MISSING', message: 'gone' });
    expect(entries.map((e) => fromLogEntry(e).text)).toEqual([
      'delivered #9 -> default in 1.5s',
      'dead #9 -> default attempts=2 code=WHT_ERR_TARGET_MISSING error=gone',
    ]);
    expect(fromLogEntry(entries[1]!).level).toBe('error');
  });
});

describe('LocalStats (fallback without a monitor block)', () => {
  it('counts per second and computes stage percentiles from delivered tasks', () => {
    const ls = new LocalStats(T0);
    ls.received(T0 + 100);
    ls.received(T0 + 1100);
    ls.delivered(task({ receivedAt: T0, committedAt: T0 + 1, startedAt: T0 + 11, deliveredAt: T0 + 111 }), T0 + 1200);
    ls.failed(T0 + 1300);
    const s = ls.series(T0 + 1500, 10);
    expect(s.received).toEqual([1, 1]);
    expect(s.delivered).toEqual([0, 1]);
    expect(s.e2eMaxMs).toEqual([0, 111]);
    const v = ls.view(T0 + 1500, { cpuPercent: null, rssBytes: null, totalMemBytes: null });
    expect(v.latency.delivery.lastMinute).toMatchObject({ count: 1, p50Ms: expect.closeTo(100, 0) });
    expect(v.latency.wait.lastMinute.p99Ms).toBeCloseTo(10, 1);
    expect(v.successRate).toBe(0.5);
    expect(
      ls.view(T0 + 120_000, { cpuPercent: null, rssBytes: null, totalMemBytes: null }).latency.endToEnd,
    ).toMatchObject({ lastMinute: { count: 0 }, sinceStart: { count: 1 } });
  });

  it('percentiles use nearest rank (the HDR histogram: within its 0.1% precision)', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const s = percentileSummary(values);
    expect(s.count).toBe(100);
    for (const [got, want] of [
      [s.p50Ms, 50],
      [s.p95Ms, 95],
      [s.p99Ms, 99],
      [s.maxMs, 100],
    ] as const) {
      expect(Math.abs(got - want) / want).toBeLessThanOrEqual(0.001);
    }
    expect(percentileSummary([]).count).toBe(0);
  });
});

describe('export', () => {
  it('writes pending and dead tasks as RFC 4180 CSV with formulas neutralised', () => {
    const csv = snapshotCsv(
      snapshot({
        pending: [task({ id: 1, text: '=HYPERLINK("x")' })],
        dead: [task({ id: 2, state: 'dead', text: 'a,b' })],
      }),
    );
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'id,state,target,priority,category,source,attempts,receivedAt,committedAt,startedAt,deliveredAt,finishedAt,lastError,text',
    );
    expect(rows[1]).toMatch(/,"'=HYPERLINK\(""x""\)"$/);
    expect(rows[2]).toMatch(/^2,dead,.*,"a,b"$/);
  });

  it('names files by UTC time', () => {
    expect(exportStem(T0)).toBe('webhook-tui-snapshot-20261126T120000Z');
  });
});
