import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/engine/config/schema.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { prepareSpool } from '../../src/engine/intake/spool-dirs.js';
import { BIN } from '../helpers/cli.js';
import Database from 'better-sqlite3';
import { CallbackReceiver } from '../helpers/callback-receiver.js';
import { useFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));
const ALL = ['queued', 'delivering', 'delivered', 'working', 'completed'] as const;

/** A task's state as the database has it (read-only, beside the engine that writes it). */
function stateOf(dbPath: string, key: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return (db.prepare('SELECT state FROM tasks WHERE idem_key = ?').get(key) as { state: string } | undefined)?.state;
  } catch {
    return undefined; // not created yet
  } finally {
    db?.close();
  }
}

describe('callbacks: every state change, signed, from a durable outbox', () => {
  const fx = useFixture();

  async function receiver(): Promise<CallbackReceiver> {
    const r = new CallbackReceiver();
    await r.start();
    fx.defer(() => r.close());
    return r;
  }

  /** An agent pane (the fake agent answers `done: PROMPT`) and a config with the receiver's secret in a file. */
  function setup(rcv: CallbackReceiver, busyMs: number, extra: ConfigInput = {}): ConfigInput {
    const file = join(fx.dir, 'agent.jsonl');
    const opts = JSON.stringify({ answer: 'done: {prompt}' });
    const pane = fx.tmux.session('agent', [process.execPath, FAKE_AGENT, file, String(busyMs), '0', opts], {
      x: 100,
      y: 40,
    });
    const secretFile = join(fx.dir, 'callback.secret');
    writeFileSync(secretFile, `${rcv.secret}\n`, { mode: 0o600 });
    return {
      targets: { claude: { pane, preset: 'claude-code' } },
      callbacks: { secretFile, events: [...ALL], retryBaseMs: 100, retryMaxMs: 300 },
      ...extra,
    };
  }

  it('POSTs every state change of a task once, in order, signed as a Standard Webhooks sender', async () => {
    const rcv = await receiver();
    const engine = await fx.start(fx.config(setup(rcv, 500)));
    const { task } = engine.enqueue({ text: 'ping', target: 'claude', source: 'api', callback: { url: rcv.url } });
    await waitFor(() => rcv.received.length >= ALL.length, 20_000, 'five callbacks');
    await waitFor(() => engine.stats().callbacks?.pending === 0, 10_000, 'an empty outbox');
    expect(rcv.received.map((r) => r.type)).toEqual(ALL.map((s) => `task.${s}`));
    expect(rcv.received.map((r) => r.id)).toEqual(ALL.map((s) => `wht_${task.id}_${s}`));
    expect(rcv.received.every((r) => r.verified)).toBe(true);
    const completed = rcv.received.at(-1)!.data;
    expect(completed).toMatchObject({ id: task.id, state: 'completed', previous: 'working', output: 'done: ping' });
    expect(completed.durationMs).toBeGreaterThanOrEqual(0);
    expect(engine.stats().callbacks).toMatchObject({ sent: 5, failed: 0, retrying: 0, sentSinceStart: 5 });
  });

  it('a receiver that is down gets everything, in order, once it is back; failures show in status and /metrics', async () => {
    const rcv = await receiver();
    rcv.mode = 'down';
    const engine = await fx.start(fx.config(setup(rcv, 300, { http: { enabled: true, port: 0 } })));
    const { task } = engine.enqueue({
      text: 'while down',
      target: 'claude',
      source: 'api',
      callback: { url: rcv.url },
    });
    await waitFor(() => engine.getTask(task.id)?.state === 'completed', 20_000, 'the task to complete');
    await waitFor(() => rcv.refused >= 3, 20_000, 'failed tries');
    const stats = engine.stats().callbacks!;
    expect(stats.retrying).toBe(1);
    expect(stats.pending).toBe(ALL.length);
    expect(stats.lastError).toBeTruthy();
    const metrics = await (await fetch(`${engine.httpUrl()}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_tui_callbacks_failing 1$/m);
    expect(metrics).toMatch(/^webhook_tui_callbacks\{state="pending"\} 5$/m);
    rcv.mode = 'up';
    await waitFor(() => engine.stats().callbacks?.pending === 0, 20_000, 'the outbox to drain');
    expect(rcv.received.map((r) => r.type)).toEqual(ALL.map((s) => `task.${s}`));
    expect(rcv.received.every((r) => r.verified)).toBe(true);
  });

  it('refuses a callback to a host not in callbacks.allow, and one with nothing to sign it', async () => {
    const rcv = await receiver();
    const input = setup(rcv, 100);
    const engine = await fx.start(fx.config(input));
    const far = { text: 'x', target: 'claude', source: 'api' as const, callback: { url: 'https://example.com/hook' } };
    expect(() => engine.enqueue(far)).toThrow(/host example\.com is not loopback and not in callbacks\.allow/);
    await engine.close();
    const unsigned = await fx.start(fx.config({ ...input, callbacks: {} }));
    expect(() => unsigned.enqueue({ ...far, callback: { url: rcv.url } })).toThrow(
      /nothing to sign it with: set callbacks\.secretEnv or callbacks\.secretFile/,
    );
  });

  it('a hook with hooks.NAME.callback calls back for its tasks; POST /v1/tasks takes a callback in its body', async () => {
    const rcv = await receiver();
    const input = setup(rcv, 200, { http: { enabled: true, port: 0 } });
    const secretFile = join(fx.dir, 'callback.secret');
    const hooks = { ask: { target: 'claude', callback: { url: rcv.url, events: ['completed' as const], secretFile } } };
    const engine = await fx.start(fx.config({ ...input, callbacks: { allow: [] }, hooks }));
    const res = await fetch(`${engine.httpUrl()}/hooks/ask`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'from the hook',
    });
    expect(res.status).toBe(202);
    await waitFor(() => rcv.received.length >= 1, 20_000, 'the completed callback');
    expect(rcv.received.map((r) => [r.type, r.verified, r.data.output])).toEqual([
      ['task.completed', true, 'done: from the hook'],
    ]);
    const token = readFileSync(join(engine.config.dataDir, 'token'), 'utf8').trim();
    const refused = await fetch(`${engine.httpUrl()}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ command: 'x', target: 'claude', callback: 'http://10.1.2.3/cb' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'WHT_ERR_CALLBACK_REFUSED' });
  });

  it('a kill -9 between a state change and its callback loses none: after the restart everything arrives, in order', async () => {
    const rcv = await receiver();
    const input = setup(rcv, 4000, {
      dataDir: join(fx.dir, 'data'),
      spool: { dir: join(fx.dir, 'spool'), rescanMs: 500 },
      tmux: { socketName: fx.tmux.socket },
      http: { enabled: false },
    });
    const configFile = join(fx.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(input));
    const serve = () =>
      fx.track(
        spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
          stdio: 'ignore',
          env: { ...process.env, TMUX_PANE: '', TMUX: '' },
        }),
      );
    rcv.mode = 'hang';
    const first = serve();
    prepareSpool(join(fx.dir, 'spool'));
    writeSpoolFile(
      join(fx.dir, 'spool'),
      JSON.stringify({ command: 'survive', target: 'claude', id: 'k9', callback: { url: rcv.url } }),
    );
    await rcv.hung; // the first callback (queued) is on its way and not answered
    // more state changes are committed meanwhile, their callbacks waiting in the outbox behind the first
    // At least `working` (a loaded machine may look past the time it works: `completed` is as good, its callback
    // waits in the outbox behind the hung first one all the same).
    await waitFor(
      () => ['working', 'completed'].includes(stateOf(join(fx.dir, 'data', 'webhook-tui.db'), 'k9') ?? ''),
      30_000,
      'the task to be working',
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    rcv.mode = 'up';
    const second = serve();
    fx.defer(
      () =>
        new Promise<void>((resolve) => {
          if (second.exitCode !== null || second.signalCode !== null) return resolve();
          second.once('exit', () => resolve());
          second.kill('SIGTERM');
        }),
    );
    await waitFor(() => rcv.received.some((r) => r.type === 'task.completed'), 30_000, 'the completed callback');
    const got = rcv.firstArrivals();
    expect(got.map((r) => r.type)).toEqual(ALL.map((s) => `task.${s}`));
    expect(rcv.received.every((r) => r.verified)).toBe(true);
    // none answered twice: the one the kill cut off was never answered, and is the only one sent again
    expect(rcv.received.length).toBe(ALL.length);
    expect(rcv.received.at(-1)!.data).toMatchObject({ state: 'completed', output: 'done: survive' });
  });
});
