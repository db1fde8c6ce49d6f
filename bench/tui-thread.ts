/**
 * Does the dashboard cost delivery anything? The built CLI, three ways, the same trickle of spool triggers into a
 * shell pane (tmux on its own -L socket, SQLite in a temp dir), rounds interleaved:
 *   headless   `webhook-tui serve` (the baseline)
 *   same-thread `webhook-tui --tui.engineThread false` (the default) in a 120x40 pty: the dashboard and the engine on one event loop
 *   thread     `webhook-tui --tui.engineThread true` in a 120x40 pty: the engine on its own worker thread
 * Latency per delivery is received -> delivered, read from the engine's database afterwards (no event of the run
 * itself is timed by this process). Prints P50/P95/P99/max per round and over all rounds, and each mode's P99 against
 * headless.
 * Run: npm run bench:tui-thread   (env: BENCH_SECONDS=15 BENCH_RATE=50,500 BENCH_ROUNDS=2)
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dataPaths } from '../src/engine/data-dir.js';
import { writeSpoolFile } from '../src/engine/intake/spool-writer.js';
import { percentileSummary } from '../src/tui/local-stats.js';
import { createTmuxWorld } from '../test/helpers/engine-source.js';
import { PtyScreen, ROOT } from '../test/helpers/pty.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATES = (process.env.BENCH_RATE ?? '50,500').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BIN = path.join(ROOT, 'bin/webhook-tui');
const MODES = ['headless', 'same-thread', 'thread'] as const;
type Mode = (typeof MODES)[number];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function deliveredLatencies(dataDir: string): { n: number; ms: number[] } {
  const db = new Database(dataPaths(dataDir).db, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT delivered_at - received_at AS ms FROM tasks WHERE state IN ('delivered', 'completed')")
      .all() as Array<{ ms: number }>;
    return { n: rows.length, ms: rows.map((r) => r.ms) };
  } finally {
    db.close();
  }
}

function deliveredCount(dataDir: string): number {
  if (!existsSync(dataPaths(dataDir).db)) return 0;
  try {
    return deliveredLatencies(dataDir).n;
  } catch {
    return 0; // busy or not created yet
  }
}

async function run(mode: Mode, rate: number): Promise<number[]> {
  const world = createTmuxWorld('thr');
  const spool = path.join(world.dataDir, 'spool');
  const configFile = path.join(world.dataDir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: path.join(world.dataDir, 'data'),
      spool: { dir: spool },
      tmux: { socketName: world.socket },
      targets: { default: { pane: world.pane } },
      queue: { rateLimit: { perSecond: 0 }, capacity: 100_000 },
      http: { enabled: false },
    }),
  );
  const dataDir = path.join(world.dataDir, 'data');
  const env = { TMUX: undefined, TMUX_PANE: undefined, WEBHOOK_TUI_CONFIG: undefined };
  const args = [BIN, '--config', configFile];
  const serve =
    mode === 'headless'
      ? spawn(process.execPath, [...args, 'serve'], { stdio: 'ignore', env: { ...process.env, ...env } })
      : null;
  const screen =
    mode === 'headless'
      ? null
      : new PtyScreen({
          args: [...args, '--tui.engineThread', mode === 'thread' ? 'true' : 'false'],
          cols: 120,
          rows: 40,
          env,
        });
  try {
    if (screen) await screen.waitFor('1 queue', 20_000);
    else await until(() => existsSync(dataPaths(dataDir).socket), 20_000, 'serve to start');
    const n = rate * SECONDS;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      writeSpoolFile(spool, JSON.stringify({ command: `: trickle ${i}` }));
    }
    await until(() => deliveredCount(dataDir) >= n, 120_000, `${n} deliveries`);
    if (screen) {
      screen.write('q');
      await Promise.race([screen.exited, sleep(15_000)]);
    } else {
      serve!.kill('SIGTERM');
      await new Promise((r) => serve!.once('exit', r));
    }
    return deliveredLatencies(dataDir).ms;
  } finally {
    if (screen) await screen.close();
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
    world.kill();
  }
}

function line(name: string, xs: number[], base?: number[]): string {
  const s = percentileSummary(xs);
  const ratio = base ? `  p99 ${(s.p99Ms / percentileSummary(base).p99Ms).toFixed(2)}x headless` : '';
  const f = (v: number) => v.toFixed(2).padStart(7);
  return `${name.padEnd(26)} n=${String(s.count).padStart(6)}  p50 ${f(s.p50Ms)}  p95 ${f(s.p95Ms)}  p99 ${f(s.p99Ms)}  max ${f(s.maxMs)} ms${ratio}`;
}

async function main(): Promise<void> {
  console.log(
    `delivery latency (received -> delivered, from the database), ${SECONDS}s per run at ${RATES.join(' and ')}/s, ` +
      `${ROUNDS} rounds interleaved; node ${process.version}, ${os.cpus().length} cores, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  for (const rate of RATES) {
    const all: Record<Mode, number[]> = { headless: [], 'same-thread': [], thread: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        const xs = await run(mode, rate);
        console.log(line(`${rate}/s ${mode} #${r + 1}`, xs));
        all[mode].push(...xs);
      }
    }
    for (const mode of MODES)
      console.log(line(`${rate}/s ${mode} (all)`, all[mode], mode === 'headless' ? undefined : all.headless));
  }
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
