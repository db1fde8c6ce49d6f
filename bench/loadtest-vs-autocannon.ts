/**
 * webhook-tui loadtest beside autocannon (an independent tool), at the same rate against the same endpoint
 * (`POST /v1/tasks` of one scratch engine: `webhook-tui serve` as a child process, its target pane running the
 * shipped sink on a private tmux server, removed at the end), in one script; then the rate-keeping check at
 * 2,000 requests/s for 10 s.
 *
 *   npm run bench:loadtest
 *   BENCH_RATE=200 BENCH_DURATION_S=5 BENCH_HIGH_RATE=1000 npm run bench:loadtest
 *
 * autocannon is closed-loop with a per-second token bucket for -R (reference/ops.md 2.1): its latency is from each
 * actual send. loadtest's is from each intended send time (open model); its "from send" column is the comparable one.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildReport, type LoadReport } from '../src/engine/loadtest/report.js';
import { runLoadTest, type RunOptions } from '../src/engine/loadtest/run.js';
import { startScratchEngine, type ScratchEngine } from '../src/engine/loadtest/scratch.js';
import { table } from './e2e-lib.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const HIGH_RATE = Number(process.env.BENCH_HIGH_RATE ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const OUT = fileURLToPath(new URL('../', import.meta.url));

/** bin/webhook-tui pointed at the CLI compiled into .bench-out by the same tsc run as this bench. */
function launcher(): string[] {
  const path = join(OUT, 'cli.mjs');
  const main = new URL('../src/cli/main.js', import.meta.url).href;
  writeFileSync(
    path,
    `import { main } from ${JSON.stringify(main)};\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`,
  );
  return [process.execPath, path];
}

function options(rate: number, durationS: number): RunOptions {
  return {
    type: 'load',
    model: 'open',
    rate,
    durationMs: durationS * 1000,
    rampUpMs: 0,
    warmupMs: 0,
    users: 1,
    requestsPerUser: 1,
    peakRate: rate,
    stepDurationMs: 1000,
    stepRate: rate,
    maxRate: rate,
    levels: [1],
    maxRequests: 10_000_000,
    maxInflight: 1000,
    timeoutMs: 10_000,
    lateMs: 5,
    thresholds: [],
    drainMs: 60_000,
  };
}

async function ours(s: ScratchEngine, rate: number, durationS: number, e2e: boolean): Promise<LoadReport> {
  const data = await runLoadTest(options(rate, durationS), {
    target: {
      send: { kind: 'v1', url: s.url, token: s.token },
      describe: `scratch ${s.url}`,
      stats: { url: s.url, token: s.token },
    },
    sinkLog: e2e ? s.sinkLog : undefined,
    scratch: true,
  });
  return buildReport(data);
}

function theirs(s: ScratchEngine, rate: number, durationS: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${s.url}/v1/tasks`,
    method: 'POST',
    connections: CONNECTIONS,
    overallRate: rate,
    duration: durationS,
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'echo autocannon' }),
  });
}

/** A bare node:http server in its own process answering 202 at once: the generator's own ceiling, without the engine. */
async function bareServer(): Promise<{ url: string; close(): void }> {
  const code =
    "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.writeHead(202).end('{}'))}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

const f = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));

async function main(): Promise<void> {
  const s = await startScratchEngine({ cli: launcher() });
  try {
    console.log(
      `same endpoint ${s.url}/v1/tasks, ${RATE} req/s for ${DURATION_S} s each; load average before: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const a = await ours(s, RATE, DURATION_S, true);
    const b = await theirs(s, RATE, DURATION_S);
    const bOk = b['2xx'];
    table(
      ['tool', 'asked/s', 'achieved/s', 'p50 ms', 'p99 ms', 'p50 from send', 'p99 from send', 'non-2xx+errors'],
      [
        [
          'webhook-tui loadtest (open)',
          String(RATE),
          f(a.rate.achieved),
          f(a.latency.p50),
          f(a.latency.p99),
          f(a.service.p50),
          f(a.service.p99),
          String(a.requests.failed),
        ],
        [
          `autocannon -R ${RATE} -c ${CONNECTIONS}`,
          String(RATE),
          f(bOk / b.duration),
          '-',
          '-',
          f(b.latency.p50),
          f(b.latency.p99),
          String(b.non2xx + b.errors),
        ],
      ],
    );
    if (a.e2e)
      console.log(
        `loadtest end to end: ${a.e2e.delivered} of ${a.e2e.acknowledged} typed, lost ${a.e2e.lost}, p50 ${f(a.e2e.p50)} ms, p99 ${f(a.e2e.p99)} ms; generator CPU ${a.generator.cpuPercent.toFixed(1)}% of one core`,
      );
    console.log(
      `autocannon latency has 1 ms resolution below 1 ms: ${JSON.stringify({ min: b.latency.min, p50: b.latency.p50, p99: b.latency.p99 })}`,
    );
    const keep = (label: string, h: LoadReport): void => {
      const off = ((h.rate.achieved - HIGH_RATE) / HIGH_RATE) * 100;
      console.log(
        `rate keeping, ${label}: asked ${HIGH_RATE}/s for 10 s -> sent ${h.requests.total}, achieved ${h.rate.achieved.toFixed(1)}/s (${off >= 0 ? '+' : ''}${off.toFixed(2)}%), late sends ${h.late} (lateness p99 ${f(h.lateness.p99)} ms, max ${f(h.lateness.max)} ms), failed ${h.requests.failed}, p50 ${f(h.latency.p50)} ms, p99 ${f(h.latency.p99)} ms, generator CPU ${h.generator.cpuPercent.toFixed(1)}%`,
      );
    };
    console.log('');
    keep('scratch engine', await ours(s, HIGH_RATE, 10, false));
    const bare = await bareServer();
    try {
      const data = await runLoadTest(options(HIGH_RATE, 10), {
        target: { send: { kind: 'v1', url: bare.url, token: 'x'.repeat(20) }, describe: 'bare' },
        scratch: false,
      });
      keep('bare node:http server (baseline: the generator alone)', buildReport(data));
    } finally {
      bare.close();
    }
    console.log(
      `load average after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await s.close();
  }
}

await main();
