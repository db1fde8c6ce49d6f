import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { startEngine, tempDir, testConfig } from '../helpers/engine.js';
import { holdsFor, TestTmux, waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));

interface Message { t: number; line: string; typedWhileBusy: boolean }
const messages = (file: string): Message[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message) : [];

describe('agent targets', () => {
  let tmux: TestTmux;
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine | undefined;

  beforeEach(() => { tmux = new TestTmux(); tmp = tempDir(); });
  afterEach(async () => { await engine?.close(); engine = undefined; tmux.kill(); tmp.cleanup(); });

  function agentPane(busyMs: number, startBusyMs: number): { pane: string; file: string } {
    const file = join(tmp.dir, 'agent.jsonl');
    const pane = tmux.session('agent', [process.execPath, FAKE_AGENT, file, String(busyMs), String(startBusyMs)]);
    return { pane, file };
  }

  it('waits while the agent works, then types each message once and Enter submits it', async () => {
    const { pane, file } = agentPane(700, 1500);
    engine = await startEngine(testConfig(tmp.dir, tmux, { targets: { claude: { pane, preset: 'claude-code' } } }));
    engine.enqueue({ text: 'first: explain the build', target: 'claude', source: 'api' });
    engine.enqueue({ text: 'second: now run the tests', target: 'claude', source: 'api' });
    await waitFor(() => messages(file).length >= 2, 20_000, 'two messages');
    await holdsFor(() => messages(file).length === 2, 300, 'no third message');
    const got = messages(file);
    expect(got.map((m) => m.line)).toEqual(['first: explain the build', 'second: now run the tests']);
    // Nothing was typed while the agent showed "esc to interrupt".
    expect(got.every((m) => !m.typedWhileBusy)).toBe(true);
  });

  it('delivers multi-line text as one bracketed paste and one submit', async () => {
    const { pane, file } = agentPane(100, 0);
    engine = await startEngine(testConfig(tmp.dir, tmux, { targets: { claude: { pane, preset: 'claude-code' } } }));
    const text = 'Review this:\n  line two; with $VAR and #{pane_id}\n\nlast line\n';
    engine.enqueue({ text, target: 'claude', source: 'api' });
    await waitFor(() => messages(file).length >= 1, 15_000, 'the paste');
    await holdsFor(() => messages(file).length === 1, 300, 'no second paste');
    expect(messages(file).map((m) => m.line)).toEqual([text.replace(/\n+$/, '')]);
    expect(tmux.run('show-options', '-gqv', '@pwned')).toBe('');
  });

  it('refuses multi-line text for a target that does not allow it', async () => {
    const { pane } = agentPane(100, 0);
    engine = await startEngine(testConfig(tmp.dir, tmux, { targets: { sh: { pane } } }));
    expect(() => engine!.enqueue({ text: 'a\nb', target: 'sh', source: 'api' })).toThrow(/newline \(LF\)/);
  });

  it('fails the attempt as busy when the agent stays busy past readyTimeoutMs, then delivers once it is idle', async () => {
    const { pane, file } = agentPane(100, 2500);
    engine = await startEngine(testConfig(tmp.dir, tmux, {
      targets: { claude: { pane, preset: 'claude-code', readyTimeoutMs: 400 } },
      queue: { retry: { attempts: 10, baseMs: 200, maxMs: 400, jitter: 0 } },
    }));
    const { task } = engine.enqueue({ text: 'patient message', target: 'claude', source: 'api' });
    await waitFor(() => messages(file).length >= 1, 20_000, 'delivery');
    const done = engine.getTask(task.id)!;
    expect(done.errors.length).toBeGreaterThanOrEqual(1);
    expect(done.errors[0]!.code).toBe('WHT_ERR_TARGET_BUSY');
    expect(done.errors[0]!.message).toMatch(/did not become idle within 400 ms/);
    expect(messages(file).map((m) => m.line)).toEqual(['patient message']);
    expect(messages(file)[0]!.typedWhileBusy).toBe(false);
  });

  it('confirms the text reached the pane when the target asks for it', async () => {
    const { pane, file } = agentPane(100, 0);
    engine = await startEngine(testConfig(tmp.dir, tmux, { targets: { claude: { pane, preset: 'claude-code', confirm: true } } }));
    const { task } = engine.enqueue({ text: 'confirm me please', target: 'claude', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'delivered', 15_000, 'delivered');
    expect(engine.getTask(task.id)?.errors).toEqual([]);
    await waitFor(() => messages(file).length >= 1, 10_000, 'the submitted message');
    expect(messages(file).map((m) => m.line)).toEqual(['confirm me please']);
  });
});
