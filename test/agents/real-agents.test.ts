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
import { runCliAsync } from '../helpers/cli.js';
import { TestTmux, waitFor } from '../helpers/tmux.js';

const CLAUDE = process.env.WHT_CLAUDE_BIN;
const CODEX = process.env.WHT_CODEX_BIN;
const installed = Boolean(CLAUDE && CODEX && existsSync(CLAUDE) && existsSync(CODEX));
const PROMPTS = Number(process.env.WHT_AGENT_PROMPTS ?? 20);
/** The completion test presses Esc after this much work (0: never; offline the agent then retries for minutes). */
const ESC_MS = Number(process.env.WHT_AGENT_ESC_MS ?? 1000);
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

  it.each(['claude-code', 'codex'] as const)(
    '%s: send --wait returns once the agent is idle again, with the output the pane shows',
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
      const input = {
        dataDir: join(tmp.dir, 'data'),
        spool: { dir: join(tmp.dir, 'spool'), rescanMs: 500 },
        tmux: { socketName: tmux.socket },
        targets: { agent: { pane, preset: setup.preset, clearInput: true, readyTimeoutMs: 60_000 } },
        http: { enabled: false },
      };
      const configFile = join(tmp.dir, 'config.json');
      writeFileSync(configFile, JSON.stringify(input));
      engine = await startEngine(testConfig(tmp.dir, tmux, input));
      await waitFor(
        async () => (await engine!.targetStatus()).find((t) => t.name === 'agent')?.state === 'ready',
        90_000,
        `${which} to show its idle prompt`,
      );
      pids = [panePid, ...descendants(panePid)];
      const target = engine.config.targets.agent!;
      // The screen every 50 ms: when the busy marker goes away (the agent's own "idle again"), and Esc after 1 s of
      // work (offline the agent would retry the network for minutes).
      const idleAt: number[] = [];
      let busySince: number | null = null;
      let escaped = false;
      const sampler = setInterval(() => {
        let screen: string;
        try {
          screen = tmux!.run('capture-pane', '-p', '-e', '-J', '-t', pane);
        } catch {
          return;
        }
        const busy = judgeScreen(target, screen).busyMarker;
        if (!busy && busySince !== null) idleAt.push(Date.now());
        busySince = busy ? (busySince ?? Date.now()) : null;
        // once per busy phase: a second Esc opens Codex's backtrack menu
        if (ESC_MS > 0 && busySince !== null && !escaped && Date.now() - busySince > ESC_MS) {
          tmux!.run('send-keys', '-t', pane, 'Escape');
          escaped = true;
        }
        if (!busy) escaped = false;
      }, 50);
      const latencies: number[] = [];
      let captured = 0;
      let nonEmpty = 0;
      const outputs: string[] = [];
      try {
        for (let i = 1; i <= PROMPTS; i++) {
          const r = await runCliAsync([
            'send',
            '--config',
            configFile,
            '--target',
            'agent',
            '--wait',
            '--timeout',
            ESC_MS > 0 ? '3m' : '15m',
            '--json',
            '--',
            `wht done check ${i}: reply with one word`,
          ]);
          if (r.code !== 0) {
            const why = (await engine.targetStatus()).find((t) => t.name === 'agent');
            process.stdout.write(
              `AGENT-STUCK ${JSON.stringify({ why, screen: tmux.run('capture-pane', '-p', '-t', pane) })}\n`,
            );
          }
          expect(r.code, r.err).toBe(0);
          const task = JSON.parse(r.out) as { completedAt: number; workingAt: number | null; output: string };
          const idle = idleAt.find((t) => t >= (task.workingAt ?? 0) - 100);
          if (idle !== undefined) latencies.push(task.completedAt - idle);
          // Correct: every output line is one the pane shows below the prompt's last line, and none is chrome.
          const plain = tmux.run('capture-pane', '-p', '-J', '-t', pane, '-S', '-').split('\n');
          // the transcript's (or input box's) prompt line; Codex's footer also names the session's first prompt
          const promptAt = plain.findLastIndex((l) => /^\s*[❯›]\s/.test(l) && l.includes(`wht done check ${i}:`));
          const after = new Set(plain.slice(promptAt + 1).map((l) => l.trimEnd()));
          const lines = task.output.split('\n').filter((l) => l.trim() !== '');
          const chrome = /\? for shortcuts|esc to interrupt|^\s*[❯›]\s*$/;
          if (promptAt >= 0 && lines.every((l) => after.has(l.trimEnd()) && !chrome.test(l))) captured++;
          if (lines.length > 0) nonEmpty++;
          outputs.push(task.output);
        }
      } finally {
        clearInterval(sampler);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
      const figures = {
        agent: which,
        version: version(which === 'claude-code' ? CLAUDE! : CODEX!),
        prompts: PROMPTS,
        idleToCompletedMs: { n: sorted.length, p50: pct(50), p99: pct(99), max: sorted.at(-1) },
        outputCaptured: `${captured}/${PROMPTS}`,
        outputsNotEmpty: nonEmpty,
        escAfterMs: ESC_MS,
      };
      process.stdout.write(
        `AGENT-COMPLETION ${JSON.stringify(figures)}\nAGENT-OUTPUTS ${JSON.stringify(outputs.slice(0, 3))}\n`,
      );
      expect(captured).toBe(PROMPTS);
    },
  );
});
