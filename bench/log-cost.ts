// Log cost on the hot path: CPU time per task of the task-event log lines (accepted + delivered, two JSON lines
// appended to engine.log in a temp dir, with rotation at the default 50 MiB), against the same events with no
// log attached, in alternating rounds of the same run. Prints figures; never pass/fail.
// Usage: npm run bench:logs -- [tasks per round=20000] [rounds=5]
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { logConfigSchema } from '../src/engine/logs/config.js';
import { LogManager } from '../src/engine/logs/manager.js';
import { TaskEventLog } from '../src/engine/logs/task-events.js';
import type { EngineEventMap, Task } from '../src/engine/types.js';

const [, , perRoundArg = '20000', roundsArg = '5'] = process.argv;
const N = Number(perRoundArg);
const ROUNDS = Number(roundsArg);

function task(id: number, now: number): Task {
  return {
    id,
    text: `echo trigger ${id} from the bench`,
    target: 'default',
    priority: 0,
    category: 'default',
    idemKey: `key-${id}`,
    source: 'spool',
    state: 'delivered',
    attempts: 1,
    nextAttemptAt: now,
    errors: [],
    receivedAt: now - 3,
    committedAt: now - 2.5,
    startedAt: now - 1.2,
    deliveredAt: now,
    finishedAt: now,
  };
}

/** CPU µs per task (user + system) for N tasks' events through `events`. */
function round(events: EventEmitter<EngineEventMap>): number {
  const now = Date.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const t = task(i, now);
    events.emit('task:queued', { ...t, state: 'queued', attempts: 0 });
    events.emit('task:delivered', t);
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / N;
}

const dir = mkdtempSync(join(tmpdir(), 'wht-log-cost-'));
const logs = new LogManager({ dir, config: logConfigSchema.parse({}) });
await logs.start();
const withLog = new EventEmitter<EngineEventMap>();
new TaskEventLog(withLog, logs.logger).start();
const without = new EventEmitter<EngineEventMap>();
round(withLog);
round(without); // warm-up
const on: number[] = [];
const off: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  off.push(round(without));
  on.push(round(withLog));
}
await logs.close();
const bytes = statSync(join(dir, 'engine.log')).size;
rmSync(dir, { recursive: true, force: true });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cost = med(on) - med(off);
console.log(
  `node ${process.version}, ${ROUNDS} alternating rounds of ${N} tasks (2 events each), load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(
  `CPU per task, median of rounds: log at info ${med(on).toFixed(2)} µs, no log ${med(off).toFixed(2)} µs (rounds: on ${on.map((x) => x.toFixed(1)).join(' ')}; off ${off.map((x) => x.toFixed(1)).join(' ')})`,
);
console.log(
  `the two lines of a task cost ${cost.toFixed(2)} µs of CPU, ${(bytes / ((ROUNDS + 1) * N)).toFixed(0)} bytes on disk; at 500 tasks/s: ${((cost * 500) / 1e4).toFixed(2)} % of one core`,
);
