import { describe, expect, it } from 'vitest';
import { splitCommands } from '../../src/engine/delivery/control-quote.js';
import { argvLiteral, EXEC_ARGV_BUDGET, sendLiteralArgs, splitUtf8 } from '../../src/engine/delivery/tmux-args.js';

/** What tmux types for the vectors: apply its argv rule, then join the literal payloads. */
function typed(vectors: string[][]): string {
  return vectors
    .map((v) => {
      const commands = splitCommands(v);
      expect(commands).toHaveLength(1);
      expect(commands[0]?.slice(0, 5)).toEqual(['send-keys', '-t', '%1', '-l', '--']);
      return commands[0]?.[5] ?? '';
    })
    .join('');
}

function packedBytes(v: string[]): number {
  return v.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
}

describe('argvLiteral', () => {
  it.each([
    ['a;', 'a\\;'],
    [';', '\\;'],
    ['a\\;', 'a\\\\;'],
    ['a;b', 'a;b'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(argvLiteral(input)).toBe(expected);
    expect(splitCommands(['x', argvLiteral(input)])).toEqual([['x', input]]);
  });
});

describe('sendLiteralArgs', () => {
  it.each([';', 'ends with;', 'ends with\\;', '\\', '-n', '--', 'a;b;c', "quote's $HOME #{x}", '😀;'])(
    'types %j exactly in one command',
    (text) => {
      const vectors = sendLiteralArgs('%1', text);
      expect(vectors).toHaveLength(1);
      expect(typed(vectors)).toBe(text);
    },
  );

  it('gives nothing for empty text', () => {
    expect(sendLiteralArgs('%1', '')).toEqual([]);
  });

  it('splits 40 KB into commands under the argv budget, each chunk safe', () => {
    const text = 'x;'.repeat(20_000);
    const vectors = sendLiteralArgs('%1', text);
    expect(vectors.length).toBeGreaterThan(2);
    for (const v of vectors) expect(packedBytes(v)).toBeLessThanOrEqual(EXEC_ARGV_BUDGET);
    expect(typed(vectors)).toBe(text);
  });

  it('never splits a code point, even astral ones at the boundary', () => {
    const text = `a${'😀é中'.repeat(5000)}`;
    const vectors = sendLiteralArgs('%1', text, 101);
    for (const v of vectors) {
      expect(packedBytes(v)).toBeLessThanOrEqual(101);
      expect(v[5]).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
    }
    expect(typed(vectors)).toBe(text);
  });
});

describe('splitUtf8', () => {
  it('keeps every piece within the byte limit and loses nothing', () => {
    const text = 'ab€😀'.repeat(100);
    const pieces = splitUtf8(text, 7);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(7);
  });
});
