import { describe, expect, it } from 'vitest';
import { quoteArg, quoteCommand, splitCommands, toControlLines } from '../../src/engine/delivery/control-quote.js';
import { isWhtError } from '../../src/engine/errors.js';

/**
 * A model of tmux 3.3a's parser for the subset quoteArg emits: single-quoted runs are literal, outside them only
 * `\'` and `\ooo` occur. It returns the decoded tokens, or throws on anything else the quoter must never produce.
 */
function tmuxTokens(line: string): string[] {
  if (line.includes('\n') || line === '') throw new Error('line would end or detach');
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let token = '';
    while (i < line.length && line[i] !== ' ') {
      const ch = line[i] ?? '';
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error('unterminated quote');
        token += line.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '\\' && line[i + 1] === "'") {
        token += "'";
        i += 2;
      } else if (ch === '\\' && /^[0-3][0-7]{2}$/.test(line.slice(i + 1, i + 4))) {
        token += String.fromCharCode(parseInt(line.slice(i + 1, i + 4), 8));
        i += 4;
      } else if (tokens.length === 0 && /[a-z0-9-]/.test(ch)) {
        token += ch;
        i++;
      } else {
        throw new Error(`unquoted ${JSON.stringify(ch)} at ${i}`);
      }
    }
    tokens.push(token);
  }
  return tokens;
}

const ALPHABET = [
  ';',
  "'",
  '"',
  '$',
  '#',
  '{',
  '}',
  '~',
  '\\',
  '-',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0001',
  '\u001b',
  '\u007f',
  'a',
  'Z',
  '0',
  '%',
  '=',
  'é',
  '中',
  '😀',
  '\u200b',
  '$HOME',
  '#{pane_id}',
  "'\\''",
  '\\;',
  '--',
];

function randomText(rand: () => number): string {
  const n = Math.floor(rand() * 24);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('quoteArg', () => {
  it.each([
    ['', "''"],
    ['plain', "'plain'"],
    ["it's", "'it'\\''s'"],
    ["'", "\\'"],
    ['a;b', "'a;b'"],
    ['$HOME ~ #{pane_id}', "'$HOME ~ #{pane_id}'"],
    ['back\\slash', "'back\\slash'"],
    ['l1\nl2', "'l1'\\012'l2'"],
    ['\r\t\u007f', '\\015\\011\\177'],
    ['-n', "'-n'"],
    ['😀 é', "'😀 é'"],
  ])('quotes %j as %j', (input, expected) => {
    expect(quoteArg(input)).toBe(expected);
    expect(tmuxTokens(`x ${expected}`)).toEqual(['x', input]);
  });

  it('refuses NUL, which tmux cannot carry', () => {
    expect(() => quoteArg('a\u0000b')).toThrow(expect.objectContaining({ code: 'WHT_ERR_TEXT_UNSAFE' }));
  });

  it('round-trips 5000 random strings through the parser model as exactly one argument', () => {
    const rand = lcg(42);
    for (let i = 0; i < 5000; i++) {
      const text = randomText(rand);
      const line = quoteCommand(['send-keys', '-l', '--', text]);
      expect(line).not.toContain('\n');
      expect(tmuxTokens(line)).toEqual(['send-keys', '-l', '--', text]);
    }
  });
});

describe('splitCommands (tmux argv rule for a trailing ;)', () => {
  it.each([
    [['send-keys', '-l', '--', 'a\\;'], [['send-keys', '-l', '--', 'a;']]],
    [['send-keys', '-l', '--', 'a\\\\;'], [['send-keys', '-l', '--', 'a\\;']]],
    [
      ['send-keys', '-l', '--', 'a;', 'set', '@x', '1'],
      [
        ['send-keys', '-l', '--', 'a'],
        ['set', '@x', '1'],
      ],
    ],
    [
      ['send-keys', 'x', ';', 'send-keys', 'Enter'],
      [
        ['send-keys', 'x'],
        ['send-keys', 'Enter'],
      ],
    ],
    [['display', '-p', 'a;b'], [['display', '-p', 'a;b']]],
    [['display', '-p', ''], [['display', '-p', '']]],
    [['display', ';'], [['display']]],
  ])('%j -> %j', (args, expected) => {
    expect(splitCommands(args)).toEqual(expected);
  });
});

describe('toControlLines', () => {
  it('gives one line per command', () => {
    expect(toControlLines(['send-keys', '-t', '%1', 'x', ';', 'send-keys', '-t', '%1', 'Enter'])).toEqual([
      "send-keys '-t' '%1' 'x'",
      "send-keys '-t' '%1' 'Enter'",
    ]);
  });

  it('refuses a command name that is not one', () => {
    for (const name of ['', 'A=b', "'send-keys'", 'send keys', '%if']) {
      let err: unknown;
      try {
        toControlLines([name, 'x']);
      } catch (e) {
        err = e;
      }
      expect(isWhtError(err, 'WHT_ERR_TMUX_FAILED')).toBe(true);
    }
  });
});
