/**
 * Agent readiness: how long after the agent's idle marker appears its next prompt is typed, and what readiness
 * costs a shell target (nothing: shell targets are never polled). In-process engine (control-mode tmux client) on a
 * private tmux server `tmux -L wht-agent-bench-PID`, killed at the end.
 *
 * - agent: test/fixtures/fake-agent.mjs (preset claude-code; busy BENCH_BUSY_MS after each prompt) and the same with
 *   Codex's post-Enter gap (the screen looks idle for BENCH_GAP_MS after Enter before the busy marker shows). N
 *   prompts are queued at once; the fake records when it draws the idle marker and when the next key arrives:
 *   latency = key - idle. The engine's readyPollMs (default 100) bounds it from above by one poll plus a capture.
 * - baseline (same run): a shell target on test/fixtures/recorder.mjs; enqueue -> line recorded; and how many
 *   capture-pane calls each kind of target made per prompt.
 *
 *   npm run bench:agent-ready
 *   BENCH_N=50 BENCH_POLL_MS=50 npm run bench:agent-ready
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/engine/config/resolve.js';
import type { ConfigInput } from '../src/engine/config/schema.js';
import { ResilientTmux } from '../src/engine/delivery/resilient-tmux.js';
import { createEngine } from '../src/engine/engine.js';
import { silentLogger } from '../src/engine/ports/logger.js';
import type { Tmux } from '../src/engine/ports/tmux.js';
import { epochNow, fmtMs, pct, RecorderLog, sleep, table } from './e2e-lib.js';

const N = Number(process.env.BENCH_N ?? 100);
const BUSY_MS = Number(process.env.BENCH_BUSY_MS ?? 150);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 600);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 100);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SOCK = `wht-agent-bench-${process.pid}`;
const ROOT = mkdtempSync(join(tmpdir(), 'wht-agent-bench-'));

const tmuxCli = (...args: string[]) => execFileSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' }).trim();

/** A tmux port that counts calls by command name. */
function counting(inner: Tmux): Tmux & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    run: (args, options) => {
      // Readiness captures the screen with -e (attributes); the crash-recovery mark captures without.
      const key = args[0] === 'capture-pane' && args.includes('-e') ? 'capture-pane -e' : args[0]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return inner.run(args, options);
    },
    close: () => inner.close(),
  };
}

function pane(name: string, argv: string[]): string {
  let first = true;
  try {
    first = !tmuxCli('list-sessions', '-F', '#{session_name}').split('\n').includes('bench');
  } catch {
    /* no server yet */
  }
  const cmd = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return first
    ? tmuxCli(
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
        '-n',
        name,
        '-P',
        '-F',
        '#{pane_id}',
        `exec ${cmd}`,
      )
    : tmuxCli('new-window', '-d', '-t', '=bench', '-n', name, '-P', '-F', '#{pane_id}', `exec ${cmd}`);
}

interface Run {
  label: string;
  samples: number[];
  captures: number;
  delivered: number;
}

async function runEngine(
  label: string,
  target: Record<string, unknown>,
  done: () => number,
  texts: string[],
): Promise<{ captures: number }> {
  const input: ConfigInput = {
    dataDir: mkdtempSync(join(ROOT, 'data-')),
    spool: { dir: mkdtempSync(join(ROOT, 'spool-')) },
    tmux: { socketName: SOCK },
    http: { enabled: false },
    targets: { t: target as never },
    queue: { rateLimit: { perSecond: 0 }, capacity: 100_000 },
  };
  const config = resolveConfig(input, { HOME: ROOT, XDG_RUNTIME_DIR: ROOT });
  const inner = new ResilientTmux(
    { socketName: SOCK },
    { logger: silentLogger, commandTimeoutMs: 5000, controlMode: true },
  );
  await inner.start();
  const tmux = counting(inner);
  const engine = await createEngine(config, { tmux, logger: silentLogger, tmuxPane: undefined });
  await engine.start();
  tmux.counts.clear();
  for (const text of texts) engine.enqueue({ text, target: 't', source: 'api' });
  const until = Date.now() + 60_000 + texts.length * (BUSY_MS + GAP_MS + 500);
  while (done() < texts.length && Date.now() < until) await sleep(50);
  await engine.close();
  process.stderr.write(`${label}: done\n`);
  return { captures: tmux.counts.get('capture-pane -e') ?? 0 };
}

interface FakeRecord {
  kind: string;
  t: number;
  line?: string;
  typedWhileBusy?: boolean;
}
const readFake = (file: string): FakeRecord[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FakeRecord)
    : [];

async function agentRun(
  label: string,
  options: Record<string, unknown>,
  preset: 'claude-code' | 'codex',
): Promise<Run> {
  const file = join(ROOT, `${label.replace(/\W+/g, '-')}.jsonl`);
  const id = pane(label.slice(0, 10), [
    process.execPath,
    join(REPO, 'test/fixtures/fake-agent.mjs'),
    file,
    String(BUSY_MS),
    '0',
    JSON.stringify(options),
  ]);
  while (!readFake(file).some((r) => r.kind === 'idle')) await sleep(20);
  const texts = Array.from({ length: N }, (_, i) => `prompt ${i}`);
  const submits = () => readFake(file).filter((r) => r.kind === 'submit').length;
  const { captures } = await runEngine(label, { pane: id, preset, readyPollMs: POLL_MS }, submits, texts);
  const records = readFake(file);
  const samples: number[] = [];
  let idleAt: number | null = null;
  let submitted = false;
  for (const r of records) {
    if (r.kind === 'submit') submitted = true;
    // The first idle marker is drawn before the engine starts: not a delivery's wait.
    if (r.kind === 'idle' && submitted) idleAt = r.t;
    if (r.kind === 'key' && idleAt !== null) {
      samples.push(r.t - idleAt);
      idleAt = null;
    }
  }
  const sub = records.filter((r) => r.kind === 'submit');
  const wrong = sub.filter((r, i) => r.line !== texts[i] || r.typedWhileBusy).length;
  if (wrong) process.stderr.write(`${label}: ${wrong} prompts merged, out of order or typed while busy\n`);
  return { label, samples, captures, delivered: sub.length - wrong };
}

async function shellRun(): Promise<Run> {
  const file = join(ROOT, 'shell.jsonl');
  const id = pane('shell', [process.execPath, join(REPO, 'test/fixtures/recorder.mjs'), file]);
  while (!tmuxCli('capture-pane', '-p', '-t', id).includes('RECORDER READY')) await sleep(20);
  const log = new RecorderLog(file);
  const texts = Array.from({ length: N }, (_, i) => `shell ${i}`);
  const start = epochNow();
  const { captures } = await runEngine(
    'shell',
    { pane: id },
    () => {
      log.poll();
      return log.lines.length;
    },
    texts,
  );
  const samples = log.lines.map((l, i) => l.t - (i === 0 ? start : log.lines[i - 1]!.t));
  return {
    label: 'shell target (baseline)',
    samples,
    captures,
    delivered: log.lines.filter((l, i) => l.line === texts[i]).length,
  };
}

async function main(): Promise<void> {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  try {
    const runs = [
      await agentRun('agent, Claude-like', { style: 'claude' }, 'claude-code'),
      await agentRun(
        `agent, Codex-like (${GAP_MS} ms gap after Enter)`,
        { style: 'codex', gapMs: GAP_MS, newlineWithinMs: 50 },
        'codex',
      ),
      await shellRun(),
    ];
    console.log(
      `\nagent readiness, ${N} prompts per target, readyPollMs ${POLL_MS}, fake agent busy ${BUSY_MS} ms; load average before: ${load}, after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    table(
      ['target', 'delivered ok', 'idle marker -> typed p50', 'p99', 'max', 'readiness captures (-e) / prompt'],
      runs.map((r) => [
        r.label,
        `${r.delivered}/${N}`,
        r.label.startsWith('shell') ? '(enqueue/previous -> line)' : fmtMs(pct(r.samples, 50)),
        r.label.startsWith('shell')
          ? `p50 ${fmtMs(pct(r.samples, 50))} p99 ${fmtMs(pct(r.samples, 99))}`
          : fmtMs(pct(r.samples, 99)),
        fmtMs(Math.max(...r.samples)),
        (r.captures / N).toFixed(2),
      ]),
    );
  } finally {
    try {
      tmuxCli('kill-server');
    } catch {
      /* gone */
    }
    if (!process.env.BENCH_KEEP) rmSync(ROOT, { recursive: true, force: true });
  }
}

await main();
