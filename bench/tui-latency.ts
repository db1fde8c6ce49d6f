/**
 * Does the dashboard slow delivery? The same engine (SQLite temp dir, tmux on its own -L socket) and the same trickle
 * of triggers, once headless and once with the dashboard embedded in the same process (the default `webhook-tui`
 * mode), in a pty at 120x40. Prints end-to-end latency (received -> delivered) P50/P95/P99/max of every delivery.
 * Run: npm run bench:tui-latency   (env: BENCH_SECONDS=20 BENCH_RATE=50 BENCH_ROUNDS=2)
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTmuxWorld } from '../test/helpers/engine-source.js';
import { BUILD_DIR, buildForPty, PtyScreen } from '../test/helpers/pty.js';
import { percentileSummary } from '../src/tui/local-stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function run(headless: boolean): Promise<number[]> {
  const world = createTmuxWorld('lat');
  const out = path.join(os.tmpdir(), `wht-tui-lat-${process.pid}-${Date.now()}.json`);
  const screen = new PtyScreen({
    args: [path.join(BUILD_DIR, 'test/fixtures/dashboard-fixture.js')],
    cols: 120,
    rows: 40,
    env: {
      FIXTURE_SOURCE: 'engine',
      FIXTURE_DATA_DIR: world.dataDir,
      FIXTURE_TMUX_SOCKET: world.socket,
      FIXTURE_PANE: world.pane,
      FIXTURE_SEED: '0',
      FIXTURE_TRICKLE: String(RATE),
      FIXTURE_LATENCY_OUT: out,
      FIXTURE_HEADLESS: headless ? '1' : '0',
      FIXTURE_SECONDS: String(SECONDS),
      TMUX: undefined,
    },
  });
  try {
    if (headless) {
      await screen.exited;
    } else {
      await screen.waitFor('1 queue', 15_000);
      await sleep(SECONDS * 1000);
      screen.write('q');
      const asked = await Promise.race([
        screen.exited.then(() => false),
        screen.waitFor('in flight. Quit', 5000).then(
          () => true,
          () => false,
        ),
      ]);
      if (asked) screen.write('y');
      await screen.exited;
    }
    return JSON.parse(readFileSync(out, 'utf8')) as number[];
  } finally {
    await screen.close();
    world.kill();
  }
}

function line(name: string, xs: number[]): string {
  const s = percentileSummary(xs);
  return `${name.padEnd(22)} n=${String(s.count).padStart(5)}  p50 ${s.p50Ms.toFixed(0).padStart(4)} ms  p95 ${s.p95Ms.toFixed(0).padStart(4)} ms  p99 ${s.p99Ms.toFixed(0).padStart(4)} ms  max ${s.maxMs.toFixed(0).padStart(5)} ms`;
}

async function main(): Promise<void> {
  buildForPty();
  console.log(
    `end-to-end latency, ${RATE} triggers/s for ~${SECONDS}s, ${ROUNDS} rounds each (alternating); node ${process.version}`,
  );
  const all = { headless: [] as number[], dashboard: [] as number[] };
  for (let r = 0; r < ROUNDS; r += 1) {
    const h = await run(true);
    console.log(line(`headless #${r + 1}`, h));
    const d = await run(false);
    console.log(line(`dashboard #${r + 1}`, d));
    all.headless.push(...h);
    all.dashboard.push(...d);
  }
  console.log(line('headless (all)', all.headless));
  console.log(line('dashboard (all)', all.dashboard));
}

void main().then(() => process.exit(0));
