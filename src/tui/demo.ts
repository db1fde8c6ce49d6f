/**
 * `webhook-tui --demo`: a trickle of sample triggers so every panel moves. `demoSchedule` is pure and deterministic;
 * `playSchedule` feeds it to an enqueue function on timers. Triggers for DEMO_FAILING_TARGET are meant to fail
 * (configure that target with a pane that does not exist) so retries and the dead-letter queue show.
 */
import type { NewTask } from '../engine/types.js';
import { seededRandom as rng } from '../engine/ports/random.js';

export const DEMO_FAILING_TARGET = 'offline';

export interface DemoTrigger {
  /** Offset from the start of the demo. */
  atMs: number;
  task: NewTask;
}

export interface DemoOptions {
  /** Number of triggers. @default 120 */
  count?: number;
  /** Mean gap between triggers. @default 700 */
  meanGapMs?: number;
  /** Every n-th trigger goes to the failing target. @default 7 */
  failEvery?: number;
  /** Seed for the deterministic pseudo-random gaps and picks. @default 1 */
  seed?: number;
  /** Target for the triggers that should succeed. @default "default" */
  target?: string;
}

const SAMPLES: readonly { text: string; category: string; priority: number }[] = [
  { text: 'echo "deploy finished: web-$N"', category: 'ci', priority: 0 },
  { text: 'printf "todo #%s done\\n" $N', category: 'todo', priority: 0 },
  { text: 'echo "github push to main ($N)"', category: 'github', priority: 1 },
  { text: 'date -u +"heartbeat $N %H:%M:%S"', category: 'cron', priority: -1 },
  { text: 'echo "urgent: pager alert $N"', category: 'alerts', priority: 5 },
  { text: 'uptime', category: 'cron', priority: -1 },
];

export function demoSchedule(opts: DemoOptions = {}): DemoTrigger[] {
  const count = opts.count ?? 120;
  const gap = opts.meanGapMs ?? 700;
  const failEvery = opts.failEvery ?? 7;
  const random = rng(opts.seed ?? 1);
  const out: DemoTrigger[] = [];
  let at = 0;
  for (let i = 1; i <= count; i += 1) {
    const sample = SAMPLES[Math.floor(random() * SAMPLES.length)] ?? SAMPLES[0]!;
    const failing = failEvery > 0 && i % failEvery === 0;
    out.push({
      atMs: Math.round(at),
      task: {
        text: sample.text.replace('$N', String(i)),
        target: failing ? DEMO_FAILING_TARGET : (opts.target ?? 'default'),
        priority: sample.priority,
        category: sample.category,
        source: 'api',
      },
    });
    // bursty: mostly short gaps, now and then a pause
    at += random() < 0.15 ? gap * 4 * random() : gap * 2 * random();
  }
  return out;
}

/** Play a schedule: calls `enqueue` at each trigger's offset. Returns stop() (idempotent). */
export function playSchedule(
  schedule: readonly DemoTrigger[],
  enqueue: (task: NewTask) => unknown,
  opts: { loop?: boolean; onError?: (err: unknown) => void } = {},
): () => void {
  let timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const run = (): void => {
    timers = schedule.map((t) =>
      setTimeout(() => {
        if (!stopped)
          Promise.resolve()
            .then(() => enqueue({ ...t.task }))
            .catch((err: unknown) => opts.onError?.(err));
      }, t.atMs),
    );
    const last = schedule[schedule.length - 1];
    if (opts.loop && last) timers.push(setTimeout(() => !stopped && run(), last.atMs + 1000));
  };
  run();
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
  };
}
