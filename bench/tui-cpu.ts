/**
 * Dashboard CPU and bytes/s: the dashboard (test/fixtures/dashboard-fixture) runs in a pty (node-pty + headless
 * xterm.js) at 120x40 over the real engine (SQLite temp dir, tmux on its own -L socket).
 * Scenarios: embedded idle; attached idle; attached under a stream of N triggers/s enqueued into the engine that runs in
 * this bench process (so the figure is the dashboard's own cost); embedded under the same stream (dashboard + engine).
 * Prints CPU % of one core (utime+stime from /proc/PID/stat), bytes/s written to the terminal, and RSS.
 * Run: npm run bench:tui   (env: BENCH_SECONDS=20 BENCH_RATE=500)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTmuxWorld, embeddedSource, testConfig, type TmuxWorld } from '../test/helpers/engine-source.js';
import { BUILD_DIR, buildForPty, PtyScreen } from '../test/helpers/pty.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const WARMUP_MS = 3000;
/** Comma-separated scenario numbers to run (1 embedded idle, 2 attached idle, 3 attached stream, 4 embedded stream). */
const ONLY = (process.env.BENCH_ONLY ?? '1,2,3,4').split(',').map(Number);
const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measure(
  name: string,
  world: TmuxWorld,
  env: Record<string, string>,
  during?: () => () => void,
): Promise<void> {
  const screen = new PtyScreen({
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the dashboard process
    args: [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      path.join(BUILD_DIR, 'test/fixtures/dashboard-fixture.js'),
    ],
    cols: 120,
    rows: 40,
    env: {
      FIXTURE_DATA_DIR: world.dataDir,
      FIXTURE_TMUX_SOCKET: world.socket,
      FIXTURE_PANE: world.pane,
      FIXTURE_SEED: '0',
      TMUX: undefined,
      ...env,
    },
  });
  await screen.waitFor('1 queue', 15_000);
  const stop = during?.();
  await sleep(WARMUP_MS);
  const pid = screen.proc.pid;
  const t0 = cpuTicks(pid);
  const b0 = screen.raw.length;
  const start = Date.now();
  await sleep(SECONDS * 1000);
  const wall = (Date.now() - start) / 1000;
  const cpu = ((cpuTicks(pid) - t0) / TICKS / wall) * 100;
  const bytes = (screen.raw.length - b0) / wall;
  const rss = rssMb(pid);
  stop?.();
  const text = screen.text();
  screen.write('q');
  const asked = await Promise.race([
    screen.exited.then(() => false),
    screen.waitFor('in flight. Quit', 5000).then(
      () => true,
      () => false,
    ),
  ]);
  if (asked) screen.write('y');
  await Promise.race([screen.exited, sleep(20_000)]);
  await screen.close();
  const status = text.split('\n')[0]?.trim() ?? '';
  console.log(
    `${name.padEnd(44)} cpu ${cpu.toFixed(1).padStart(5)}% of a core   ${Math.round(bytes).toString().padStart(6)} B/s   rss ${rss} MB   | ${status.slice(0, 60)}`,
  );
}

function stream(enqueue: (text: string) => void): () => void {
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i += 1) enqueue(`echo bench-${++n}`);
  }, 100);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  buildForPty();
  console.log(
    `dashboard at 120x40, ${SECONDS}s per scenario after ${WARMUP_MS / 1000}s warm-up, stream ${RATE} triggers/s; node ${process.version}`,
  );
  let world = createTmuxWorld('bench');
  try {
    if (ONLY.includes(1)) await measure('embedded, idle', world, { FIXTURE_SOURCE: 'engine' });
    world.kill();
    world = createTmuxWorld('bench');
    const host = await embeddedSource(testConfig(world, { capacity: 1_000_000 }));
    try {
      if (ONLY.includes(2)) await measure('attached, idle', world, { FIXTURE_SOURCE: 'attached' });
      if (ONLY.includes(3))
        await measure(`attached, ${RATE} triggers/s into the engine`, world, { FIXTURE_SOURCE: 'attached' }, () =>
          stream((text) => host.engine.enqueue({ text, source: 'http' })),
        );
    } finally {
      await host.close();
    }
    world.kill();
    world = createTmuxWorld('bench');
    if (ONLY.includes(4))
      await measure(`embedded, ${RATE} triggers/s (dashboard + engine)`, world, {
        FIXTURE_SOURCE: 'engine',
        FIXTURE_TRICKLE: String(RATE),
      });
  } finally {
    world.kill();
  }
}

void main().then(() => process.exit(0));
