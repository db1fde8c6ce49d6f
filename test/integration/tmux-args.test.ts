import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlModeTmux } from '../../src/engine/delivery/control-mode.js';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import { typeAndEnter } from '../../src/engine/delivery/send.js';
import type { Tmux } from '../../src/engine/ports/tmux.js';
import { sendLiteralArgs } from '../../src/engine/delivery/tmux-args.js';
import { RecorderServer } from './control-helpers.js';

describe('sendLiteralArgs through ExecTmux (one tmux process per command)', () => {
  let rec: RecorderServer;
  let exec: ExecTmux;

  beforeEach(async () => {
    rec = new RecorderServer();
    await rec.start();
    exec = new ExecTmux(rec.server);
  });

  afterEach(() => rec.kill());

  async function type(text: string): Promise<void> {
    for (const argv of sendLiteralArgs(rec.pane, text)) await exec.run(argv);
  }

  it('types texts that tmux would otherwise cut or read as flags or commands', async () => {
    const texts = ['ends;', 'ends\\;', ';', '-n', '--', 'a; set -g @pwned 1;', '\\', "it's $HOME #{pane_id} ~"];
    for (const t of texts) await type(t);
    const expected = texts.join('');
    expect(await rec.waitRecorded(expected.length)).toBe(expected);
    expect(rec.tmux('show-options', '-gqv', '@pwned')).toBe('');
  });

  it('types a 40 KB text, which is over the 16 KB argv limit of one tmux command', async () => {
    const text = `-n ${'0123456789abcdé😀;'.repeat(2400)};`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(40_000);
    await type(text);
    expect(await rec.waitRecorded(text.length)).toBe(text);
  });
});

describe.each([
  ['one tmux process per command', (rec: RecorderServer) => new ExecTmux(rec.server)],
  ['the control-mode client', (rec: RecorderServer) => new ControlModeTmux(rec.server)],
])('typeAndEnter (text and Enter in one tmux call) through %s', (_, make) => {
  let rec: RecorderServer;
  let tmux: Tmux;

  beforeEach(async () => {
    rec = new RecorderServer();
    await rec.start();
    tmux = make(rec);
    await tmux.start?.();
  });

  afterEach(async () => {
    await tmux.close();
    rec.kill();
  });

  it('types each text whole, then exactly one Enter after it, and runs no tmux command from the text', async () => {
    const texts = ['ends;', 'ends\\;', ';', '-n', 'a ; set -g @pwned 1', 'x; send-keys C-m;', "it's $HOME #{pane_id}"];
    for (const t of texts) await typeAndEnter(tmux, rec.pane, t, 5000);
    const expected = texts.map((t) => `${t}\r`).join('');
    expect(await rec.waitRecorded(expected.length)).toBe(expected);
    expect(rec.tmux('show-options', '-gqv', '@pwned')).toBe('');
  });

  it('a text over the argv limit: all of it, then one Enter', async () => {
    const text = `${'0123456789abcdé😀;'.repeat(2400)};`;
    await typeAndEnter(tmux, rec.pane, text, 5000);
    expect(await rec.waitRecorded(text.length + 1)).toBe(`${text}\r`);
  });
});
