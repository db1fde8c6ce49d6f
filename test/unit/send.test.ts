import { describe, expect, it } from 'vitest';
import { argvLiteral, EXEC_ARGV_BUDGET, sendLiteralArgs, splitUtf8 } from '../../src/engine/delivery/tmux-args.js';
import { typeAndEnter } from '../../src/engine/delivery/send.js';
import { seeded } from '../contract/store.contract.js';

/** What tmux types for one argv element given to `send-keys -l` (cmd-parse.y: a final `\;` becomes `;`, a final `;` is dropped). */
function tmuxTypes(arg: string): string {
  if (arg.endsWith('\\;')) return `${arg.slice(0, -2)};`;
  if (arg.endsWith(';')) return arg.slice(0, -1);
  return arg;
}

const packed = (argv: string[]) => argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);

describe('argvLiteral (the `;` rule)', () => {
  it.each([
    ['ls', 'ls'],
    ['ls;', 'ls\\;'],
    [';', '\\;'],
    [';;', ';\\;'],
    ['a\\;', 'a\\\\;'],
    ['a;b', 'a;b'],
    ['a; ', 'a; '],
    ['', ''],
  ])('%j -> %j', (text, arg) => {
    expect(argvLiteral(text)).toBe(arg);
  });

  it.each(['ls;', ';', 'a\\;', 'x;;', 'echo "a;b";', 'plain', '\\', '\\\\;'])('makes tmux type %j exactly', (text) => {
    expect(tmuxTypes(argvLiteral(text))).toBe(text);
  });
});

describe('splitUtf8', () => {
  it('returns no pieces for empty text and one piece for short text', () => {
    expect(splitUtf8('', 10)).toEqual([]);
    expect(splitUtf8('abc', 10)).toEqual(['abc']);
  });

  it('moves a code point that would straddle the limit into the next piece', () => {
    expect(splitUtf8('ab🚀cd', 5)).toEqual(['ab', '🚀c', 'd']);
    expect(splitUtf8('é'.repeat(3), 3)).toEqual(['é', 'é', 'é']);
  });

  it('fuzz: pieces concatenate to the input, stay within the byte limit and never split a surrogate pair', () => {
    const random = seeded(42);
    const alphabet = ['a', 'b', ' ', ';', '\\', 'é', '日', '🚀', '👍🏽', '𝄞', '-'];
    for (let round = 0; round < 2000; round++) {
      const len = Math.floor(random() * 40);
      const text = Array.from({ length: len }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const max = 4 + Math.floor(random() * 12);
      const pieces = splitUtf8(text, max);
      expect(pieces.join('')).toBe(text);
      for (const c of pieces) {
        expect(c.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(c)).toBeLessThanOrEqual(max);
        expect(/^[\udc00-\udfff]/.test(c), `piece starts with a low surrogate: ${JSON.stringify(pieces)}`).toBe(false);
        expect(/[\ud800-\udbff]$/.test(c), `piece ends with a high surrogate: ${JSON.stringify(pieces)}`).toBe(false);
      }
    }
  });
});

describe('sendLiteralArgs', () => {
  it('passes the text as one literal argument after -- (no flags, no key names)', () => {
    expect(sendLiteralArgs('%3', '-n Enter;')).toEqual([['send-keys', '-t', '%3', '-l', '--', '-n Enter\\;']]);
  });

  it('gives nothing for empty text', () => {
    expect(sendLiteralArgs('%3', '')).toEqual([]);
  });

  it('splits long text into send-keys calls under the argv limit that together type the text', () => {
    const text = `${'x'.repeat(15_990)}🚀${'y;'.repeat(9000)}日本`;
    const argvs = sendLiteralArgs('%1', text);
    expect(argvs.length).toBeGreaterThan(1);
    for (const a of argvs) {
      expect(a.slice(0, 5)).toEqual(['send-keys', '-t', '%1', '-l', '--']);
      expect(packed(a)).toBeLessThanOrEqual(EXEC_ARGV_BUDGET);
    }
    expect(argvs.map((a) => tmuxTypes(a[5]!)).join('')).toBe(text);
  });

  it('fuzz: with small budgets every vector fits and the pieces type the text exactly', () => {
    const random = seeded(7);
    const alphabet = [';', ';', '\\', 'a', '🚀', 'é', '-', ' '];
    for (let round = 0; round < 1000; round++) {
      const text = Array.from(
        { length: Math.floor(random() * 60) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const budget = 30 + Math.floor(random() * 30);
      const argvs = sendLiteralArgs('%12', text, budget);
      for (const a of argvs) expect(packed(a), JSON.stringify(a)).toBeLessThanOrEqual(budget);
      expect(argvs.map((a) => tmuxTypes(a[5]!)).join('')).toBe(text);
    }
  });
});

describe('typeAndEnter (shell targets: the Enter rides in the last call)', () => {
  const recorder = () => {
    const calls: string[][] = [];
    const tmux = {
      run: async (argv: readonly string[]) => {
        calls.push([...argv]);
        return { stdout: '' };
      },
      close: async () => {},
    };
    return { calls, tmux };
  };

  it('one call for a short command: the text, then `;` and Enter as a second command; a final `;` stays text', async () => {
    const { calls, tmux } = recorder();
    await typeAndEnter(tmux, '%3', 'echo a;', 1000);
    expect(calls).toEqual([['send-keys', '-t', '%3', '-l', '--', 'echo a\\;', ';', 'send-keys', '-t', '%3', 'C-m']]);
  });

  it('a long command: every chunk in order, the Enter only after the last, each call within the argv budget', async () => {
    const { calls, tmux } = recorder();
    const text = 'x'.repeat(3 * EXEC_ARGV_BUDGET);
    await typeAndEnter(tmux, '%3', text, 1000);
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.slice(0, -1).every((c) => !c.includes('C-m'))).toBe(true);
    expect(calls.at(-1)!.slice(-5)).toEqual([';', 'send-keys', '-t', '%3', 'C-m']);
    expect(calls.map((c) => c[5]).join('')).toBe(text);
    for (const c of calls) expect(packed(c)).toBeLessThanOrEqual(EXEC_ARGV_BUDGET);
  });
});
