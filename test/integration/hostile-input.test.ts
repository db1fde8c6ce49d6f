import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { checkText } from '../../src/engine/text-safety.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';
import { seededRandom as rng } from '../../src/engine/ports/random.js';

const PIECES = [
  ';',
  '\\;',
  ';;',
  '\\',
  '"',
  "'",
  '$HOME',
  '${X}',
  '$(id)',
  '`id`',
  '#{pane_id}',
  '#[fg=red]',
  '~',
  '~root',
  '-n',
  '--',
  '-t',
  '{',
  '}',
  'Enter',
  'C-c',
  'Escape',
  'send-keys',
  'set -g @pwned 1',
  ' ',
  '\t',
  'é',
  '日本',
  '🎉',
  '%1',
  '#',
  '!',
  '&&',
  '|',
  '>',
  '*',
  '?',
  '%%',
  '\u001b[201~',
  '\u0003',
  '\n',
  '\r',
  '\u007f',
  '\u009b',
  '\u0000',
  'x',
];

function hostile(random: () => number): string {
  const n = 1 + Math.floor(random() * 6);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return random() < 0.3 ? `-${s}` : s;
}

describe('hostile input', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('types every generated string exactly or refuses it, and no tmux command ever runs', async () => {
    const { pane, file } = await fx.recorder('rec');
    engine = await fx.start(fx.config({ targets: { default: { pane } } }));
    const random = rng(20261126);
    const accepted: string[] = [];
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const text = hostile(random);
      // Whitespace-only lines are legal but invisible in a recorder line; keep them out of the exact comparison.
      if (text.trim() === '') continue;
      try {
        engine.enqueue({ text, source: 'api' });
        accepted.push(text);
      } catch (err) {
        expect(checkText(text).ok).toBe(false);
        expect((err as { code: string }).code).toBe('WHT_ERR_TEXT_UNSAFE');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(accepted.length).toBeGreaterThan(500);
    await waitFor(() => recorded(file).length >= accepted.length, 120_000, `${accepted.length} lines`);
    expect(recorded(file)).toEqual(accepted);
    expect(fx.tmux.run('show-options', '-gqv', '@pwned')).toBe('');
    expect(fx.tmux.run('list-sessions', '-F', '#{session_name}').split('\n')).toEqual(['rec']);
  }, 180_000);

  it('types a 40 KB command whole', async () => {
    const { pane, file } = await fx.recorder('rec');
    engine = await fx.start(fx.config({ targets: { default: { pane } } }));
    const big = Array.from({ length: 4000 }, (_, i) => `w${i};`)
      .join(' ')
      .slice(0, 40_000);
    engine.enqueue({ text: big, source: 'api' });
    await waitFor(() => recorded(file).length >= 1, 30_000, 'big line');
    expect(recorded(file)[0]).toBe(big);
  });

  it('moves bad spool files to rejected/ with a reason and keeps the good ones', async () => {
    const { pane, file } = await fx.recorder('rec');
    const config = fx.config({ targets: { default: { pane } }, spool: { maxBytes: 1024 } });
    mkdirSync(join(config.spool.dir, 'new'), { recursive: true, mode: 0o700 });
    mkdirSync(join(config.spool.dir, 'tmp'), { recursive: true, mode: 0o700 });
    chmodSync(config.spool.dir, 0o700);
    const secret = join(fx.dir, 'secret.txt');
    writeFileSync(secret, 'rm -rf / # must never be typed');
    const newDir = join(config.spool.dir, 'new');
    symlinkSync(secret, join(newDir, '0001-symlink'));
    execFileSync('mkfifo', [join(newDir, '0002-fifo')]);
    writeFileSync(join(newDir, '0003-huge'), 'x'.repeat(5000));
    writeFileSync(join(newDir, '0004-badjson'), '{"command": ');
    writeFileSync(join(newDir, '0005-escape'), 'echo \u001b]0;pwned\u0007');
    writeFileSync(join(newDir, '0006-binary'), Buffer.from([0xff, 0xfe, 0x41]));
    mkdirSync(join(newDir, '0007-dir'));
    writeFileSync(join(newDir, '0008-good'), 'echo good\n');
    engine = await fx.start(config);
    await waitFor(() => recorded(file).length >= 1, 10_000, 'good line');
    await waitFor(() => readdirSync(newDir).length === 0, 10_000, 'new/ empty');
    expect(recorded(file)).toEqual(['echo good']);
    const rejected = join(config.spool.dir, 'rejected');
    const reason = (name: string) => readFileSync(join(rejected, `${name}.reason`), 'utf8');
    expect(reason('0001-symlink')).toMatch(/symlink/);
    expect(reason('0002-fifo')).toMatch(/not a regular file/);
    expect(reason('0003-huge')).toMatch(/WHT_ERR_TOO_LARGE/);
    expect(reason('0004-badjson')).toMatch(/invalid JSON/);
    expect(reason('0005-escape')).toMatch(/escape \(ESC\)/);
    expect(reason('0006-binary')).toMatch(/UTF-8/);
    expect(reason('0007-dir')).toMatch(/not a regular file/);
    expect(readFileSync(secret, 'utf8')).toContain('must never be typed');
    expect(existsSync(join(rejected, '0001-symlink'))).toBe(true);
  });

  it('refuses to start on a spool dir that others can write or that is a symlink', async () => {
    const open = join(fx.dir, 'open-spool');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    await expect(fx.start(fx.config({ spool: { dir: open } }))).rejects.toThrow(/writable by other users/);
    const real = join(fx.dir, 'real-spool');
    mkdirSync(real, { mode: 0o700 });
    const link = join(fx.dir, 'link-spool');
    symlinkSync(real, link);
    await expect(fx.start(fx.config({ spool: { dir: link } }))).rejects.toThrow(/symlink/);
  });
});
