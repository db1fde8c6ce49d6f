import { describe, expect, it } from 'vitest';
import { checkText, decodeUtf8, printable } from '../../src/engine/text-safety.js';

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, '0');

describe('checkText', () => {
  const c0 = Array.from({ length: 0x20 }, (_, cp) => cp).filter((cp) => cp !== 0x09);
  const c1 = Array.from({ length: 0x20 }, (_, i) => 0x80 + i);

  it.each([...c0, 0x7f, ...c1].map((cp) => [hex(cp), cp]))(
    'refuses U+%s anywhere in the text, naming it and its position',
    (_name, cp) => {
      for (const [text, pos] of [
        [`${String.fromCharCode(cp)}ls`, 0],
        [`echo a${String.fromCharCode(cp)}b`, 6],
        [`ls${String.fromCharCode(cp)}`, 2],
      ] as const) {
        const r = checkText(text);
        expect(r.ok, JSON.stringify(text)).toBe(false);
        if (!r.ok) {
          expect(r.reason).toContain(`U+${hex(cp)}`);
          expect(r.reason).toContain(`position ${pos}`);
        }
      }
    },
  );

  it('refuses an escape sequence (ESC [ ...) and names ESC', () => {
    const r = checkText('echo \u001b[2J cleared');
    expect(r).toEqual({ ok: false, code: 'WHT_ERR_TEXT_UNSAFE', reason: expect.stringContaining('escape (ESC)') });
  });

  it('allows tab', () => {
    expect(checkText('a\tb')).toEqual({ ok: true, text: 'a\tb' });
  });

  it('refuses newline unless allowNewlines, and CR even then', () => {
    expect(checkText('echo a\necho b').ok).toBe(false);
    expect(checkText('echo a\necho b', { allowNewlines: true })).toEqual({ ok: true, text: 'echo a\necho b' });
    expect(checkText('echo a\r\necho b', { allowNewlines: true }).ok).toBe(false);
  });

  it('refuses empty or whitespace-only text as empty (WHT_ERR_TEXT_EMPTY)', () => {
    for (const [text, allowNewlines] of [
      ['', false],
      ['   ', false],
      ['\t', false],
      ['\n\n', true],
    ] as const) {
      expect(checkText(text, { allowNewlines })).toEqual({
        ok: false,
        code: 'WHT_ERR_TEXT_EMPTY',
        reason: 'empty command',
      });
    }
  });

  it.each([
    [0x202a, 'bidi embedding (LRE)'],
    [0x202b, 'bidi embedding (RLE)'],
    [0x202c, 'bidi pop (PDF)'],
    [0x202d, 'bidi override (LRO)'],
    [0x202e, 'bidi override (RLO)'],
    [0x2066, 'bidi isolate (LRI)'],
    [0x2067, 'bidi isolate (RLI)'],
    [0x2068, 'bidi isolate (FSI)'],
    [0x2069, 'bidi pop (PDI)'],
    [0x200e, 'bidi mark (LRM)'],
    [0x200f, 'bidi mark (RLM)'],
    [0x061c, 'bidi mark (ALM)'],
    [0x2028, 'line separator'],
    [0x2029, 'paragraph separator'],
    [0xfeff, 'byte order mark (BOM)'],
  ])('refuses U+%s (%s) for every target, naming it and its position', (cp, name) => {
    for (const allowNewlines of [false, true]) {
      expect(checkText(`ls a${String.fromCodePoint(cp)}b`, { allowNewlines })).toEqual({
        ok: false,
        code: 'WHT_ERR_TEXT_UNSAFE',
        reason: `${name} U+${hex(cp)} at position 4 is not allowed`,
      });
    }
  });

  it.each([
    ['lone high surrogate', 'a\ud83db', 1],
    ['lone low surrogate', 'ab\ude00', 2],
    ['reversed pair', '\ude00\ud83d', 0],
  ])('refuses a %s', (_name, text, pos) => {
    const r = checkText(text);
    expect(r).toEqual({ ok: false, code: 'WHT_ERR_TEXT_UNSAFE', reason: `unpaired surrogate at position ${pos}` });
  });

  it.each([
    ['emoji', 'echo 🚀 done 👍🏽'],
    ['flag and ZWJ sequence', 'echo 🇩🇪 👨‍👩‍👧'],
    ['CJK', 'echo 日本語のテキスト 한국어 中文'],
    ['accents, NBSP and combining marks', 'café\u00a0naïve e\u0301'],
    ['shell metacharacters', `echo "$HOME" 'x' \`id\` ; | & > < * ? ~ # { } [ ] \\`],
    ['leading dash', '-----BEGIN PUBLIC KEY-----'],
    ['trailing semicolon', 'ls;'],
    ['tmux key names', 'C-c Enter Escape'],
  ])('accepts %s unchanged', (_name, text) => {
    expect(checkText(text)).toEqual({ ok: true, text });
  });

  it('reports the position of the offending character in UTF-16 units after astral characters', () => {
    const r = checkText('🚀\u0007');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('position 2');
  });
});

describe('decodeUtf8', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('decodes valid UTF-8 including astral characters', () => {
    expect(decodeUtf8(enc('héllo 🚀 日本'))).toBe('héllo 🚀 日本');
    expect(decodeUtf8(new Uint8Array())).toBe('');
  });

  it('drops a leading BOM', () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('a');
  });

  it.each([
    ['lone continuation byte', [0x61, 0x80]],
    ['truncated 2-byte sequence', [0xc3]],
    ['truncated 4-byte sequence', [0xf0, 0x9f, 0x9a]],
    ['overlong encoding of /', [0xc0, 0xaf]],
    ['encoded surrogate (CESU)', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['invalid byte 0xff', [0xff]],
    ['Latin-1 text', [0x63, 0x61, 0x66, 0xe9]],
  ])('returns null for %s', (_name, bytes) => {
    expect(decodeUtf8(new Uint8Array(bytes))).toBeNull();
  });
});

describe('printable', () => {
  it('shows control characters as \\xNN and leaves the rest', () => {
    expect(printable('a\u001b[31mb\u0000\u007f\u009b 🚀')).toBe('a\\x1b[31mb\\x00\\x7f\\x9b 🚀');
    expect(printable('tab\there')).toBe('tab\\x09here');
  });

  it('cuts to max characters with an ellipsis', () => {
    expect(printable('abcdef', 4)).toBe('abc…');
    expect(printable('abcd', 4)).toBe('abcd');
    expect(printable('x'.repeat(500))).toHaveLength(200);
  });
});
