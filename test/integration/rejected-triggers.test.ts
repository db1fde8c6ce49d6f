/**
 * Rejected triggers are easy to see: counted by reason in status, --json and /metrics; rejected/ is pruned with the
 * queue's retention; a spool file repeating a name is logged and counted as deduplicated; `send` refuses before
 * spooling. Real engine (SQLite in a temp dir, tmux on a private socket), real spool, the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { loggerFrom } from '../../src/engine/ports/logger.js';
import { formatStats } from '../../src/cli/output.js';
import { waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('rejected triggers', () => {
  let engine: Engine | undefined;
  const logged: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const logger = loggerFrom((_level, msg, fields) => {
    logged.push({ msg, fields });
  });

  const fx = useFixture({ tmpPrefix: 'wht-rej-' });
  beforeEach(() => {
    logged.length = 0;
  });

  function spool(dir: string, name: string, content: string | Buffer): void {
    writeFileSync(join(dir, 'tmp', name), content);
    renameSync(join(dir, 'tmp', name), join(dir, 'new', name));
  }

  it('counts rejections by reason in stats, status and /metrics', async () => {
    engine = await fx.start(fx.config({ spool: { maxBytes: 1024 }, http: { enabled: true, port: 0 } }), { logger });
    engine.pause();
    const dir = engine.config.spool.dir;
    spool(dir, 'a.txt', 'ls \u202e\n');
    spool(dir, 'b.txt', 'x'.repeat(2000));
    spool(dir, 'c.json', '{"command":');
    spool(dir, 'd.txt', 'ls \u001b[2J\n');
    const rejectedFiles = () => readdirSync(join(dir, 'rejected')).filter((n) => !n.endsWith('.reason'));
    await waitFor(() => rejectedFiles().length === 4, 10_000, 'four files in rejected/');
    const s = engine.stats();
    expect(s.rejected).toBe(4);
    expect(s.rejectedByReason).toEqual({ WHT_ERR_TEXT_UNSAFE: 2, WHT_ERR_TOO_LARGE: 1, WHT_ERR_BAD_TRIGGER: 1 });
    expect(formatStats(s)).toContain('rejected:   4 (TEXT_UNSAFE 2, BAD_TRIGGER 1, TOO_LARGE 1)');
    const metrics = await (await fetch(`${engine.httpUrl()}/metrics`)).text();
    expect(metrics).toContain('webhook_tui_triggers_rejected_total{reason="WHT_ERR_TEXT_UNSAFE"} 2');
    expect(metrics).toContain('webhook_tui_triggers_rejected_total{reason="WHT_ERR_TOO_LARGE"} 1');
  });

  it('prunes rejected/ with the queue retention at start', async () => {
    const config = fx.config({ queue: { retainDays: 1 } });
    const rejected = join(config.spool.dir, 'rejected');
    mkdirSync(rejected, { recursive: true, mode: 0o700 });
    for (const d of [config.spool.dir, join(config.spool.dir, 'tmp'), join(config.spool.dir, 'new')])
      mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(join(rejected, 'old.txt'), 'x');
    writeFileSync(join(rejected, 'recent.txt'), 'y');
    const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000;
    utimesSync(join(rejected, 'old.txt'), twoDaysAgo, twoDaysAgo);
    engine = await fx.start(config, { logger });
    expect(existsSync(join(rejected, 'old.txt'))).toBe(false);
    expect(existsSync(join(rejected, 'recent.txt'))).toBe(true);
    expect(logged.some((l) => l.msg === 'pruned rejected spool files' && l.fields?.count === 1)).toBe(true);
  });

  it('a second spool file with a name already used in the dedupe window is logged and counted as deduplicated', async () => {
    engine = await fx.start(fx.config(), { logger });
    engine.pause();
    const dir = engine.config.spool.dir;
    spool(dir, 'same-name.txt', 'echo first\n');
    await waitFor(
      () => engine!.stats().received === 1 && !existsSync(join(dir, 'new', 'same-name.txt')),
      10_000,
      'first file taken',
    );
    spool(dir, 'same-name.txt', 'echo second\n');
    await waitFor(() => !existsSync(join(dir, 'new', 'same-name.txt')), 10_000, 'second file taken');
    expect(engine.stats().deduplicated).toBe(1);
    expect(engine.listTasks({ limit: 10 }).map((t) => t.text)).toEqual(['echo first']);
    expect(logged.find((l) => l.msg.startsWith('spool file repeats an earlier trigger'))?.fields).toMatchObject({
      name: 'same-name.txt',
      task: 1,
    });
  });

  it('send of 70 to 100 KB exits 2 before spooling (over spool.maxBytes), from argv and from stdin', () => {
    const configFile = join(fx.dir, 'config.json');
    const spoolDir = join(fx.dir, 'spool');
    writeFileSync(configFile, JSON.stringify({ dataDir: join(fx.dir, 'data'), spool: { dir: spoolDir } }));
    for (const size of [70_000, 100_000]) {
      const big = 'x'.repeat(size);
      const argv = spawnSync(process.execPath, [BIN, '--config', configFile, 'send', '--', big], { encoding: 'utf8' });
      expect(argv.status).toBe(2);
      expect(argv.stderr).toContain('over spool.maxBytes (65536); nothing was spooled');
      const stdin = spawnSync(process.execPath, [BIN, '--config', configFile, 'send', '-'], {
        encoding: 'utf8',
        input: `${big}\n`,
      });
      expect(stdin.status).toBe(2);
    }
    expect(existsSync(join(spoolDir, 'new')) ? readdirSync(join(spoolDir, 'new')) : []).toEqual([]);
  });
});
