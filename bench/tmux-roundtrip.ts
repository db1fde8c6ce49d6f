/**
 * tmux round trip: `send-keys -l` through the persistent control-mode client vs one tmux process per call
 * (ExecTmux), alternating call by call against the same pane of a private server (`tmux -L wht-bench-PID`).
 * Time is from `run()` until tmux has answered (%end, or the process exited). Then, in the same run:
 * - pipelined: batches of 10 send-keys issued together (one write), time per batch / 10, beside one by one;
 * - a shell delivery's tmux calls (no database): the old sequence (pane check; mark capture; text; Enter; check,
 *   each waiting for its answer) beside the new one (check + mark capture pipelined; text + Enter + check in one
 *   write), wall time and this process's CPU time per delivery.
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
import {
  inspectArgs,
  inspectPane,
  inspectWithCapture,
  markFromCapture,
  takeMark,
} from '../src/engine/delivery/pane.js';
import { typeAndEnter } from '../src/engine/delivery/send.js';
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

/** The tmux calls of one shell delivery as they were: five round trips, each waiting for the previous answer. */
async function oldDelivery(t: Tmux, pane: string, text: string): Promise<void> {
  const state = (await inspectPane(t, pane))!;
  await takeMark(t, pane, state);
  await t.run(['send-keys', '-t', pane, '-l', '--', text]);
  await t.run(['send-keys', '-t', pane, 'C-m']);
  await inspectPane(t, pane);
}

/** As deliver() makes them now: the check with the mark's capture, then keys with the check behind them. */
async function newDelivery(t: Tmux, pane: string, text: string): Promise<void> {
  const { pane: state, capture } = await inspectWithCapture(t, pane);
  if (markFromCapture(state!, capture!) === null) await takeMark(t, pane, state!);
  await typeAndEnter(t, pane, text, 5000, inspectArgs(pane));
}

async function deliveries(t: Tmux, pane: string): Promise<void> {
  const text = 'echo hello world';
  const wall: Record<'old' | 'new', number[]> = { old: [], new: [] };
  const cpu: Record<'old' | 'new', number[]> = { old: [], new: [] };
  const one = async (kind: 'old' | 'new'): Promise<void> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await (kind === 'old' ? oldDelivery : newDelivery)(t, pane, text);
    wall[kind].push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu[kind].push((c.user + c.system) / 1000);
  };
  for (let i = 0; i < 20; i++) await one(i % 2 ? 'old' : 'new');
  wall.old = [];
  wall.new = [];
  cpu.old = [];
  cpu.new = [];
  for (let i = 0; i < N; i++) {
    await one('old');
    await one('new');
  }
  const fmt = (x: number): string => x.toFixed(3).padStart(8);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `\na shell delivery's tmux calls (ResilientTmux, control mode; no database), N=${N} each, alternating, ms`,
  );
  console.log(
    `${'sequence'.padEnd(44)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'cpu/op'.padStart(8)}`,
  );
  const label = {
    old: 'old: check; mark; text; Enter; check (5 RT)',
    new: 'new: check+mark | text+Enter+check (2 RT)',
  };
  for (const kind of ['old', 'new'] as const) {
    const s = summary(wall[kind]);
    console.log(`${label[kind].padEnd(44)}${fmt(s.p50)}${fmt(s.p95)}${fmt(s.p99)}${fmt(mean(cpu[kind]))}`);
  }
  const o = summary(wall.old);
  const n = summary(wall.new);
  console.log(
    `new / old: p50 ${(n.p50 / o.p50).toFixed(2)}x, p99 ${(n.p99 / o.p99).toFixed(2)}x; CPU of this process per delivery ${(mean(cpu.new) / mean(cpu.old)).toFixed(2)}x (cpu/op: process.cpuUsage, user+system)`,
  );
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
    const batched: number[] = [];
    const single: number[] = [];
    for (let i = 0; i < N / 10; i++) {
      let t0 = performance.now();
      await control.pipeline(Array.from({ length: 10 }, () => args));
      batched.push((performance.now() - t0) / 10);
      t0 = performance.now();
      for (let j = 0; j < 10; j++) await control.run(args);
      single.push((performance.now() - t0) / 10);
    }
    const rows = {
      'control mode': summary(cm),
      'ResilientTmux (control)': summary(rs),
      'ExecTmux (baseline)': summary(ex),
      'control, 10 one by one /10': summary(single),
      'control, 10 pipelined /10': summary(batched),
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
    console.log(
      `pipelined / one by one (per call): p50 ${(rows['control, 10 pipelined /10'].p50 / rows['control, 10 one by one /10'].p50).toFixed(2)}x`,
    );
    await deliveries(resilient, pane);
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
