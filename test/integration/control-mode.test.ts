import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlModeTmux } from '../../src/engine/delivery/control-mode.js';
import { sendLiteralArgs } from '../../src/engine/delivery/tmux-args.js';
import { isWhtError } from '../../src/engine/errors.js';
import { RecorderServer } from './control-helpers.js';

const PIECES = [
  ';',
  "'",
  '"',
  '$',
  '$HOME',
  '${HOME}',
  '#',
  '#{pane_id}',
  '#(touch /tmp/wht-pwned)',
  '{',
  '}',
  '~',
  '~root',
  '\\',
  '\\;',
  '-',
  '-n',
  '--',
  ' ',
  '\t',
  '\n',
  'é',
  '中文',
  '😀',
  'a',
  'Z',
  '%if 1',
  '=',
  'A=b',
  "'; set -g @pwned 1; '",
  '" ; set -g @pwned 1 ; "',
  '\nset -g @pwned 1\n',
  '} ; set -g @pwned 1 ; {',
  '$(tmux set -g @pwned 1)',
  '\\\nset -g @pwned 1',
];

function fuzzText(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('ControlModeTmux against a real tmux server', () => {
  let rec: RecorderServer;
  let cc: ControlModeTmux;

  beforeEach(async () => {
    rec = new RecorderServer();
    await rec.start();
    cc = new ControlModeTmux(rec.server);
    await cc.start();
  });

  afterEach(async () => {
    await cc.close();
    rec.kill();
  });

  it('types 3000 hostile random strings exactly and runs none of them as tmux commands', async () => {
    const rand = lcg(7);
    let expected = '';
    for (let i = 0; i < 3000; i++) {
      const text = `${fuzzText(rand)}|`;
      expected += text;
      for (const argv of sendLiteralArgs(rec.pane, text)) await cc.run(argv);
    }
    expect(await rec.waitRecorded(expected.length)).toBe(expected);
    expect(rec.tmux('show-options', '-gqv', '@pwned')).toBe('');
  });

  it('sends a 200 KB text in one command', async () => {
    const text = 'abcdefghij😀'.repeat(200_000 / 12);
    await cc.run(['send-keys', '-t', rec.pane, '-l', '--', text]);
    expect(await rec.waitRecorded(text.length)).toBe(text);
  });

  it('returns output lines, and rejects with tmux error text', async () => {
    expect((await cc.run(['display-message', '-p', '-t', rec.pane, '#{pane_id}\n#{session_name}'])).stdout).toBe(
      `${rec.pane}\nuser`,
    );
    const err = await cc.run(['send-keys', '-t', '%999', 'x']).catch((e: unknown) => e);
    expect(isWhtError(err, 'WHT_ERR_TMUX_FAILED')).toBe(true);
    expect((err as Error).message).toContain("can't find pane: %999");
  });

  it('matches many concurrent replies to their own commands', async () => {
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) => cc.run(['display-message', '-p', `n=${i}`])),
    );
    expect(replies.map((r) => r.stdout)).toEqual(Array.from({ length: 300 }, (_, i) => `n=${i}`));
  });

  it('runs each command of a `;`-separated argv and stops at the first failure, like the exec path', async () => {
    expect((await cc.run(['display-message', '-p', 'one', ';', 'display-message', '-p', 'two'])).stdout).toBe(
      'one\ntwo',
    );
    await expect(
      cc.run(['set-option', '-g', '@x', 'a', ';', 'send-keys', '-t', '%999', 'x', ';', 'set-option', '-g', '@x', 'b']),
    ).rejects.toThrow(/can't find pane/);
    expect(rec.tmux('show-options', '-gqv', '@x')).toBe('a');
  });

  it('does not resize the session and is attached with no-output,ignore-size', async () => {
    expect(rec.tmux('display-message', '-p', '-t', rec.pane, '#{window_width}x#{window_height}')).toBe('100x30');
    const clients = rec.tmux('list-clients', '-F', '#{client_flags}');
    expect(clients).toContain('ignore-size');
    expect(clients).toContain('no-output');
  });

  it('gives the same result as tmux for a text ending in ; sent via sendLiteralArgs', async () => {
    const texts = [';', 'end;', 'end\\;', '-n', '--'];
    for (const t of texts) for (const argv of sendLiteralArgs(rec.pane, t)) await cc.run(argv);
    expect(await rec.waitRecorded(texts.join('').length)).toBe(texts.join(''));
  });
});
