import { describe, expect, it } from 'vitest';
import { judgeRecovery } from '../../src/engine/delivery/deliverer.js';
import { assertWritable, parsePaneState, type PaneState } from '../../src/engine/delivery/pane.js';
import { pickOtherPane } from '../../src/engine/delivery/targets.js';
import { isWhtError } from '../../src/engine/errors.js';

describe('judgeRecovery', () => {
  it.each([
    ['nothing typed: prompt only', '$ ', '$ ', 'echo hi', 'not-sent'],
    ['nothing typed: empty pane', '', '', 'echo hi', 'not-sent'],
    ['other text only', '$ ls\nfile\n$ ', '$ ', 'echo hi', 'not-sent'],
    ['typed, Enter not pressed', '$ echo hi', '$ echo hi', 'echo hi', 'typed-not-submitted'],
    ['typed, trailing spaces on screen', '$ echo hi   \n\n\n', '$ echo hi   ', 'echo hi', 'typed-not-submitted'],
    ['submitted, output and a new prompt', '$ echo hi\nhi\n$ ', '$ ', 'echo hi', 'submitted'],
    ['submitted, no output', '$ true\n$ ', '$ ', 'true', 'submitted'],
    ['submitted, still running (cursor on an empty line)', '$ sleep 100\n', '', 'sleep 100', 'submitted'],
    ['submitted, the next prompt holds other typing', '$ echo hi\nhi\n$ ls', '$ ls', 'echo hi', 'submitted'],
    [
      'long text joined from wrapped lines',
      `$ echo ${'x'.repeat(300)}`,
      `${'x'.repeat(100)}`,
      `echo ${'x'.repeat(300)}`,
      'typed-not-submitted',
    ],
    ['text with a trailing space, typed', '$ echo hi ', '$ echo hi ', 'echo hi ', 'typed-not-submitted'],
  ])('%s', (_name, captured, cursorRow, text, kind) => {
    expect(judgeRecovery(captured, cursorRow, text)).toEqual({ kind });
  });
});

describe('judgeRecovery after a crash between send-keys chunks', () => {
  it('does not judge partly typed long text as not sent (sending it again would append to the partial line)', () => {
    const text = `echo ${'x'.repeat(5000)}`;
    const partial = text.slice(0, 4000);
    const verdict = judgeRecovery(`$ ${partial}`, partial.slice(-100), text);
    expect(verdict.kind).not.toBe('not-sent');
  });
});

describe('parsePaneState', () => {
  it('reads every field of the format line', () => {
    expect(parsePaneState('%3\t0\t1\t0\t120\t5\t4242\t2000\t40\tbash')).toEqual({
      id: '%3',
      inMode: false,
      inputOff: true,
      dead: false,
      historySize: 120,
      historyLimit: 2000,
      cursorY: 5,
      height: 40,
      pid: 4242,
      currentCommand: 'bash',
    });
    expect(parsePaneState('%0\t1\t0\t1\t0\t0\t1\t10\t24\tvim')).toMatchObject({
      inMode: true,
      dead: true,
      currentCommand: 'vim',
    });
  });

  it('keeps tabs inside the current command', () => {
    expect(parsePaneState('%1\t0\t0\t0\t0\t0\t9\t10\t24\tmy\tcmd')?.currentCommand).toBe('my\tcmd');
  });

  it('reads missing or non-numeric counters as 0', () => {
    expect(parsePaneState('%1\t0\t0\t0\tx\t\t')).toMatchObject({
      historySize: 0,
      historyLimit: 0,
      cursorY: 0,
      height: 0,
      pid: 0,
      currentCommand: '',
    });
  });

  it.each(['', 'bash', '\t0\t0', "can't find pane: %9"])('returns null for %j (no pane)', (line) => {
    expect(parsePaneState(line)).toBeNull();
  });
});

describe('assertWritable', () => {
  const ok: PaneState = {
    id: '%1',
    inMode: false,
    inputOff: false,
    dead: false,
    historySize: 10,
    historyLimit: 2000,
    cursorY: 3,
    height: 24,
    currentCommand: 'bash',
    pid: 1,
  };
  const codeOf = (pane: PaneState | null) => {
    try {
      assertWritable('%1', pane);
    } catch (e) {
      if (!isWhtError(e)) throw e;
      return { code: e.code, retryable: e.retryable, message: e.message };
    }
    return null;
  };

  it('passes a live pane in normal mode', () => {
    expect(codeOf(ok)).toBeNull();
  });

  it.each([
    ['missing', null, 'WHT_ERR_TARGET_MISSING'],
    ['dead', { ...ok, dead: true }, 'WHT_ERR_TARGET_MISSING'],
    ['in copy mode', { ...ok, inMode: true }, 'WHT_ERR_TARGET_BUSY'],
    ['input disabled', { ...ok, inputOff: true }, 'WHT_ERR_TARGET_BUSY'],
  ])('refuses a %s pane with a retryable error naming the target', (_name, pane, code) => {
    expect(codeOf(pane)).toEqual({ code, retryable: true, message: expect.stringContaining('%1') });
  });
});

describe('pickOtherPane', () => {
  it.each([
    ['the last active other pane', ['%1 1 0', '%2 0 0', '%3 0 1'], '%1', '%3'],
    ['the active pane when self is the last one', ['%1 0 1', '%2 0 0', '%3 1 0'], '%1', '%3'],
    ['the first other pane when no flags help', ['%1 1 0', '%2 0 0', '%3 0 0'], '%1', '%2'],
    ['ignoring blank lines and surrounding spaces', ['', '  %1 1 0 ', '%2 0 1', ''], '%1', '%2'],
    ['nothing when self is alone', ['%1 1 0', ''], '%1', null],
    ['nothing for no panes', [], '%1', null],
  ])('picks %s', (_name, lines, self, expected) => {
    expect(pickOtherPane(lines, self)).toBe(expected);
  });

  it('never picks self even when it is flagged last and active', () => {
    expect(pickOtherPane(['%5 1 1', '%6 0 0'], '%5')).toBe('%6');
  });
});
