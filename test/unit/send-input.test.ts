import { describe, expect, it } from 'vitest';
import { sendPayload, sendText } from '../../src/cli/send-input.js';
import { resolveConfig } from '../../src/engine/config/resolve.js';

const config = resolveConfig(
  {
    dataDir: '/tmp/wht-unused',
    spool: { dir: '/tmp/wht-unused/spool', maxBytes: 1024 },
    targets: { agent: { pane: '%1', multiline: true } },
  },
  {},
);
const stdin = (s: string | number[]) => () => Buffer.from(s as string);

describe('send: what is queued', () => {
  it('joins the words; `-` reads stdin as strict UTF-8 and drops one trailing newline', () => {
    expect(sendText(['git', 'status'])).toBe('git status');
    expect(sendText(['-'], stdin('a\nb\n\n'))).toBe('a\nb\n');
    expect(() => sendText(['-'], () => Buffer.from([0x6c, 0xff]))).toThrow('stdin is not valid UTF-8');
  });

  it('refuses argv words that were not UTF-8 (node turned them into U+FFFD) instead of typing U+FFFD', () => {
    expect(() => sendText(['ls', 'caf\uFFFD'])).toThrow(
      expect.objectContaining({
        code: 'WHT_ERR_BAD_TRIGGER',
        message: expect.stringContaining('argument 2 is not valid UTF-8'),
      }),
    );
  });

  it('checks text with the target profile, and the size against spool.maxBytes, before anything is spooled', () => {
    expect(() => sendPayload({ words: ['-'] }, config, stdin('a\nb'))).toThrow(
      expect.objectContaining({ code: 'WHT_ERR_TEXT_UNSAFE' }),
    );
    expect(sendPayload({ words: ['-'], target: 'agent' }, config, stdin('a\nb')).payload.command).toBe('a\nb');
    expect(() => sendPayload({ words: ['ls \u202e'] }, config)).toThrow(
      expect.objectContaining({
        code: 'WHT_ERR_TEXT_UNSAFE',
        message: expect.stringContaining('U+202E at position 3'),
      }),
    );
    expect(() => sendPayload({ words: ['x'.repeat(2000)] }, config)).toThrow(
      expect.objectContaining({
        code: 'WHT_ERR_TOO_LARGE',
        message: expect.stringContaining('over spool.maxBytes (1024)'),
      }),
    );
  });
});
