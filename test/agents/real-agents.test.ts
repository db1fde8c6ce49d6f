/**
 * Opt-in (`npm run test:agents`): the real Claude Code and Codex CLIs as delivery targets, run offline in a pane of
 * a private tmux server with a private HOME (README, "Agent CLIs: checking the presets"). Skipped unless both are
 * installed: WHT_CLAUDE_BIN and WHT_CODEX_BIN name the executables (e.g. node_modules/.bin/claude, .../codex).
 *
 * Offline, a submitted prompt makes the agent retry the network (Codex waits for it indefinitely), so the test plays
 * a person who presses Esc once the agent has worked on a prompt for a second: a real idle -> busy -> idle cycle,
 * and for Claude the interrupted prompt comes back into the input (the target has clearInput, so the engine clears
 * it before the next prompt). 20 prompts to each: every prompt submitted once (the agent's own history.jsonl),
 * none merged, none typed while the agent showed its busy marker (the screen is sampled every 50 ms).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgeScreen } from '../../src/engine/delivery/readiness.js';
import type { Engine } from '../../src/engine/engine.js';
import { startEngine, tempDir, testConfig } from '../helpers/engine.js';
import { TestTmux, waitFor } from '../helpers/tmux.js';

const CLAUDE = process.env.WHT_CLAUDE_BIN;
const CODEX = process.env.WHT_CODEX_BIN;
const installed = Boolean(CLAUDE && CODEX && existsSync(CLAUDE) && existsSync(CODEX));
const PROMPTS = Number(process.env.WHT_AGENT_PROMPTS ?? 20);
const version = (bin: string) =>
  execFileSync(bin, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } }).trim();
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Setup {
  argv: string[];
  history: string;
  preset: 'claude-code' | 'codex';
}

function claudeSetup(home: string, work: string): Setup {
  const v = version(CLAUDE!).split(' ')[0];
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      lastOnboardingVersion: v,
      customApiKeyResponses: { approved: ['dummy'], rejected: [] },
      projects: { [work]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
    }),
  );
  return {
    argv: [`HOME=${home}`, 'ANTHROPIC_API_KEY=dummy', CLAUDE!],
    history: join(home, '.claude', 'history.jsonl'),
    preset: 'claude-code',
  };
}

function codexSetup(home: string, work: string): Setup {
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome);
  const env = { HOME: home, CODEX_HOME: codexHome, PATH: '/usr/bin:/bin' };
  execFileSync(CODEX!, ['login', '--with-api-key'], { input: 'dummy\n', env, stdio: ['pipe', 'ignore', 'ignore'] });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      'forced_login_method = "api"',
      'check_for_update_on_startup = false',
      '[tui]',
      'screen_reader_detection_done = true',
      '[analytics]',
      'enabled = false',
      '[feedback]',
      'enabled = false',
      `[projects.${JSON.stringify(work)}]`,
      'trust_level = "trusted"',
    ].join('\n'),
  );
  return {
    argv: [`HOME=${home}`, `CODEX_HOME=${codexHome}`, CODEX!],
    history: join(codexHome, 'history.jsonl'),
    preset: 'codex',
  };
}

/** Every process under `pid` (the agent, Codex's app-server child, ...). */
function descendants(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const kids = out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** PIDs whose command line names a path under `dir` (Codex's detached app-server daemon). */
function daemonsUnder(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

const historyTexts = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const e = JSON.parse(l) as { display?: string; text?: string };
          return e.display ?? e.text ?? '';
        })
    : [];

describe.skipIf(!installed)('real agent CLIs as targets (offline)', () => {
  let tmux: TestTmux | undefined;
  let engine: Engine | undefined;
  let pids: number[] = [];
  let tmp: ReturnType<typeof tempDir> | undefined;

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    tmux?.kill();
    // Codex's app-server ignores SIGTERM for seconds and stops on SIGINT.
    for (const p of pids) {
      try {
        process.kill(p, 'SIGINT');
      } catch {
        /* gone */
      }
    }
    await waitFor(
      () =>
        pids.every((p) => {
          try {
            process.kill(p, 0);
            return false;
          } catch {
            return true;
          }
        }),
      15_000,
      'agent processes to exit',
    ).catch(() => {
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    });
    pids = [];
    // Codex also starts an app-server daemon that leaves the pane's process tree: stop it by its HOME in argv.
    if (tmp)
      for (const p of daemonsUnder(tmp.dir)) {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) {
          try {
            process.kill(p, sig);
          } catch {
            /* gone */
          }
        }
      }
    tmp?.cleanup();
  });

  it.each(['claude-code', 'codex'] as const)(
    '%s takes every prompt once, none merged, none typed while busy',
    async (which) => {
      tmp = tempDir('wht-agents-');
      const home = join(tmp.dir, 'home');
      const work = join(tmp.dir, 'work');
      mkdirSync(home);
      mkdirSync(work);
      const setup = which === 'claude-code' ? claudeSetup(home, work) : codexSetup(home, work);
      tmux = new TestTmux();
      const pane = tmux.session(
        'agent',
        [
          'sh',
          '-c',
          `cd ${q(work)} && exec env -i PATH=/usr/bin:/bin TERM=xterm-256color LANG=C.UTF-8 ${setup.argv.map(q).join(' ')}`,
        ],
        { x: 120, y: 40 },
      );
      const panePid = Number(tmux.run('display-message', '-p', '-t', pane, '#{pane_pid}'));
      const started = Date.now();
      engine = await startEngine(
        testConfig(tmp.dir, tmux, {
          targets: { agent: { pane, preset: setup.preset, clearInput: true, readyTimeoutMs: 60_000 } },
          queue: { retry: { attempts: 5, baseMs: 500, maxMs: 2000, jitter: 0 } },
        }),
      );
      await waitFor(
        async () => (await engine!.targetStatus()).find((t) => t.name === 'agent')?.state === 'ready',
        90_000,
        `${which} to show its idle prompt`,
      );
      const readyAfter = Date.now() - started;
      pids = [panePid, ...descendants(panePid)];

      const texts = Array.from(
        { length: PROMPTS },
        (_, i) => `wht check ${String(i + 1).padStart(2, '0')}: reply with one word`,
      );
      const target = engine.config.targets.agent!;
      let typedWhileBusy = 0;
      let busySince: number | null = null;
      let interrupts = 0;
      let samples = 0;
      const sampler = setInterval(() => {
        let screen: string;
        try {
          screen = tmux!.run('capture-pane', '-p', '-e', '-J', '-t', pane);
        } catch {
          return;
        }
        samples++;
        const j = judgeScreen(target, screen);
        if (j.busyMarker && j.input && texts.some((t) => t.startsWith(j.input!.slice(0, 20)))) typedWhileBusy++;
        busySince = j.busyMarker ? (busySince ?? Date.now()) : null;
        if (busySince !== null && Date.now() - busySince > 1000) {
          tmux!.run('send-keys', '-t', pane, 'Escape');
          interrupts++;
          busySince = null;
        }
      }, 50);
      const t0 = Date.now();
      const ids = texts.map((text) => engine!.enqueue({ text, target: 'agent', source: 'api' }).task.id);
      try {
        await waitFor(
          () => ids.every((id) => engine!.getTask(id)?.deliveredAt != null),
          PROMPTS * 20_000,
          `${PROMPTS} prompts delivered`,
        );
      } finally {
        clearInterval(sampler);
      }
      const elapsed = Date.now() - t0;
      await waitFor(() => historyTexts(setup.history).length >= PROMPTS, 10_000, "the agent's history").catch(() => {});
      const history = historyTexts(setup.history);
      const errors = ids.flatMap((id) => engine!.getTask(id)!.errors.map((e) => e.code));
      const figures = {
        agent: which,
        version: version(which === 'claude-code' ? CLAUDE! : CODEX!),
        readyAfterMs: readyAfter,
        prompts: PROMPTS,
        elapsedMs: elapsed,
        perPromptMs: Math.round(elapsed / PROMPTS),
        interrupts,
        screenSamples: samples,
        typedWhileBusy,
        failedAttempts: errors,
        historyEntries: history.length,
      };
      process.stdout.write(`AGENT-FIGURES ${JSON.stringify(figures)}\nAGENT-HISTORY ${JSON.stringify(history)}\n`);
      expect(history).toEqual(texts);
      expect(typedWhileBusy).toBe(0);
    },
  );
});
