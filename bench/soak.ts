/**
 * Memory under a steady load: two `serve` engines from this tree (bin/webhook-tui, dist/), each with its own data
 * dir, spool and recorder pane on a private tmux server (`tmux -L wht-soak-PID`, killed at the end). One gets
 * BENCH_RATE spool triggers a second for BENCH_SOAK_MIN minutes, the other none (the same engine idle, as the
 * baseline). RSS (VmRSS of each process) is printed every BENCH_EVERY_S seconds, then the growth of both after the
 * warm-up minute, with lost and duplicated lines of the loaded engine.
 *
 *   npm run bench:soak                                  # 30 minutes at 50/s
 *   BENCH_SOAK_MIN=8 npm run bench:soak                 # shorter
 *   BENCH_ENGINE_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 BENCH_KEEP=1 npm run bench:soak   # snapshots on demand
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSpoolFile } from '../src/engine/intake/spool-writer.js';
import { prepareSpool } from '../src/engine/intake/spool-dirs.js';
import { connectRpc } from '../src/engine/rpc/client.js';
import { dataPaths } from '../src/engine/data-dir.js';
import type { EngineSnapshot } from '../src/engine/types.js';
import { RecorderLog, sleep, table } from './e2e-lib.js';

const MIN = Number(process.env.BENCH_SOAK_MIN ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const EVERY_S = Number(process.env.BENCH_EVERY_S ?? 60);
const WARMUP_S = 60;
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SOCK = `wht-soak-${process.pid}`;
const ROOT = mkdtempSync(join(tmpdir(), 'wht-soak-'));
const children: ChildProcess[] = [];
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' }).trim();

/** VmRSS (all resident memory) or RssAnon (without the mapped files: binary, libraries) of a process, in MiB. */
function rssMiB(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface SoakEngine {
  child: ChildProcess;
  spool: string;
  log: RecorderLog;
  dataDir: string;
}

/** The engine's own figures (V8 heap used, memory outside the heap: buffers and native) through its RPC socket. */
async function heapOf(e: SoakEngine): Promise<{ heap: number; total: number; external: number }> {
  try {
    const client = await connectRpc(dataPaths(e.dataDir).socket, 5000);
    try {
      const snap = await client.call<EngineSnapshot>('snapshot');
      const r = snap.monitor?.resources?.engine;
      return {
        heap: (r?.heapUsedBytes ?? NaN) / 2 ** 20,
        total: (r?.heapTotalBytes ?? NaN) / 2 ** 20,
        external: (r?.externalBytes ?? NaN) / 2 ** 20,
      };
    } finally {
      client.close();
    }
  } catch {
    return { heap: NaN, total: NaN, external: NaN };
  }
}

async function engine(name: string, first: boolean): Promise<SoakEngine> {
  const dir = join(ROOT, name);
  mkdirSync(dir);
  const logPath = join(dir, 'rec.jsonl');
  const cmd = `exec '${process.execPath}' '${join(REPO, 'test/fixtures/recorder.mjs')}' '${logPath}'`;
  const pane = first
    ? tmux(
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        'soak',
        '-x',
        '200',
        '-y',
        '50',
        '-n',
        name,
        '-P',
        '-F',
        '#{pane_id}',
        cmd,
      )
    : tmux('new-window', '-d', '-t', '=soak', '-n', name, '-P', '-F', '#{pane_id}', cmd);
  for (let i = 0; i < 200 && !tmux('capture-pane', '-p', '-t', pane).includes('RECORDER READY'); i++) await sleep(50);
  const spool = join(dir, 'spool');
  prepareSpool(spool);
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      spool: { dir: spool },
      tmux: { socketName: SOCK },
      http: { enabled: false },
      targets: { default: { pane } },
      queue: { rateLimit: { perSecond: 0 } },
    }),
  );
  const nodeArgs = (process.env.BENCH_ENGINE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(REPO, 'bin/webhook-tui'), 'serve', '--config', config], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, TMUX_PANE: '' },
  });
  children.push(child);
  await sleep(2000);
  return { child, spool, log: new RecorderLog(logPath), dataDir: join(dir, 'data') };
}

try {
  const loaded = await engine('loaded', true);
  const idle = await engine('idle', false);
  const t0 = performance.now();
  const rows: string[][] = [];
  const series: Array<{ s: number; loaded: number; idle: number }> = [];
  let sent = 0;
  let nextSample = 0;
  while (performance.now() - t0 < MIN * 60_000) {
    const s = (performance.now() - t0) / 1000;
    const due = Math.floor(s * RATE);
    for (; sent < due; sent++) writeSpoolFile(loaded.spool, `soak ${String(sent).padStart(7, '0')}`, '.txt');
    if (s >= nextSample) {
      loaded.log.poll();
      const point = { s: Math.round(s), loaded: rssMiB(loaded.child.pid!), idle: rssMiB(idle.child.pid!) };
      series.push(point);
      const [lh, ih] = await Promise.all([heapOf(loaded), heapOf(idle)]);
      rows.push([
        String(point.s),
        String(sent),
        String(loaded.log.lines.length),
        point.loaded.toFixed(1),
        rssMiB(loaded.child.pid!, 'RssAnon').toFixed(1),
        `${lh.heap.toFixed(1)}/${lh.total.toFixed(1)}`,
        lh.external.toFixed(1),
        point.idle.toFixed(1),
        `${ih.heap.toFixed(1)}/${ih.total.toFixed(1)}`,
        loadavg()[0]!.toFixed(2),
      ]);
      console.log(rows.at(-1)!.join('\t'));
      nextSample += EVERY_S;
    }
    await sleep(20);
  }
  await sleep(3000);
  loaded.log.poll();
  const lines = loaded.log.lines.map((l) => l.line);
  const dup = lines.length - new Set(lines).size;
  console.log(
    `\nsoak: ${MIN} min, ${RATE} spool triggers/s into one engine, the other idle; load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    'MiB; anon: RssAnon (RSS without mapped files); heap: V8 heap used/total; external: buffers and native objects V8 knows of',
  );
  table(['s', 'sent', 'typed', 'RSS loaded', 'anon', 'heap', 'external', 'RSS idle', 'heap idle', 'load1'], rows);
  const after = series.filter((p) => p.s >= WARMUP_S);
  const span = (k: 'loaded' | 'idle') => Math.max(...after.map((p) => p[k])) - Math.min(...after.map((p) => p[k]));
  const growth = (k: 'loaded' | 'idle') => (after.length > 1 ? after.at(-1)![k] - after[0]![k] : NaN);
  console.log(
    `after the ${WARMUP_S} s warm-up: loaded RSS range ${span('loaded').toFixed(1)} MiB (first to last ${growth('loaded').toFixed(1)}), idle range ${span('idle').toFixed(1)} MiB (${growth('idle').toFixed(1)})`,
  );
  console.log(`lines: sent ${sent}, typed ${lines.length}, lost ${sent - new Set(lines).size}, duplicated ${dup}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(1500);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  try {
    execFileSync('tmux', ['-L', SOCK, 'kill-server'], { stdio: 'ignore' });
  } catch {
    /* gone */
  }
  if (!process.env.BENCH_KEEP) rmSync(ROOT, { recursive: true, force: true });
}
