import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, runCliAsync } from '../helpers/cli.js';
import { useFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));

describe('send --wait and tasks show (the built CLI against serve)', () => {
  const fx = useFixture();

  /** A config with an agent target `claude` (fake agent answering `answer: PROMPT`), written to a file. */
  function setup(busyMs: number, target: Record<string, unknown> = {}): string {
    const file = join(fx.dir, 'agent.jsonl');
    const opts = JSON.stringify({ answer: 'answer: {prompt}\nsecond line' });
    const pane = fx.tmux.session('agent', [process.execPath, FAKE_AGENT, file, String(busyMs), '0', opts], {
      x: 100,
      y: 40,
    });
    const configFile = join(fx.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(fx.dir, 'data'),
        spool: { dir: join(fx.dir, 'spool'), rescanMs: 500 },
        tmux: { socketName: fx.tmux.socket },
        targets: { claude: { pane, preset: 'claude-code', ...target }, gone: { pane: '%999999' } },
        queue: { rateLimit: { perSecond: 0 }, retry: { attempts: 1 } },
        http: { port: 0 },
      }),
    );
    return configFile;
  }

  function serve(configFile: string): void {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, TMUX_PANE: '', TMUX: '' },
    });
    fx.track(child);
    fx.defer(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
  }

  it('prints the agent’s answer once it completed (spool and --http), and tasks show gives it back', async () => {
    const configFile = setup(500);
    serve(configFile);
    await waitFor(() => runCli(['status', '--config', configFile]).code === 0, 20_000, 'the engine');
    const viaSpool = await runCliAsync([
      'send',
      '--config',
      configFile,
      '--target',
      'claude',
      '--wait',
      '--',
      'hi one',
    ]);
    expect(viaSpool).toMatchObject({ code: 0, out: 'answer: hi one\nsecond line\n' });
    const viaHttp = await runCliAsync([
      'send',
      '--config',
      configFile,
      '--http',
      '--target',
      'claude',
      '--wait',
      '--json',
      '--',
      'hi two',
    ]);
    expect(viaHttp.code).toBe(0);
    const task = JSON.parse(viaHttp.out) as { id: number; state: string; output: string };
    expect(task).toMatchObject({ state: 'completed', output: 'answer: hi two\nsecond line' });
    const shown = runCli(['tasks', 'show', String(task.id), '--output', '--config', configFile]);
    expect(shown).toMatchObject({ code: 0, out: 'answer: hi two\nsecond line\n' });
    const full = runCli(['tasks', 'show', String(task.id), '--config', configFile]);
    expect(full.out).toMatch(/^task \d+: completed$/m);
    expect(full.out).toMatch(/^completed: .* \(took [\d.]+m?s\)$/m);
    expect(full.out).toContain('output:     26 bytes (--output prints it)');
  });

  it('exits 1 with the reason when the task goes dead or stalls', async () => {
    const configFile = setup(60_000, { completionTimeoutMs: 1000 });
    serve(configFile);
    await waitFor(() => runCli(['status', '--config', configFile]).code === 0, 20_000, 'the engine');
    const stalled = await runCliAsync(['send', '--config', configFile, '--target', 'claude', '--wait', '--', 'slow']);
    expect(stalled.code).toBe(1);
    expect(stalled.err).toMatch(/task \d+ is stalled: WHT_ERR_STALLED: still busy \d+ ms after delivery/);
    const dead = await runCliAsync(['send', '--config', configFile, '--target', 'gone', '--wait', '--', 'nowhere']);
    expect(dead.code).toBe(1);
    expect(dead.err).toMatch(/task \d+ is dead: WHT_ERR_TARGET_MISSING/);
  });

  it('gives up after --timeout when no engine picks the task up', async () => {
    const configFile = setup(100);
    const r = await runCliAsync(['send', '--config', configFile, '--wait', '--timeout', '1s', '--', 'nobody runs']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('timed out after 1000 ms: the task was not picked up by an engine');
    const bad = runCli(['send', '--config', configFile, '--wait', '--timeout', 'soon', '--', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--timeout must be a duration');
  });
});
