/**
 * Spool backpressure: a burst of trigger files into a queue far smaller than the burst, beside the same burst into
 * a queue that holds it all, in the same run (in-process engine, a raw-mode recorder pane on a private tmux server
 * `tmux -L wht-bp-PID`, killed at the end). The files are written before the engine starts; the small queue
 * fills at once and the rest waits in new/. Timed: engine start to the last line in the pane (intake included).
 * Also printed: "queue full" log lines, and whether the pane got the lines in file-name order.
 *
 *   npm run bench:backpressure
 *   BENCH_N=3000 BENCH_SMALL=200 npm run bench:backpressure
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/engine/config/resolve.js';
import { createEngine } from '../src/engine/engine.js';
import { writeSpoolFile } from '../src/engine/intake/spool-writer.js';
import { prepareSpool } from '../src/engine/intake/spool-dirs.js';
import { loggerFrom } from '../src/engine/ports/logger.js';
import { RecorderLog, sleep, table } from './e2e-lib.js';

const N = Number(process.env.BENCH_N ?? 1500);
const SMALL = Number(process.env.BENCH_SMALL ?? 200);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SOCK = `wht-bp-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' }).trim();

let runs = 0;

async function run(capacity: number): Promise<string[]> {
  runs++;
  const root = mkdtempSync(join(tmpdir(), 'wht-bp-'));
  const logPath = join(root, 'rec.jsonl');
  const pane = tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    `run${runs}`,
    '-x',
    '200',
    '-y',
    '50',
    '-P',
    '-F',
    '#{pane_id}',
    `exec '${process.execPath}' '${join(REPO, 'test/fixtures/recorder.mjs')}' '${logPath}'`,
  );
  for (let i = 0; i < 200 && !tmux('capture-pane', '-p', '-t', pane).includes('RECORDER READY'); i++) await sleep(50);
  let fullLogs = 0;
  const config = resolveConfig(
    {
      dataDir: join(root, 'data'),
      spool: { dir: join(root, 'spool') },
      tmux: { socketName: SOCK },
      http: { enabled: false },
      targets: { default: { pane } },
      queue: { capacity, rateLimit: { perSecond: 0 } },
    },
    {},
  );
  prepareSpool(config.spool.dir);
  const texts = Array.from({ length: N }, (_, i) => `bp-${capacity}-${String(i).padStart(5, '0')}`);
  for (const t of texts) writeSpoolFile(config.spool.dir, t, '.txt');
  const log = new RecorderLog(logPath);
  const t0 = performance.now();
  const engine = await createEngine(config, {
    tmuxPane: undefined,
    logger: loggerFrom((_l, msg) => {
      if (/queue full/.test(msg)) fullLogs++;
    }),
  });
  await engine.start();
  while (log.lines.length < N && performance.now() - t0 < 300_000) {
    log.poll();
    await sleep(10);
  }
  const secs = (performance.now() - t0) / 1000;
  await engine.close();
  rmSync(root, { recursive: true, force: true });
  const inOrder = log.lines.every((l, i) => l.line === texts[i]);
  return [
    String(capacity),
    String(log.lines.length),
    secs.toFixed(2),
    (log.lines.length / secs).toFixed(0),
    String(fullLogs),
    inOrder ? 'yes' : 'NO',
  ];
}

try {
  const rows = [await run(N * 10), await run(SMALL), await run(N * 10)];
  console.log(
    `spool burst of ${N} files, written before the engine starts; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  table(['capacity', 'delivered', 'seconds', 'tasks/s', '"queue full" logs', 'name order'], rows);
} finally {
  try {
    execFileSync('tmux', ['-L', SOCK, 'kill-server'], { stdio: 'ignore' });
  } catch {
    /* gone */
  }
}
