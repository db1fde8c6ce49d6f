import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { loggerFrom } from '../../src/engine/ports/logger.js';
import { useFixture } from '../helpers/fixture.js';
import { createEngine } from '../../src/engine/engine.js';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import type { Tmux } from '../../src/engine/ports/tmux.js';
import { holdsFor, jsonLines, waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));

interface Message {
  kind: string;
  t: number;
  line: string;
  typedWhileBusy: boolean;
}
const messages = (file: string): Message[] => jsonLines<Message>(file).filter((m) => m.kind === 'submit');

describe('agent targets', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  function agentPane(
    busyMs: number,
    startBusyMs: number,
    options: Record<string, unknown> = {},
  ): { pane: string; file: string } {
    const file = join(fx.dir, 'agent.jsonl');
    const pane = fx.tmux.session(
      'agent',
      [process.execPath, FAKE_AGENT, file, String(busyMs), String(startBusyMs), JSON.stringify(options)],
      { x: 100, y: 40 },
    );
    return { pane, file };
  }

  it('waits while the agent works, then types each message once and Enter submits it', async () => {
    const { pane, file } = agentPane(700, 1500);
    // A loaded machine may take the fake agent over the default 2 s hold to draw its busy marker after an Enter; the
    // hold ends as soon as the marker shows, so a longer one costs nothing here and keeps the test about waiting.
    engine = await fx.start(
      fx.config({ targets: { claude: { pane, preset: 'claude-code', postSubmitHoldMs: 8000 } } }),
    );
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
    engine = await fx.start(fx.config({ targets: { claude: { pane, preset: 'claude-code' } } }));
    const text = 'Review this:\n  line two; with $VAR and #{pane_id}\n\nlast line\n';
    engine.enqueue({ text, target: 'claude', source: 'api' });
    await waitFor(() => messages(file).length >= 1, 15_000, 'the paste');
    await holdsFor(() => messages(file).length === 1, 300, 'no second paste');
    expect(messages(file).map((m) => m.line)).toEqual([text.replace(/\n+$/, '')]);
    expect(fx.tmux.run('show-options', '-gqv', '@pwned')).toBe('');
  });

  it('refuses multi-line text for a target that does not allow it', async () => {
    const { pane } = agentPane(100, 0);
    engine = await fx.start(fx.config({ targets: { sh: { pane } } }));
    expect(() => engine!.enqueue({ text: 'a\nb', target: 'sh', source: 'api' })).toThrow(/newline \(LF\)/);
  });

  it('fails the attempt as busy when the agent stays busy past readyTimeoutMs, then delivers once it is idle', async () => {
    const { pane, file } = agentPane(100, 2500);
    engine = await fx.start(
      fx.config({
        targets: { claude: { pane, preset: 'claude-code', readyTimeoutMs: 400 } },
        queue: { retry: { attempts: 10, baseMs: 200, maxMs: 400, jitter: 0 } },
      }),
    );
    const { task } = engine.enqueue({ text: 'patient message', target: 'claude', source: 'api' });
    await waitFor(() => messages(file).length >= 1, 20_000, 'delivery');
    const done = engine.getTask(task.id)!;
    expect(done.errors.length).toBeGreaterThanOrEqual(1);
    expect(done.errors[0]!.code).toBe('WHT_ERR_TARGET_BUSY');
    expect(done.errors[0]!.message).toMatch(/did not become ready within 400 ms \(busy: the agent is working/);
    expect(messages(file).map((m) => m.line)).toEqual(['patient message']);
    expect(messages(file)[0]!.typedWhileBusy).toBe(false);
  });

  it('shutdown during a readiness wait cancels it: no attempt charged, the task stays queued and is delivered after the next start', async () => {
    const { pane, file } = agentPane(100, 4000);
    const real = new ExecTmux({ socketName: fx.tmux.socket });
    let looks = 0;
    const watched: Tmux = {
      run: (args, o) => {
        if (args[0] === 'capture-pane') looks++;
        return real.run(args, o);
      },
      close: () => real.close(),
    };
    const config = fx.config({
      targets: { claude: { pane, preset: 'claude-code', readyTimeoutMs: 20_000 } },
    });
    engine = await fx.start(config, { tmux: watched });
    const { task } = engine.enqueue({ text: 'wait for me', target: 'claude', source: 'api' });
    await waitFor(() => looks >= 2, 10_000, 'the readiness wait to begin');
    await engine.close();
    const after = await createEngine(config, { logger: silentLogger, tmuxPane: undefined });
    expect(after.getTask(task.id)).toMatchObject({ state: 'queued', attempts: 0, errors: [] });
    await after.close();
    expect(messages(file)).toEqual([]);
    // the next start delivers it once the agent is idle
    engine = await fx.start(config);
    await waitFor(() => messages(file).length >= 1, 20_000, 'delivery after the restart');
    expect(messages(file).map((m) => m.line)).toEqual(['wait for me']);
    expect(engine.getTask(task.id)?.errors).toEqual([]);
  });

  it('confirms the text reached the pane when the target asks for it', async () => {
    const { pane, file } = agentPane(100, 0);
    engine = await fx.start(fx.config({ targets: { claude: { pane, preset: 'claude-code', confirm: true } } }));
    const { task } = engine.enqueue({ text: 'confirm me please', target: 'claude', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.deliveredAt != null, 15_000, 'delivered');
    expect(engine.getTask(task.id)?.errors).toEqual([]);
    await waitFor(() => messages(file).length >= 1, 10_000, 'the submitted message');
    expect(messages(file).map((m) => m.line)).toEqual(['confirm me please']);
  });

  it('waits out the gap after Enter before the busy marker shows, so the next prompt is not typed into a working agent', async () => {
    const { pane, file } = agentPane(400, 0, { style: 'codex', gapMs: 900, newlineWithinMs: 50 });
    engine = await fx.start(fx.config({ targets: { codex: { pane, preset: 'codex' } } }));
    for (const n of [1, 2, 3]) engine.enqueue({ text: `prompt number ${n}`, target: 'codex', source: 'api' });
    await waitFor(() => messages(file).length >= 3, 30_000, 'three prompts');
    const got = messages(file);
    expect(got.map((m) => m.line)).toEqual(['prompt number 1', 'prompt number 2', 'prompt number 3']);
    expect(got.filter((m) => m.typedWhileBusy)).toEqual([]);
  });

  it('presses Enter once more when the first Enter became a newline, without typing the text again', async () => {
    // Enter within 300 ms of typed text is a newline here; the target sends it at once.
    const { pane, file } = agentPane(300, 0, { style: 'codex', newlineWithinMs: 300 });
    engine = await fx.start(
      fx.config({ targets: { codex: { pane, preset: 'codex', enterDelayMs: 0, readyPollMs: 200 } } }),
    );
    const { task } = engine.enqueue({ text: 'one prompt, one submit', target: 'codex', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.deliveredAt != null, 15_000, 'delivered');
    expect(engine.getTask(task.id)?.errors).toEqual([]);
    // The newline the first Enter made is part of the input; the prompt arrives once, with its text once.
    expect(messages(file).map((m) => m.line)).toEqual(['one prompt, one submit']);
  });

  it("does not type into an input that holds someone else's text: waits, says why (error, targets, log), then delivers alone", async () => {
    const { pane, file } = agentPane(100, 0);
    const logs: string[] = [];
    const logger = loggerFrom((_level, msg, fields) => logs.push(`${msg} ${JSON.stringify(fields ?? {})}`));
    engine = await fx.start(
      fx.config({
        targets: { claude: { pane, preset: 'claude-code', readyTimeoutMs: 300 } },
        queue: { retry: { attempts: 20, baseMs: 200, maxMs: 300, jitter: 0 } },
      }),
      { logger },
    );
    await waitFor(() => fx.tmux.capture(pane).includes('? for shortcuts'), 10_000, 'idle agent');
    fx.tmux.run('send-keys', '-t', pane, '-l', 'half typed by me');
    const reason = 'the input holds text that is not ours: "half typed by me"';
    await waitFor(
      async () =>
        (await engine!.targetStatus()).some(
          (t) => t.name === 'claude' && t.state === 'not-ready' && t.reason === reason,
        ),
      5000,
      'targets shows the reason',
    );
    const { task } = engine.enqueue({ text: 'the queued prompt', target: 'claude', source: 'api' });
    await waitFor(() => (engine!.getTask(task.id)?.errors.length ?? 0) >= 1, 10_000, 'a failed attempt');
    expect(engine.getTask(task.id)!.errors[0]).toMatchObject({
      code: 'WHT_ERR_TARGET_BUSY',
      message: expect.stringContaining(reason),
    });
    expect(
      logs.some((l) => l.startsWith('waiting for the target to become ready') && l.includes('half typed by me')),
    ).toBe(true);
    expect(messages(file)).toEqual([]);
    fx.tmux.run('send-keys', '-t', pane, 'C-u');
    await waitFor(() => messages(file).length >= 1, 15_000, 'delivery after the input was cleared');
    expect(messages(file).map((m) => m.line)).toEqual(['the queued prompt']);
  });

  it('clears foreign input first when the target has clearInput', async () => {
    const { pane, file } = agentPane(100, 0);
    engine = await fx.start(fx.config({ targets: { claude: { pane, preset: 'claude-code', clearInput: true } } }));
    await waitFor(() => fx.tmux.capture(pane).includes('? for shortcuts'), 10_000, 'idle agent');
    fx.tmux.run('send-keys', '-t', pane, '-l', 'stale text');
    await waitFor(() => fx.tmux.capture(pane).includes('stale text'), 5000, 'the stale text');
    const { task } = engine.enqueue({ text: 'fresh prompt', target: 'claude', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.deliveredAt != null, 15_000, 'delivered');
    expect(messages(file).map((m) => m.line)).toEqual(['fresh prompt']);
    expect(engine.getTask(task.id)?.errors).toEqual([]);
  });

  it('does not append to a prompt that an interrupt put back into the input', async () => {
    const { pane, file } = agentPane(60_000, 0, { restoreOnEsc: true });
    engine = await fx.start(
      fx.config({
        // Readiness alone: with trackCompletion the target would hold the second task until the first completed.
        targets: { claude: { pane, preset: 'claude-code', readyTimeoutMs: 300, trackCompletion: false } },
        queue: { retry: { attempts: 1, baseMs: 100, maxMs: 100, jitter: 0 } },
      }),
    );
    const first = engine.enqueue({ text: 'long running prompt', target: 'claude', source: 'api' }).task;
    await waitFor(() => engine!.getTask(first.id)?.state === 'delivered', 15_000, 'first delivered');
    fx.tmux.run('send-keys', '-t', pane, 'Escape');
    await waitFor(
      () => /❯ long running prompt\s*\n─/.test(fx.tmux.capture(pane)),
      5000,
      'the prompt back in the input',
    );
    const second = engine.enqueue({ text: 'second prompt', target: 'claude', source: 'api' }).task;
    await waitFor(() => engine!.getTask(second.id)?.state === 'dead', 10_000, 'second given up');
    expect(engine.getTask(second.id)!.errors[0]!.message).toContain(
      'the input holds text that is not ours: "long running prompt"',
    );
    expect(messages(file).map((m) => m.line)).toEqual(['long running prompt']);
    expect(fx.tmux.capture(pane)).not.toContain('second prompt');
  });
});
