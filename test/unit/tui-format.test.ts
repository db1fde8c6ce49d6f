import { describe, expect, it } from 'vitest';
import {
  bar,
  displayWidth,
  formatBytes,
  formatMs,
  formatRate,
  hardWrap,
  padEnd,
  padStart,
  sanitize,
  sparkline,
  truncate,
  wordWrap,
} from '../../src/tui/format.js';
import { escapeTags, NO_COLOR_THEME, COLOR_THEME, themeFor, toTags } from '../../src/widgets/styled.js';
import { terminfoChoice } from '../../src/widgets/screen.js';

describe('text safety', () => {
  it('makes escape sequences, control characters and newlines inert, showing each control as <U+XXXX>', () => {
    expect(sanitize('a\x1b[31mred\x07\nb\r\nc\td')).toBe('a<U+001B>[31mred<U+0007>⏎b⏎c d');
    expect(sanitize('\u009b2J')).toBe('<U+009B>2J');
  });

  it('shows bidi controls and invisible characters as <U+XXXX>, so an operator sees them', () => {
    expect(sanitize('ls \u202eevil\u202c')).toBe('ls <U+202E>evil<U+202C>');
    expect(sanitize('a\u2066b\u200bc\u200fd\ufeff')).toBe('a<U+2066>b<U+200B>c<U+200F>d<U+FEFF>');
    expect(sanitize('lone \ud800 surrogate')).toBe('lone ? surrogate');
  });

  it('keeps wide characters, emoji and combining marks, counting their columns', () => {
    expect(sanitize('ok 漢字 🚀 e\u0301!')).toBe('ok 漢字 🚀 e\u0301!');
    expect(displayWidth('ok 漢字 🚀 e\u0301!')).toBe(3 + 4 + 1 + 2 + 1 + 2);
    expect(padEnd('漢字', 6)).toBe('漢字  ');
    expect(truncate('漢字漢字', 5)).toBe('漢字…');
    expect(truncate('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
    expect(hardWrap('日本語テキスト', 5)).toEqual(['日本', '語テ', 'キス', 'ト']);
    expect(wordWrap('日本 語テキスト abc', 6)).toEqual(['日本', '語テキ', 'スト', 'abc']);
  });

  it('escapes blessed tags in untrusted text', () => {
    expect(escapeTags('{red-fg}x{/red-fg}')).toBe('{open}red-fg{close}x{open}/red-fg{close}');
    expect(toTags([{ text: '{bold}', tone: 'bad' }], COLOR_THEME)).toBe('{red-fg}{open}bold{close}{/red-fg}');
  });
});

describe('NO_COLOR', () => {
  it('drops colours but keeps bold and inverse', () => {
    expect(themeFor({ NO_COLOR: '1' })).toBe(NO_COLOR_THEME);
    expect(themeFor({ NO_COLOR: '' })).toBe(COLOR_THEME);
    expect(themeFor({})).toBe(COLOR_THEME);
    expect(toTags([{ text: 'PAUSED', tone: 'bad', bold: true, inverse: true }], NO_COLOR_THEME)).toBe(
      '{bold}{inverse}PAUSED{/inverse}{/bold}',
    );
  });
});

describe('terminfo choice (tmux workaround)', () => {
  it('uses the bundled xterm-256color file for *-256color TERMs, blessed default otherwise', () => {
    expect(terminfoChoice({ TERM: 'tmux-256color' }, '/b')).toBe('/b/xterm-256color');
    expect(terminfoChoice({ TERM: 'screen-256color' }, '/b')).toBe('/b/xterm-256color');
    expect(terminfoChoice({ TERM: 'xterm', COLORTERM: 'truecolor' }, '/b')).toBe('/b/xterm-256color');
    expect(terminfoChoice({ TERM: 'xterm' }, '/b')).toBeUndefined();
    expect(terminfoChoice({ TERM: 'linux' }, '/b')).toBeUndefined();
    expect(terminfoChoice({ TERM: 'tmux-256color', WEBHOOK_TUI_TERM: 'xterm' }, '/b')).toBe('xterm');
  });
});

describe('formatting', () => {
  it.each([
    [null, '-'],
    [950, '950ms'],
    [1500, '1.5s'],
    [42_000, '42s'],
    [184_000, '3m04s'],
    [7_500_000, '2h05m'],
    [200_000_000, '2d07h'],
  ])('formatMs(%s) = %s', (ms, want) => expect(formatMs(ms)).toBe(want));

  it('formats bytes and rates compactly', () => {
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(1536)).toBe('1.5K');
    expect(formatBytes(52_428_800)).toBe('50M');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.25)).toBe('0.25');
    expect(formatRate(3.14)).toBe('3.1');
    expect(formatRate(512)).toBe('512');
    expect(formatRate(12_345)).toBe('12k');
  });

  it('truncates with an ellipsis and pads to width', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(padStart('7', 3)).toBe('  7');
  });

  it('draws gauges from fractions (1 is full, values clamp)', () => {
    expect(bar(1, 6)).toBe('[####]');
    expect(bar(0.5, 6)).toBe('[##  ]');
    expect(bar(3, 6)).toBe('[####]');
    expect(bar(null, 6)).toBe('[    ]');
  });

  it('draws the newest values as a sparkline, right-aligned', () => {
    expect(sparkline([0, 1, 2, 4, 8], 3)).toBe('▃▅█');
    expect(sparkline([5], 3)).toBe('  █');
    expect(sparkline([0, 0], 2)).toBe('▁▁');
  });

  it('word-wraps with an indent for continuation lines', () => {
    expect(wordWrap('one two three four', 9, '  ')).toEqual(['one two', '  three', '  four']);
  });
});
