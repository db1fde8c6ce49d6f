import { describe, expect, it } from 'vitest';
import { chunkText, literalArg, sendLiteralArgv } from '../../src/engine/delivery/send.js';
import { seeded } from '../contract/store.contract.js';

/** What tmux types for one argv element given to `send-keys -l` (cmd-parse.y: a final `\;` becomes `;`, a final `;` is dropped). */
function tmuxTypes(arg: string): string {
  if (arg.endsWith('\\;')) return `${arg.slice(0, -2)};`;
  if (arg.endsWith(';')) return arg.slice(0, -1);
  return arg;
}

describe('literalArg', () => {
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
    expect(literalArg(text)).toBe(arg);
  });

  it.each(['ls;', ';', 'a\\;', 'x;;', 'echo "a;b";', 'plain', '\\', '\\\\;'])('makes tmux type %j exactly', (text) => {
    expect(tmuxTypes(literalArg(text))).toBe(text);
  });
});

describe('chunkText', () => {
  it('returns no chunks for empty text and one chunk for short text', () => {
    expect(chunkText('')).toEqual([]);
    expect(chunkText('abc')).toEqual(['abc']);
  });

  it('cuts at the size', () => {
    expect(chunkText('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
  });

  it('moves a surrogate pair that would straddle the cut into the next chunk', () => {
    expect(chunkText('ab🚀cd', 3)).toEqual(['ab', '🚀c', 'd']);
  });

  it('fuzz: chunks concatenate to the input, stay within size and never split a surrogate pair', () => {
    const random = seeded(42);
    const alphabet = ['a', 'b', ' ', ';', '\\', 'é', '日', '🚀', '👍🏽', '𝄞', '-'];
    for (let round = 0; round < 2000; round++) {
      const len = Math.floor(random() * 40);
      const text = Array.from({ length: len }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const size = 2 + Math.floor(random() * 9);
      const chunks = chunkText(text, size);
      expect(chunks.join('')).toBe(text);
      for (const c of chunks) {
        expect(c.length).toBeGreaterThan(0);
        expect(c.length).toBeLessThanOrEqual(size);
        expect(/^[\udc00-\udfff]/.test(c), `chunk starts with a low surrogate: ${JSON.stringify(chunks)}`).toBe(false);
        expect(/[\ud800-\udbff]$/.test(c), `chunk ends with a high surrogate: ${JSON.stringify(chunks)}`).toBe(false);
      }
    }
  });
});

describe('sendLiteralArgv', () => {
  it('passes the text as one literal argument after -- (no flags, no key names)', () => {
    expect(sendLiteralArgv('%3', '-n Enter;')).toEqual([['send-keys', '-t', '%3', '-l', '--', '-n Enter\\;']]);
  });

  it('splits long text into several send-keys calls that together type the text', () => {
    const text = `${'x'.repeat(3999)}🚀${'y;'.repeat(3000)}`;
    const argvs = sendLiteralArgv('%1', text);
    expect(argvs.length).toBeGreaterThan(1);
    for (const a of argvs) expect(a.slice(0, 5)).toEqual(['send-keys', '-t', '%1', '-l', '--']);
    expect(argvs.map((a) => tmuxTypes(a[5]!)).join('')).toBe(text);
  });
});
