import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inputIsOurs, transcriptCount } from '../../src/engine/delivery/agent-wait.js';
import type { PaneState } from '../../src/engine/delivery/pane.js';
import { resolveTarget, targetSchema, type TargetInput } from '../../src/engine/delivery/profiles.js';
import { freshMemory, judgeScreen, step, type Memory } from '../../src/engine/delivery/readiness.js';
import { parseScreen, typedText } from '../../src/engine/delivery/screen.js';

const screen = (name: string) => readFileSync(new URL(`../fixtures/agent-screens/${name}`, import.meta.url), 'utf8');
const target = (t: Partial<TargetInput>) => resolveTarget(targetSchema.parse({ pane: '%1', ...t }));
const claude = target({ preset: 'claude-code' });
const codex = target({ preset: 'codex' });
const DIM = '\x1b[2m';
const OFF = '\x1b[0m';
const RULE = '─'.repeat(60);

/** A Claude Code screen: transcript lines, the input box, the footer. */
const claudeScreen = (transcript: string[], input: string, footer = '  ⏸ manual mode on · ? for shortcuts') =>
  [' ▐▛███▜▌   Claude Code v2.1.332', '', ...transcript, '', RULE, `❯\u00a0${input}`, RULE, footer, '', ''].join('\n');

describe('judging the real agent screens', () => {
  it.each([
    ['claude-idle.txt', claude, 'ready'],
    ['claude-idle.ansi', claude, 'ready'],
    ['claude-busy.txt', claude, 'busy'],
    ['claude-busy.ansi', claude, 'busy'],
    ['codex-idle.ansi', codex, 'ready'],
    // Codex keeps "? for shortcuts" while it works: the busy marker decides.
    ['codex-busy.ansi', codex, 'busy'],
    ['codex-busy.txt', codex, 'busy'],
    ['codex-waiting-for-network.ansi', codex, 'busy'],
    ['codex-interrupted.ansi', codex, 'ready'],
  ] as const)('%s is %s', (file, t, state) => {
    expect(judgeScreen(t, screen(file)).state).toBe(state);
  });

  it('does not take a past prompt in the transcript for the input (❯ say hello / › say hello)', () => {
    expect(judgeScreen(claude, screen('claude-busy.txt')).input).toBeNull();
    expect(judgeScreen(codex, screen('codex-busy.ansi')).input).toBeNull();
  });

  it.each([
    ['claude-typed.ansi', claude, 'typed by a person'],
    ['claude-interrupted.ansi', claude, 'say hello in one word'],
    ['claude-multiline.ansi', claude, 'first line'],
    ['codex-typed.ansi', codex, 'hello there typed'],
    ['codex-multiline.ansi', codex, 'line one'],
    ['codex-enter-newline.ansi', codex, 'second prompt here'],
  ] as const)('%s: text in the input is not-ready, with the text in the reason', (file, t, text) => {
    const j = judgeScreen(t, screen(file));
    expect(j).toMatchObject({ state: 'not-ready', input: text });
    expect(j.reason).toBe(`the input holds text that is not ours: "${text}"`);
  });

  it("needs the faint attribute to tell Codex's placeholder from typed text (plain capture-pane -p cannot)", () => {
    expect(judgeScreen(codex, screen('codex-idle.ansi')).input).toBeNull();
    expect(judgeScreen(codex, screen('codex-idle.txt'))).toMatchObject({
      state: 'not-ready',
      input: 'Ask Codex to do anything',
    });
  });

  it('counts the submitted prompt in the transcript above the input, not in the footer', () => {
    expect(transcriptCount(codex, screen('codex-busy.ansi'), 'say hello in one word')).toBe(1);
    expect(transcriptCount(codex, screen('codex-idle.ansi'), 'say hello in one word')).toBe(0);
    expect(transcriptCount(claude, screen('claude-busy.ansi'), 'say hello in one word')).toBe(1);
    // After Esc, Claude takes the prompt out of the transcript and back into the input.
    expect(transcriptCount(claude, screen('claude-interrupted.ansi'), 'say hello in one word')).toBe(0);
  });

  it('recognises our own prompt left in the input box (Enter taken as a newline), and only ours', () => {
    const j = judgeScreen(codex, screen('codex-enter-newline.ansi'));
    expect(inputIsOurs(j.input, 'second prompt here')).toBe(true);
    expect(inputIsOurs(j.input, 'another prompt')).toBe(false);
    expect(inputIsOurs('sec', 'second prompt here')).toBe(false);
    expect(inputIsOurs(null, 'second prompt here')).toBe(false);
  });
});

describe('judging made-up screens', () => {
  it('is ready with old prompts in the transcript and an empty box', () => {
    const s = claudeScreen(['❯ fix the build', '⏺ Done.', '❯ now run the tests', '⏺ All 12 passed.'], '');
    expect(judgeScreen(claude, s)).toMatchObject({ state: 'ready', input: null });
  });

  it('is not ready when old prompts show but the idle marker does not (something else is on screen)', () => {
    const s = claudeScreen(['❯ fix the build', '⏺ Done.'], '', '  Press Ctrl-C again to exit');
    expect(judgeScreen(claude, s)).toMatchObject({
      state: 'not-ready',
      reason: 'the idle marker /\\? for shortcuts/ is not on screen',
    });
  });

  it('treats a faint placeholder, with the cursor drawn inverse on its first letter, as empty', () => {
    const s = claudeScreen([], `\x1b[7mT${OFF}${DIM}ry "fix lint errors"${OFF}`);
    expect(judgeScreen(claude, s)).toMatchObject({ state: 'ready', input: null });
  });

  it('treats typed text before a faint suggestion as typed', () => {
    const s = claudeScreen([], `git st${DIM}atus${OFF}`, '  ⏸ manual mode on');
    expect(judgeScreen(claude, s)).toMatchObject({ state: 'not-ready', input: 'git st' });
  });

  it('sees a sign-in menu as a menu, never as ready', () => {
    const s = [
      '  >_ OpenAI Codex (v0.171.0)',
      '',
      '  Sign in with ChatGPT to use Codex as part of your paid plan',
      '',
      '> 1. Sign in with ChatGPT',
      '  2. Sign in with Device Code',
      '  3. Provide your own API key',
      '',
      '  Press Enter to continue',
    ].join('\n');
    expect(judgeScreen(codex, s)).toMatchObject({
      state: 'not-ready',
      reason: 'a menu or dialog is open ("> 1. Sign in with ChatGPT")',
    });
  });

  it('sees a trust dialog drawn with the ❯ selector as a menu, not as text in the input', () => {
    const s = [
      ' Do you trust the files in this folder?',
      '',
      ' ❯ 1. Yes, proceed',
      '   2. No, exit',
      '',
      ' Enter to confirm · Esc to cancel',
    ].join('\n');
    expect(judgeScreen(claude, s)).toMatchObject({
      state: 'not-ready',
      reason: 'a menu or dialog is open ("❯ 1. Yes, proceed")',
    });
  });

  it('is not ready when there is no input line at all', () => {
    const s = ['some program output', '? for shortcuts'].join('\n');
    expect(judgeScreen(codex, s).state).toBe('not-ready');
    expect(judgeScreen(codex, s).reason).toMatch(/^no input line/);
  });

  it('looks for the markers in the last readyLines lines only', () => {
    const s = claudeScreen(
      ['✻ Working… (esc to interrupt)', ...Array.from({ length: 20 }, (_, i) => `output ${i}`)],
      '',
    );
    expect(judgeScreen(claude, s).state).toBe('ready');
    expect(judgeScreen({ ...claude, readyLines: 40 }, s).state).toBe('busy');
  });
});

describe('the readiness state machine', () => {
  const pane: PaneState = {
    id: '%1',
    inMode: false,
    inputOff: false,
    dead: false,
    historySize: 0,
    historyLimit: 2000,
    cursorY: 0,
    height: 24,
    currentCommand: 'claude',
    pid: 1,
  };
  const idle = screen('claude-idle.ansi');
  const busy = screen('claude-busy.ansi');
  const run = (t: typeof claude, looks: Array<[number, string]>, memory: Memory) => {
    const states: string[] = [];
    let m = memory;
    for (const [now, s] of looks) {
      const r = step(t, m, { pane, screen: s, now });
      states.push(r.judgement.state);
      m = r.memory;
    }
    return { states, memory: m };
  };

  it('holds a target busy after our Enter until postSubmitHoldMs passes when no busy marker shows', () => {
    const { states, memory } = run(
      claude,
      [
        [1100, idle],
        [2900, idle],
        [3000, idle],
        [3100, idle],
      ],
      { submittedAt: 1000 },
    );
    expect(states).toEqual(['busy', 'busy', 'ready', 'ready']);
    expect(memory).toEqual(freshMemory());
  });

  it('ends the hold when the busy marker shows, and is ready again only once the idle marker is back', () => {
    const { states } = run(
      claude,
      [
        [1100, idle],
        [1300, busy],
        [1500, busy],
        [1700, idle],
      ],
      { submittedAt: 1000 },
    );
    expect(states).toEqual(['busy', 'busy', 'busy', 'ready']);
  });

  it('gives the reason while held', () => {
    const r = step(claude, { submittedAt: 1000 }, { pane, screen: idle, now: 1400 });
    expect(r.judgement.reason).toBe(
      'a prompt was submitted 400 ms ago and the busy marker has not shown yet (postSubmitHoldMs 2000)',
    );
  });

  it('judges the pane before the screen: missing, dead, in a mode, input off', () => {
    const m = freshMemory();
    expect(step(claude, m, { pane: null, screen: null, now: 0 }).judgement.state).toBe('missing');
    expect(step(claude, m, { pane: { ...pane, dead: true }, screen: idle, now: 0 }).judgement.state).toBe('missing');
    expect(step(claude, m, { pane: { ...pane, inMode: true }, screen: idle, now: 0 }).judgement.state).toBe('in-mode');
    expect(step(claude, m, { pane: { ...pane, inputOff: true }, screen: idle, now: 0 }).judgement.state).toBe(
      'input-off',
    );
  });

  it("never looks at a shell target's screen", () => {
    const shell = target({});
    expect(step(shell, { submittedAt: 1000 }, { pane, screen: null, now: 1001 }).judgement).toMatchObject({
      state: 'ready',
      reason: null,
    });
  });

  it('checks the foreground command when readyCommands is set', () => {
    const t = target({ preset: 'codex', readyCommands: ['codex'] });
    const r = step(t, freshMemory(), {
      pane: { ...pane, currentCommand: 'node' },
      screen: screen('codex-idle.ansi'),
      now: 0,
    });
    expect(r.judgement).toMatchObject({
      state: 'not-ready',
      reason: 'the foreground command is node, not one of codex',
    });
  });
});

describe('presets and screen parsing', () => {
  it('fills agent keys from the preset, each one overridable', () => {
    expect(codex).toMatchObject({
      profile: 'agent',
      readyPattern: '\\? for shortcuts',
      busyPattern: '(?i)esc to interrupt',
      postSubmitHoldMs: 2000,
      confirm: true,
      confirmTimeoutMs: 5000,
      readyCommands: [],
      clearInput: false,
    });
    expect(target({ preset: 'codex', postSubmitHoldMs: 500, readyPattern: 'READY', confirm: false })).toMatchObject({
      postSubmitHoldMs: 500,
      readyPattern: 'READY',
      confirm: false,
    });
    expect(target({})).toMatchObject({ profile: 'shell', postSubmitHoldMs: 0, confirm: false });
  });

  it('refuses clear keys that are not key names', () => {
    expect(() => targetSchema.parse({ pane: '%1', clearKeys: ['-t'] })).toThrow(/tmux key name/);
    expect(() => targetSchema.parse({ pane: '%1', clearKeys: ['C-u; kill-server'] })).toThrow(/tmux key name/);
  });

  it('carries attributes from one line to the next, as tmux prints them', () => {
    const lines = parseScreen(`a${DIM}b\ncd${OFF}e\n`);
    expect(lines.map((l) => l.text)).toEqual(['ab', 'cde']);
    expect(lines[1]!.dim).toEqual([true, true, false]);
    expect(typedText(lines[1]!, 0)).toBe('e');
  });

  it('skips colour parameters and hyperlinks', () => {
    const [line] = parseScreen('\x1b[38;5;2mx\x1b[38;2;1;2;3my\x1b]8;;http://x\x07z\x1b]8;;\x07');
    expect(line!.text).toBe('xyz');
    expect(line!.dim).toEqual([false, false, false]);
  });
});
