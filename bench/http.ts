/**
 * HTTP benchmark: webhook-tui beside adnanh/webhook (Debian package `webhook`) in one script. Prints figures; never
 * passes or fails on time. 127.0.0.1 only; bounded request counts; every process and tmux server it starts is
 * stopped by PID or socket name at the end.
 *
 *   npm run bench:http -- [--requests 20000] [--concurrency 50] [--baseline-requests 2000]
 *                         [--e2e 250] [--e2e-rate 50] [--burst 2000] [--burst-rate 500] [--burst-runs 3] [--skip-adnanh] [--skip-e2e]
 *
 * 1. Accepted throughput: closed loop, N keep-alive clients; webhook-tui answers 202 after the SQLite commit
 *    (delivery paused so the figure is intake only); adnanh/webhook answers 200 before its command runs.
 * 2. End to end at a steady rate, one sender on one keep-alive connection: request sent -> line seen by the pane
 *    recorder (test/fixtures/recorder.mjs). Delivery is the engine's (today: ExecTmux, three tmux processes per task).
 * 3. Burst: lost, duplicated and out-of-order lines in the pane.
 * Steps 2 and 3 use one sender on one keep-alive connection, so send order is arrival order. Latency is given from
 * the time a request was due (includes waiting behind the previous answer on that connection) and from the time it
 * went on the wire.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { percentileOf } from '../src/engine/loadtest/histogram.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { resolveConfig } from '../src/engine/config/resolve.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { hooksConfigSchema, httpConfigSchema } from '../src/engine/intake/http/config.js';
import { startHttpServer, type RunningHttpServer } from '../src/engine/intake/http/server.js';
import { systemClock } from '../src/engine/ports/clock.js';
import { silentLogger } from '../src/engine/ports/logger.js';
import type { EngineApi } from '../src/engine/types.js';
import type { LoadJob, LoadResult } from './http-load.js';

const { values: opt } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    'baseline-requests': { type: 'string', default: '2000' },
    e2e: { type: 'string', default: '250' },
    'e2e-rate': { type: 'string', default: '50' },
    burst: { type: 'string', default: '2000' },
    'burst-rate': { type: 'string', default: '500' },
    'burst-runs': { type: 'string', default: '3' },
    'skip-adnanh': { type: 'boolean', default: false },
    'skip-e2e': { type: 'boolean', default: false },
  },
});
const N = Number(opt.requests);
const C = Number(opt.concurrency);
const RECORDER = resolve('test/fixtures/recorder.mjs');
const TMUX_SOCKET = `wht-bench-http-${process.pid}-${randomBytes(3).toString('hex')}`;
const TOKEN = randomBytes(24).toString('base64url');
const WHSEC = `whsec_${randomBytes(32).toString('base64')}`;
const tmp = mkdtempSync(join(tmpdir(), 'wht-bench-http-'));
const children: ChildProcess[] = [];

// ---- helpers -------------------------------------------------------------------------------------------------

const tmux = (...args: string[]): string =>
  execFileSync('tmux', ['-L', TMUX_SOCKET, ...args], { encoding: 'utf8' }).trim();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

async function recorderPane(name: string): Promise<{ pane: string; file: string }> {
  const file = join(tmp, `${name}.rec`);
  const pane = tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '200',
    '-y',
    '50',
    '-P',
    '-F',
    '#{pane_id}',
    process.execPath,
    RECORDER,
    file,
  );
  const ok = await waitFor(
    () => existsSync(file) && tmux('capture-pane', '-p', '-t', pane).includes('RECORDER READY'),
    10_000,
  );
  if (!ok) throw new Error(`recorder in ${name} did not start`);
  return { pane, file };
}

function recordedLines(file: string): Array<{ t: number; line: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: number; line: string });
}

function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((res, rej) => {
    const w = new Worker(new URL('./http-load.js', import.meta.url), { workerData: job });
    w.once('message', (m: LoadResult | { error: string }) => ('error' in m ? rej(new Error(m.error)) : res(m)));
    w.once('error', rej);
  });
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(44) : c.padStart(14))).join('');

function throughputRow(name: string, r: LoadResult): string {
  const rps = (r.sent / r.elapsedMs) * 1000;
  const codes =
    Object.entries(r.statuses)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ') + (r.errors ? ` err:${r.errors}` : '');
  return (
    row([
      name,
      `${rps.toFixed(0)} req/s`,
      ms(r.latency.count ? r.latency.percentile(50) / 1000 : NaN),
      ms(r.latency.count ? r.latency.percentile(99) / 1000 : NaN),
      `${r.sent}`,
    ]) + `   ${codes}`
  );
}

/**
 * The engine's API without enqueueMany: the shipped HTTP batcher then commits once per request. The engine itself
 * (the shipped path, rows 1-2) group-commits the requests of one event-loop turn through queue/admission.ts.
 */
function oneCommitPerRequest(engine: Engine): EngineApi {
  return {
    enqueue: (i) => engine.enqueue(i),
    getTask: (id) => engine.getTask(id),
    listTasks: (q) => engine.listTasks(q),
    retry: (id) => engine.retry(id),
    retryAllDead: () => engine.retryAllDead(),
    drop: (id) => engine.drop(id),
    pause: () => engine.pause(),
    resume: () => engine.resume(),
    isPaused: () => engine.isPaused(),
    stats: () => engine.stats(),
    snapshot: () => engine.snapshot(),
  };
}

// ---- systems under test -------------------------------------------------------------------------------------

let seq = 0;
async function startWebhookTui(
  target: string | null,
  perRequest = false,
): Promise<{ engine: Engine; server: RunningHttpServer; stop(): Promise<void> }> {
  const dir = join(tmp, `wt-${++seq}`);
  const config = resolveConfig(
    {
      dataDir: dir,
      spool: { dir: join(dir, 'spool') },
      queue: { capacity: 10_000_000, rateLimit: { perSecond: 0 } },
      tmux: { socketName: TMUX_SOCKET },
      targets: target ? { default: { pane: target } } : {},
      http: { enabled: false }, // the bench starts its own server below
    },
    {},
  );
  const engine = await createEngine(config, { tmuxPane: undefined });
  if (target) await engine.start();
  else engine.pause(); // intake only: the figure is HTTP + validation + SQLite commit
  const server = await startHttpServer({
    api: perRequest ? oneCommitPerRequest(engine) : engine,
    // The per-client rate limit is for the open internet; the bench measures capacity, so it is off here.
    config: httpConfigSchema.parse({ port: 0, rateLimit: { enabled: false } }),
    hooks: hooksConfigSchema.parse({ signed: { auth: { type: 'standard', secret: WHSEC } }, bench: {} }),
    token: TOKEN,
    ready: async () => ({ ok: true, checks: {} }),
    clock: systemClock,
    logger: silentLogger,
  });
  return {
    engine,
    server,
    stop: async () => {
      await server.close(1000);
      await engine.close();
    },
  };
}

async function startAdnanh(pane: string): Promise<{ url: string; stop(): void }> {
  const script = join(tmp, 'send.sh');
  writeFileSync(
    script,
    `#!/bin/sh\nexec tmux -L ${TMUX_SOCKET} send-keys -t '${pane}' -l -- "$1" \\; send-keys -t '${pane}' Enter\n`,
  );
  chmodSync(script, 0o755);
  const hooks = join(tmp, `hooks-${++seq}.json`);
  writeFileSync(
    hooks,
    JSON.stringify([
      {
        id: 'bench',
        'execute-command': script,
        'response-message': 'ok',
        'pass-arguments-to-command': [{ source: 'payload', name: 'command' }],
      },
    ]),
  );
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn('webhook', ['-hooks', hooks, '-ip', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const up = await (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`${url}/hooks/none`);
        return true;
      } catch {
        await sleep(50);
      }
    }
    return false;
  })();
  if (!up) throw new Error('adnanh/webhook did not start');
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}

// ---- runs -----------------------------------------------------------------------------------------------------

async function throughput(): Promise<void> {
  console.log(`\n## 1. Accepted throughput: ${C} keep-alive clients, closed loop, 127.0.0.1`);
  console.log(row(['', 'throughput', 'p50', 'p99', 'requests']));
  const wt = await startWebhookTui(null);
  await load({ url: wt.server.url, concurrency: C, requests: 500, mode: { kind: 'v1', token: TOKEN }, tag: 'warm' });
  console.log(
    throughputRow(
      'webhook-tui POST /v1/tasks (202 after commit)',
      await load({ url: wt.server.url, concurrency: C, requests: N, mode: { kind: 'v1', token: TOKEN }, tag: 'v1' }),
    ),
  );
  console.log(
    throughputRow(
      'webhook-tui POST /hooks (standard-webhooks)',
      await load({
        url: wt.server.url,
        concurrency: C,
        requests: N,
        mode: { kind: 'standard-hook', hook: 'signed', secret: WHSEC },
        tag: 'sw',
      }),
    ),
  );
  const stored = wt.engine.stats().received;
  await wt.stop();
  const gc = await startWebhookTui(null, true);
  await load({ url: gc.server.url, concurrency: C, requests: 500, mode: { kind: 'v1', token: TOKEN }, tag: 'warm' });
  console.log(
    throughputRow(
      '  same, one commit per request (no enqueueMany)',
      await load({ url: gc.server.url, concurrency: C, requests: N, mode: { kind: 'v1', token: TOKEN }, tag: 'v1gc' }),
    ),
  );
  console.log(
    throughputRow(
      '  same, one commit per request, /hooks std-webhooks',
      await load({
        url: gc.server.url,
        concurrency: C,
        requests: N,
        mode: { kind: 'standard-hook', hook: 'signed', secret: WHSEC },
        tag: 'swgc',
      }),
    ),
  );
  const storedGc = gc.engine.stats().received;
  await gc.stop();
  console.log(
    `   (committed in SQLite: ${stored} tasks with group commit (the engine), ${storedGc} one commit per request; warm-up of 500 included)`,
  );
  if (!opt['skip-adnanh']) {
    const sink = tmux('new-session', '-d', '-s', 'sink', '-P', '-F', '#{pane_id}', 'sh', '-c', 'cat > /dev/null');
    const ad = await startAdnanh(sink);
    const nb = Number(opt['baseline-requests']);
    console.log(
      throughputRow(
        'adnanh/webhook (200 before the command runs)',
        await load({
          url: ad.url,
          concurrency: C,
          requests: nb,
          mode: { kind: 'plain-hook', path: '/hooks/bench' },
          tag: 'ad',
        }),
      ),
    );
    ad.stop();
  }
  // ceiling: a bare node:http server that answers 202 without doing anything, same generator, same machine
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"id":1}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as AddressInfo).port;
  console.log(
    throughputRow(
      'bare node:http 202, no work (ceiling here)',
      await load({
        url: `http://127.0.0.1:${barePort}`,
        concurrency: C,
        requests: N,
        mode: { kind: 'plain-hook', path: '/x' },
        tag: 'bare',
      }),
    ),
  );
  bare.closeAllConnections();
  bare.close();
  console.log(row(['old bash+python system (issue #4)', '16.7 req/s', '', '', '']));
}

interface PaneRun {
  name: string;
  lost: number;
  dup: number;
  outOfOrder: number;
  lat: number[];
  wireLat: number[];
  drainMs: number;
  accepted: number;
  achievedRate: number;
}

async function paced(
  name: string,
  url: string,
  path: string,
  file: string,
  count: number,
  rate: number,
  tag: string,
  waitMs: number,
): Promise<PaneRun> {
  // one keep-alive connection, as one sender: send order = arrival order, so 'reordered' is the receiver's doing
  const r = await load({
    url,
    concurrency: 1,
    requests: count,
    mode: { kind: 'plain-hook', path },
    tag,
    ratePerSec: rate,
  });
  const accepted = (r.statuses['200'] ?? 0) + (r.statuses['202'] ?? 0);
  const want = (lines: Array<{ t: number; line: string }>) => lines.filter((l) => l.line.startsWith(`echo ${tag} `));
  const t0 = Date.now();
  await waitFor(() => want(recordedLines(file)).length >= count, waitMs);
  const drainMs = Date.now() - t0;
  await sleep(300);
  const lines = want(recordedLines(file));
  const seen = new Set<number>();
  let dup = 0;
  let outOfOrder = 0;
  let max = -1;
  const lat: number[] = [];
  const wireLat: number[] = [];
  for (const l of lines) {
    const i = Number(l.line.slice(`echo ${tag} `.length));
    if (seen.has(i)) dup++;
    seen.add(i);
    if (i < max) outOfOrder++;
    max = Math.max(max, i);
    const sent = r.sendTimes[i];
    if (sent !== undefined) lat.push(l.t - sent);
    const wire = r.wireTimes[i];
    if (wire !== undefined) wireLat.push(l.t - wire);
  }
  const wires = r.wireTimes.filter((x) => x !== undefined);
  const achievedRate = wires.length > 1 ? ((wires.length - 1) * 1000) / (Math.max(...wires) - Math.min(...wires)) : NaN;
  return { name, lost: count - seen.size, dup, outOfOrder, lat, wireLat, drainMs, accepted, achievedRate };
}

function paneRow(p: PaneRun): string {
  return (
    row([
      p.name,
      ms(percentileOf(p.lat, 50)),
      ms(percentileOf(p.lat, 99)),
      ms(percentileOf(p.wireLat, 50)),
      ms(percentileOf(p.wireLat, 99)),
      `${p.lost}`,
      `${p.dup}`,
      `${p.outOfOrder}`,
    ]) +
    `   accepted ${p.accepted}, sent at ${p.achievedRate.toFixed(0)}/s, drained ${p.drainMs} ms after the last send`
  );
}

async function endToEnd(): Promise<void> {
  const e2e = Number(opt.e2e);
  const e2eRate = Number(opt['e2e-rate']);
  const burst = Number(opt.burst);
  const burstRate = Number(opt['burst-rate']);
  const head = row([
    '(latency from: due time | on the wire)',
    'p50 due',
    'p99 due',
    'p50 wire',
    'p99 wire',
    'lost',
    'dup',
    'reordered',
  ]);
  const results: Array<[string, PaneRun[]]> = [
    [`## 2. End to end: ${e2e} requests at ${e2eRate}/s, request sent -> line in pane`, []],
    [`## 3. Burst: ${burst} requests at ${burstRate}/s`, []],
  ];

  const a = await recorderPane('wt');
  const wt = await startWebhookTui(a.pane);
  results[0]![1].push(
    await paced('webhook-tui', wt.server.url, '/hooks/bench', a.file, e2e, e2eRate, 'e2e-wt', 30_000),
  );
  // The goal is "in three runs out of three": bursts one after the other on the same engine.
  const runs = Math.max(1, Number(opt['burst-runs']));
  for (let i = 0; i < runs; i++) {
    const name = runs > 1 ? `webhook-tui, run ${i + 1}` : 'webhook-tui';
    results[1]![1].push(
      await paced(name, wt.server.url, '/hooks/bench', a.file, burst, burstRate, `burst${i}-wt`, 120_000),
    );
  }
  await wt.stop();

  if (!opt['skip-adnanh']) {
    const b = await recorderPane('ad');
    const ad = await startAdnanh(b.pane);
    results[0]![1].push(await paced('adnanh/webhook', ad.url, '/hooks/bench', b.file, e2e, e2eRate, 'e2e-ad', 30_000));
    results[1]![1].push(
      await paced('adnanh/webhook', ad.url, '/hooks/bench', b.file, burst, burstRate, 'burst-ad', 60_000),
    );
    ad.stop();
  }
  for (const [title, runs] of results) {
    console.log(`\n${title}`);
    console.log(head);
    for (const r of runs) console.log(paneRow(r));
  }
  const [wtRun, adRun] = results[0]![1];
  const p99 = (r: PaneRun) => percentileOf(r.wireLat, 99);
  const bursts = results[1]![1].filter((r) => r.name.startsWith('webhook-tui'));
  console.log(
    `\ngoals (issue 18): at ${e2eRate}/s webhook-tui p99 <= half of adnanh/webhook's: ${adRun ? `${ms(p99(wtRun!))} vs ${ms(p99(adRun))} (${(p99(adRun) / p99(wtRun!)).toFixed(2)}x)` : 'adnanh skipped'}; ` +
      `burst p99 <= 20 ms in every run: ${bursts.map((r) => ms(p99(r))).join(', ')}; lost/dup/reordered: ${bursts.map((r) => r.lost + r.dup + r.outOfOrder).join(', ')}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `bench/http: node ${process.version}, ${(await import('node:os')).cpus().length} cores, load average ${(
      await import('node:os')
    )
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  try {
    await throughput();
    if (!opt['skip-e2e']) await endToEnd();
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    try {
      execFileSync('tmux', ['-L', TMUX_SOCKET, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* no server */
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
