/**
 * tmux round trip: `send-keys -l` through the persistent control-mode client vs one tmux process per call
 * (ExecTmux), alternating call by call against the same pane of a private server (`tmux -L wht-bench-PID`).
 * Time is from `run()` until tmux has answered (%end, or the process exited).
 *
 *   npm run bench:tmux            # N=300 each
 *   npm run bench:tmux -- 1000
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ControlModeTmux } from '../src/engine/delivery/control-mode.js';
import { ExecTmux } from '../src/engine/delivery/exec-tmux.js';
import { ResilientTmux } from '../src/engine/delivery/resilient-tmux.js';
import type { Tmux } from '../src/engine/ports/tmux.js';
import { statsOf } from '../src/engine/loadtest/histogram.js';

const N = Number(process.argv[2] ?? 300);
const name = `wht-bench-${process.pid}`;
const server = { socketName: name };

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', name, ...args], { encoding: 'utf8' }).trim();
}

/** Percentiles through the shipped histogram module (src/engine/loadtest/histogram.ts). */
function summary(samples: number[]): { p50: number; p95: number; p99: number; mean: number } {
  const s = statsOf(samples);
  return { p50: s.p50, p95: s.p95, p99: s.p99, mean: s.avg };
}

async function time(t: Tmux, args: string[]): Promise<number> {
  const t0 = performance.now();
  await t.run(args);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'bench',
    '-x',
    '120',
    '-y',
    '40',
    'stty raw -echo; exec cat > /dev/null',
  );
  const pane = tmux('list-panes', '-t', '=bench', '-F', '#{pane_id}');
  const control = new ControlModeTmux(server);
  const exec = new ExecTmux(server);
  const resilient = new ResilientTmux(server);
  try {
    await control.start();
    await resilient.start();
    const args = ['send-keys', '-t', pane, '-l', '--', 'echo hello world'];
    for (let i = 0; i < 20; i++) {
      await time(control, args);
      await time(exec, args);
      await time(resilient, args);
    }
    const cm: number[] = [];
    const ex: number[] = [];
    const rs: number[] = [];
    for (let i = 0; i < N; i++) {
      cm.push(await time(control, args));
      ex.push(await time(exec, args));
      rs.push(await time(resilient, args));
    }
    const rows = {
      'control mode': summary(cm),
      'ResilientTmux (control)': summary(rs),
      'ExecTmux (baseline)': summary(ex),
    };
    const fmt = (x: number): string => x.toFixed(3).padStart(8);
    console.log(
      `tmux ${tmux('-V').replace('tmux ', '')}, node ${process.version}, N=${N} per path, send-keys -l 'echo hello world', ms`,
    );
    console.log(
      `${'path'.padEnd(26)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'mean'.padStart(8)}`,
    );
    for (const [label, s] of Object.entries(rows))
      console.log(`${label.padEnd(26)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.p99)}${fmt(s.mean)}`);
    const c = rows['control mode'];
    const e = rows['ExecTmux (baseline)'];
    console.log(
      `exec / control ratio: p50 ${(e.p50 / c.p50).toFixed(1)}x, p95 ${(e.p95 / c.p95).toFixed(1)}x, p99 ${(e.p99 / c.p99).toFixed(1)}x`,
    );
    console.log(`ResilientTmux status: ${JSON.stringify(resilient.status())}`);
  } finally {
    await control.close();
    await resilient.close();
    try {
      tmux('kill-server');
    } catch {
      /* gone */
    }
    // tmux 3.3a leaves the socket file behind after kill-server.
    rmSync(`${process.env.TMUX_TMPDIR ?? '/tmp'}/tmux-${process.getuid?.() ?? 0}/${name}`, { force: true });
  }
}

await main();
