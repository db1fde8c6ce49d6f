import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { ConfigInput } from '../../src/engine/config/schema.js';
import type { Task, TaskState } from '../../src/engine/types.js';
import { useFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));
const LONG = `a long line that wraps: ${'word '.repeat(30).trim()}`;
const ANSWER = `Answer to {prompt}\n${LONG}\nlast line`;

describe('completion: what happens after delivered', () => {
  const fx = useFixture();
  let engine: Engine | undefined;

  function agentPane(busyMs: number, options: Record<string, unknown> = {}): string {
    const file = join(fx.dir, 'agent.jsonl');
    const args = [
      process.execPath,
      FAKE_AGENT,
      file,
      String(busyMs),
      '0',
      JSON.stringify({ answer: ANSWER, ...options }),
    ];
    return fx.tmux.session('agent', args, { x: 100, y: 40 });
  }

  async function start(targets: ConfigInput['targets'], extra: ConfigInput = {}): Promise<Engine> {
    engine = await fx.start(fx.config({ targets, ...extra }));
    return engine;
  }

  /** Every task state change the engine emits, in order, per task id. */
  function recordStates(e: Engine): Map<number, TaskState[]> {
    const seen = new Map<number, TaskState[]>();
    const note = (t: Task) => seen.set(t.id, [...(seen.get(t.id) ?? []), t.state]);
    for (const name of ['task:queued', 'task:started', 'task:delivered', 'task:working', 'task:completed'] as const)
      e.on(name, note);
    e.on('task:stalled', note);
    return seen;
  }

  const finished = (id: number) => () => engine!.getTask(id)?.finishedAt != null;

  it('an agent task goes delivered -> working -> completed, with its output and duration', async () => {
    const pane = agentPane(800);
    const e = await start({ claude: { pane, preset: 'claude-code' } });
    const states = recordStates(e);
    const { task } = e.enqueue({ text: 'explain the build', target: 'claude', source: 'api' });
    await waitFor(finished(task.id), 20_000, 'the task to finish');
    const done = e.getTask(task.id)!;
    expect(done.state).toBe('completed');
    expect(states.get(task.id)).toEqual(['queued', 'delivering', 'delivered', 'working', 'completed']);
    expect(done.output).toBe(`Answer to explain the build\n${LONG}\nlast line`);
    expect(done.completedAt).toBeGreaterThanOrEqual(done.workingAt!);
    expect(done.workingAt).toBeGreaterThanOrEqual(done.deliveredAt!);
    expect(done.finishedAt).toBe(done.completedAt);
    // lists leave the output out but say how long it is
    const listed = e.listTasks({ state: 'completed' })[0]!;
    expect(listed.output).toBeUndefined();
    expect(listed.outputBytes).toBe(Buffer.byteLength(done.output!));
  });

  it('types the next task for the target only after the previous one completed', async () => {
    const pane = agentPane(600);
    const e = await start({ claude: { pane, preset: 'claude-code' } });
    const a = e.enqueue({ text: 'first task', target: 'claude', source: 'api' }).task;
    const b = e.enqueue({ text: 'second task', target: 'claude', source: 'api' }).task;
    await waitFor(finished(b.id), 30_000, 'both tasks to finish');
    const [first, second] = [e.getTask(a.id)!, e.getTask(b.id)!];
    expect([first.state, second.state]).toEqual(['completed', 'completed']);
    expect(second.startedAt).toBeGreaterThanOrEqual(first.completedAt!);
    expect(first.output).toBe(`Answer to first task\n${LONG}\nlast line`);
    expect(second.output).toBe(`Answer to second task\n${LONG}\nlast line`);
    // no attempt failed while the first one worked (readiness never had to time out)
    expect(second.errors).toEqual([]);
  });

  it('is stalled when the agent stays busy past completionTimeoutMs, naming the timeout', async () => {
    const pane = agentPane(60_000);
    const e = await start({ claude: { pane, preset: 'claude-code', completionTimeoutMs: 1500 } });
    const stalledEvents: string[] = [];
    e.on('task:stalled', (_t, err) => stalledEvents.push(err.code));
    const { task } = e.enqueue({ text: 'never ends', target: 'claude', source: 'api' });
    await waitFor(finished(task.id), 20_000, 'the task to stall');
    const done = e.getTask(task.id)!;
    expect(done.state).toBe('stalled');
    expect(stalledEvents).toEqual(['WHT_ERR_STALLED']);
    expect(done.errors.at(-1)!.message).toMatch(/^still busy \d+ ms after delivery \(completionTimeoutMs 1500\)$/);
    expect(done.completedAt).toBeNull();
  });

  it('a task working when the engine stops is watched again after the next start and completes', async () => {
    const pane = agentPane(2500);
    const config = fx.config({ targets: { claude: { pane, preset: 'claude-code' } } });
    engine = await fx.start(config);
    const { task } = engine.enqueue({ text: 'survive a restart', target: 'claude', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'working', 20_000, 'working');
    await engine.close();
    engine = await fx.start(config);
    await waitFor(finished(task.id), 20_000, 'the task to finish after the restart');
    const done = engine.getTask(task.id)!;
    expect(done.state).toBe('completed');
    expect(done.output).toBe(`Answer to survive a restart\n${LONG}\nlast line`);
  });

  it('a shell task with trackCompletion is completed when the command is back at the shell, with its exit status', async () => {
    const pane = fx.tmux.session('sh', ['env', 'PS1=[$?] $ ', 'bash', '--norc', '--noprofile', '-i'], {
      x: 120,
      y: 30,
    });
    await waitFor(() => fx.tmux.capture(pane).includes('[0] $'), 10_000, 'the shell prompt');
    const e = await start({ sh: { pane, trackCompletion: true, promptPattern: '^\\[(\\d+)\\] \\$' } });
    const states = recordStates(e);
    const ok = e.enqueue({ text: 'sleep 1; echo done-$((6*7))', target: 'sh', source: 'api' }).task;
    const bad = e.enqueue({ text: 'ls /nonexistent-wht', target: 'sh', source: 'api' }).task;
    await waitFor(finished(bad.id), 20_000, 'both commands to finish');
    expect(e.getTask(ok.id)).toMatchObject({ state: 'completed', output: 'done-42', exitCode: 0 });
    expect(states.get(ok.id)).toEqual(['queued', 'delivering', 'delivered', 'working', 'completed']);
    const failed = e.getTask(bad.id)!;
    expect(failed).toMatchObject({ state: 'completed', exitCode: 2 });
    expect(failed.output).toMatch(/nonexistent-wht/);
  });
});
