/**
 * Engine footprint: CPU while idle and RSS with a deep queue, for `webhook-tui serve` (the built CLI) beside a bare
 * Node process (baseline) measured the same way in the same run.
 *
 *   npm run bench:footprint            # 100,000 queued tasks, 20 s idle window
 *   BENCH_DEEP=1000000 BENCH_IDLE_S=30 npm run bench:footprint
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, SqliteStore } from '../src/engine/sqlite/queue-store.js';

const DEEP = Number(process.env.BENCH_DEEP ?? 100_000);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 20);
const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));
const CLK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

async function measure(child: ChildProcess, settleMs: number): Promise<{ cpuPct: number; rss: number }> {
  await new Promise((r) => setTimeout(r, settleMs));
  const t0 = cpuTicks(child.pid!);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const cpu = (cpuTicks(child.pid!) - t0) / CLK;
  return { cpuPct: (cpu / ((performance.now() - w0) / 1000)) * 100, rss: rssMb(child.pid!) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wht-foot-'));
  const socket = `wht-foot-${process.pid}`;
  try {
    const dataDir = join(dir, 'data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    // Fill the queue, paused, so the engine holds DEEP queued tasks without delivering them.
    const store = new SqliteStore(openDatabase(join(dataDir, 'webhook-tui.db')));
    for (let i = 0; i < DEEP; i += 1000) {
      store.insertMany(
        Array.from({ length: Math.min(1000, DEEP - i) }, (_, k) => ({
          text: `echo queued ${i + k}`,
          target: 'default',
          priority: 0,
          category: 'default',
          idemKey: null,
          source: 'api' as const,
          receivedAt: Date.now(),
        })),
        Date.now(),
        0,
      );
    }
    store.setMeta('paused', '1');
    store.close();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir,
        spool: { dir: join(dir, 'spool') },
        tmux: { socketName: socket },
        queue: { capacity: DEEP * 2 },
        http: { port: 0 },
      }),
    );

    const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
    const engine = spawn(process.execPath, [BIN, 'serve', '--config', config], {
      stdio: 'ignore',
      env: { ...process.env, TMUX_PANE: '' },
    });
    const [b, e] = await Promise.all([measure(baseline, 15000), measure(engine, 15000)]);
    baseline.kill();
    engine.kill('SIGTERM');
    await new Promise((r) => engine.once('exit', r));
    console.log(`idle footprint over ${IDLE_S} s, ${DEEP} tasks queued (paused):`);
    console.log(`  webhook-tui serve : CPU ${e.cpuPct.toFixed(2)}% of a core, RSS ${e.rss.toFixed(0)} MB`);
    console.log(`  bare node (base)  : CPU ${b.cpuPct.toFixed(2)}% of a core, RSS ${b.rss.toFixed(0)} MB`);
    console.log(`  targets (issue 2) : idle CPU < 0.5% of a core; RSS < 100 MB with 100,000 tasks queued`);
  } finally {
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* none */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
