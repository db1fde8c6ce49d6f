import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { openStore } from '../../src/engine/sqlite/open-store.js';
import { inspectPane, takeMark } from '../../src/engine/delivery/pane.js';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { prepareSpool } from '../../src/engine/intake/spool-dirs.js';
import { useFixture } from '../helpers/fixture.js';
import { holdsFor, recorded, waitFor } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('crash safety', () => {
  let engine: Engine | undefined;
  const children: ChildProcess[] = [];

  const fx = useFixture();
  afterEach(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  /** A task left `delivering` by a crash, with the pane's mark taken before anything was typed. */
  async function leftDelivering(pane: string, text: string, typed: 'nothing' | 'text' | 'text+enter') {
    const config = fx.config({ targets: { default: { pane } } });
    const store = openStore(config);
    const now = Date.now();
    const { task } = store.insertMany(
      [{ text, target: 'default', priority: 0, category: 'default', idemKey: null, source: 'api', receivedAt: now }],
      now,
      0,
    )[0]!;
    const exec = new ExecTmux({ socketName: fx.tmux.socket });
    store.markDelivering(task.id, now, await takeMark(exec, pane, (await inspectPane(exec, pane))!));
    store.close();
    if (typed !== 'nothing') fx.tmux.run('send-keys', '-t', pane, '-l', '--', text);
    if (typed === 'text+enter') fx.tmux.run('send-keys', '-t', pane, 'C-m');
    return { config, id: task.id };
  }

  it('does not type a task again when the pane shows it was submitted before the crash', async () => {
    const { pane, file } = await fx.recorder('rec');
    await waitFor(() => true);
    const { config, id } = await leftDelivering(pane, 'echo sent-before-crash', 'text+enter');
    await waitFor(() => recorded(file).length === 1, 5000, 'manual line');
    engine = await fx.start(config);
    await waitFor(() => engine!.getTask(id)?.state === 'delivered', 10_000, 'recovered');
    engine.enqueue({ text: 'after', source: 'api' });
    await waitFor(() => recorded(file).includes('after'), 10_000, 'after');
    expect(recorded(file)).toEqual(['echo sent-before-crash', 'after']);
  });

  it('presses Enter only when the text was typed but not submitted', async () => {
    // A shell pane: the typed text stays on the cursor line until Enter.
    const pane = fx.tmux.session('sh', ['bash', '--norc', '--noprofile']);
    const out = join(fx.dir, 'out.txt');
    const { config, id } = await leftDelivering(pane, `echo typed-only >> ${out}`, 'text');
    engine = await fx.start(config);
    await waitFor(() => engine!.getTask(id)?.state === 'delivered', 10_000, 'recovered');
    const { readFileSync, existsSync } = await import('node:fs');
    await waitFor(() => existsSync(out), 5000, 'command ran');
    await holdsFor(() => readFileSync(out, 'utf8') === 'typed-only\n', 200, 'the command ran once');
    expect(readFileSync(out, 'utf8')).toBe('typed-only\n');
  });

  it('types the task when the crash came before anything reached the pane', async () => {
    const { pane, file } = await fx.recorder('rec');
    const { config, id } = await leftDelivering(pane, 'echo never-sent', 'nothing');
    engine = await fx.start(config);
    await waitFor(() => engine!.getTask(id)?.state === 'delivered', 10_000, 'delivered');
    // The pane's program reads the keys a moment after tmux accepted them.
    await waitFor(() => recorded(file).length >= 1, 10_000, 'the line in the pane');
    await holdsFor(() => recorded(file).length === 1, 200, 'no second typing');
    expect(recorded(file)).toEqual(['echo never-sent']);
    expect(engine.getTask(id)?.attempts).toBe(1);
  });

  it('kill -9 in the middle of a spool burst, then restart: every trigger typed exactly once, in order', async () => {
    const n = Number(process.env.WHT_CRASH_BURST ?? 2000);
    const { pane, file } = await fx.recorder('rec');
    const configFile = join(fx.dir, 'config.json');
    const dataDir = join(fx.dir, 'data');
    const spoolDir = join(fx.dir, 'spool');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir,
        spool: { dir: spoolDir, rescanMs: 500 },
        tmux: { socketName: fx.tmux.socket },
        targets: { default: { pane } },
        queue: { capacity: 10_000, rateLimit: { perSecond: 0 } },
        http: { enabled: false },
      }),
    );
    mkdirSync(dataDir, { recursive: true });
    prepareSpool(spoolDir);
    const texts = Array.from({ length: n }, (_, i) => `burst ${String(i).padStart(5, '0')}`);
    const serve = () => {
      const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, TMUX_PANE: '' },
      });
      children.push(child);
      return child;
    };
    const first = serve();
    // The burst arrives while the engine runs.
    for (const t of texts) writeSpoolFile(spoolDir, JSON.stringify({ command: t }));
    await waitFor(() => recorded(file).length >= Math.min(100, n / 4), 120_000, 'some deliveries');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const before = recorded(file).length;
    expect(before).toBeLessThan(n);
    const second = serve();
    await waitFor(() => recorded(file).length >= n, 300_000, `${n} lines`);
    await holdsFor(() => recorded(file).length === n, 500, 'no line typed twice');
    expect(recorded(file)).toEqual(texts);
    expect(readdirSync(join(spoolDir, 'new'))).toEqual([]);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(second.exitCode).toBe(0);
    // The database agrees (`delivered` is a deferred write: group commit): every task delivered, each counted and
    // logged once, whether its `delivered` was committed before the kill or recorded by the pane check after it.
    const db = new Database(join(dataDir, 'webhook-tui.db'), { readonly: true });
    try {
      const one = (sql: string) => db.prepare(sql).pluck().get() as number;
      expect(one(`SELECT count(*) FROM tasks WHERE state = 'delivered'`)).toBe(n);
      expect(one(`SELECT value FROM counters WHERE name = 'delivered'`)).toBe(n);
      expect(one(`SELECT count(*) FROM events WHERE state = 'delivered'`)).toBe(n);
      expect(one(`SELECT count(DISTINCT task_id) FROM events WHERE state = 'delivered'`)).toBe(n);
    } finally {
      db.close();
    }
  }, 600_000);
});
