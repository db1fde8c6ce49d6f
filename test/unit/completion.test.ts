import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startWatch, stepCompletion, type CompletionMemory } from '../../src/engine/delivery/completion.js';
import { capOutput, exitStatus, extractOutput } from '../../src/engine/delivery/output.js';
import type { PaneState } from '../../src/engine/delivery/pane.js';
import { resolveTarget, targetSchema, type TargetInput } from '../../src/engine/delivery/profiles.js';
import type { Observation } from '../../src/engine/delivery/readiness.js';

const screen = (name: string) => readFileSync(new URL(`../fixtures/agent-screens/${name}`, import.meta.url), 'utf8');
const target = (t: Partial<TargetInput>) => resolveTarget(targetSchema.parse({ pane: '%1', ...t }));
const claude = target({ preset: 'claude-code', completionTimeoutMs: 60_000 });
const codex = target({ preset: 'codex' });
const shell = target({ trackCompletion: true, promptPattern: '^\\[(\\d+)\\] \\$' });
const RULE = '─'.repeat(60);

const pane = (over: Partial<PaneState> = {}): PaneState => ({
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
  ...over,
});
const look = (now: number, screenText: string | null, over: Partial<PaneState> = {}): Observation => ({
  pane: pane(over),
  screen: screenText,
  now,
});

/** Run the machine over a sequence of looks; returns the step kinds. */
function run(spec: typeof claude, looks: Observation[], memory: CompletionMemory = startWatch(0)): string[] {
  const kinds: string[] = [];
  for (const obs of looks) {
    const r = stepCompletion(spec, memory, obs);
    memory = r.memory;
    kinds.push(r.step.kind);
  }
  return kinds;
}

describe('completion state machine (agents)', () => {
  const busy = screen('claude-busy.txt');
  const idle = screen('claude-idle.txt');

  it('is working once the busy marker shows, and completed when idle again', () => {
    expect(run(claude, [look(100, idle), look(300, busy), look(600, busy), look(900, idle)])).toEqual([
      'wait',
      'working',
      'wait',
      'completed',
    ]);
  });

  it('takes an idle screen without a busy marker for completed only after postSubmitHoldMs, once an answer shows', () => {
    const answered = idle.replace('\n────', '\n❯ quick one\n\n⏺ Done.\n\n────');
    const quick = startWatch(0, false, 'quick one');
    expect(run(claude, [look(500, answered), look(1999, answered), look(2000, answered)], quick)).toEqual([
      'wait',
      'wait',
      'completed',
    ]);
    // idle-looking with nothing below the prompt (Codex's first turn before its busy marker): not done yet
    const echoed = idle.replace('\n────', '\n❯ quick one\n\n────');
    expect(run(claude, [look(2500, echoed), look(5000, echoed)], startWatch(0, false, 'quick one'))).toEqual([
      'wait',
      'wait',
    ]);
  });

  it('is stalled when still busy past completionTimeoutMs, naming the time', () => {
    const r = stepCompletion(claude, startWatch(0, true), look(60_000, busy));
    expect(r.step).toEqual({
      kind: 'stalled',
      code: 'WHT_ERR_STALLED',
      reason: 'still busy 60000 ms after delivery (completionTimeoutMs 60000)',
    });
  });

  it('is stalled at once when the pane goes away', () => {
    const gone = stepCompletion(claude, startWatch(0), { pane: null, screen: null, now: 10 });
    expect(gone.step).toMatchObject({ kind: 'stalled', code: 'WHT_ERR_TARGET_MISSING' });
    expect(stepCompletion(claude, startWatch(0), look(10, null, { dead: true })).step.kind).toBe('stalled');
  });

  it('waits while the screen cannot be read (copy mode), or shows text in the input before it ever worked', () => {
    const typed = screen('claude-typed.ansi');
    expect(run(claude, [look(300, null, { inMode: true }), look(5000, typed)])).toEqual(['wait', 'wait']);
  });

  it('an interrupt after it worked (the prompt put back into the input) ends it as completed', () => {
    expect(run(claude, [look(300, busy), look(1500, screen('claude-interrupted.ansi'))])).toEqual([
      'working',
      'completed',
    ]);
  });

  it('a dialog opened while it works (numbered choices) is not the end: stalled after the timeout', () => {
    const dialog = `${busy.replace('esc to interrupt', '')}\n❯ 1. Yes, proceed\n  2. No`;
    expect(run(claude, [look(300, busy), look(1000, dialog), look(60_000, dialog)])).toEqual([
      'working',
      'wait',
      'stalled',
    ]);
  });

  it('a task already working after a restart completes on the next idle screen', () => {
    expect(run(claude, [look(10, idle)], startWatch(0, true))).toEqual(['completed']);
  });

  it('Codex: its footer shows "? for shortcuts" while it works; the busy marker decides', () => {
    expect(run(codex, [look(100, screen('codex-busy.ansi')), look(3000, screen('codex-idle.ansi'))])).toEqual([
      'working',
      'completed',
    ]);
  });
});

describe('completion state machine (shells)', () => {
  it('is working while the foreground command is not the shell, completed when it is back', () => {
    const looks = [look(50, null, { currentCommand: 'sleep' }), look(800, null, { currentCommand: 'bash' })];
    expect(run(shell, looks)).toEqual(['working', 'completed']);
  });

  it('a command quicker than one look counts as completed after the settle time', () => {
    expect(
      run(shell, [look(100, null, { currentCommand: 'bash' }), look(500, null, { currentCommand: 'bash' })]),
    ).toEqual(['wait', 'completed']);
  });
});

describe('output extraction', () => {
  const claudeDone = [
    ' ▐▛███▜▌   Claude Code v2.1.332',
    '',
    '❯ an older prompt',
    '',
    '⏺ older answer',
    '',
    '❯ say hello in one word',
    '',
    '⏺ Hello!',
    '  second line of the answer',
    '',
    '✻ Worked for 2s',
    '',
    RULE,
    '❯\u00a0',
    RULE,
    '  ⏸ manual mode on · ? for shortcuts',
  ].join('\n');

  it('takes the lines between the prompt and the input box, chrome trimmed (Claude)', () => {
    expect(extractOutput(claudeDone, 'say hello in one word', claude, 65_536)).toEqual({
      output: '⏺ Hello!\n  second line of the answer',
      exitCode: null,
    });
  });

  it('is empty when the prompt is not in the transcript (Claude put an interrupted prompt back into the input)', () => {
    expect(extractOutput(screen('claude-interrupted.ansi'), 'say hello in one word', claude, 65_536).output).toBe('');
  });

  it('removes escape sequences and control characters', () => {
    const colored = claudeDone.replace('⏺ Hello!', '\x1b[1m⏺ \x1b[38;5;75mHello!\x1b[0m\x07');
    expect(extractOutput(colored, 'say hello in one word', claude, 65_536).output).toBe(
      '⏺ Hello!\n  second line of the answer',
    );
  });

  it('skips the other lines of a multi-line prompt', () => {
    const text = claudeDone.replace('❯ say hello in one word', '❯ first line\n  second line');
    expect(extractOutput(text, 'first line\nsecond line', claude, 65_536).output).toBe(
      '⏺ Hello!\n  second line of the answer',
    );
  });

  it('Codex: the answer between the composer echo and the composer, status line trimmed', () => {
    const text = [
      '› say hello in one word',
      '',
      '• Hello',
      '',
      '• Working (3s • esc to interrupt)',
      '',
      '› \x1b[2mAsk Codex to do anything\x1b[0m',
      '',
      '  ← for agents · ? for shortcuts',
    ].join('\n');
    expect(extractOutput(text, 'say hello in one word', codex, 65_536).output).toBe('• Hello');
  });

  it('shells: the lines after the command up to the prompt, with the exit status the prompt shows', () => {
    const text = ['[0] $ ls /nope', "ls: cannot access '/nope': No such file or directory", '[2] $ '].join('\n');
    expect(extractOutput(text, 'ls /nope', shell, 65_536)).toEqual({
      output: "ls: cannot access '/nope': No such file or directory",
      exitCode: 2,
    });
    expect(exitStatus('$ ', shell.promptPattern)).toBeNull();
  });

  it('caps the output at maxBytes, keeping its end, with a marker saying how much was cut', () => {
    const long = 'x'.repeat(100) + 'END';
    const capped = capOutput(long, 10);
    expect(capped).toBe(
      '[webhook-tui: output cut: the first 93 of 103 bytes were dropped (output.maxBytes 10)]\nxxxxxxxEND',
    );
    expect(capOutput('short', 10)).toBe('short');
    // never half a character
    expect(capOutput('é'.repeat(10), 5).endsWith('éé')).toBe(true);
  });
});
