import { existsSync, mkdirSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveName } from '../../src/engine/logs/policy.js';
import type { LogManager } from '../../src/engine/logs/manager.js';
import { tempDir } from '../helpers/engine.js';
import { fileLines, listDir, manager, seriesLines } from '../helpers/logs.js';

let tmp: ReturnType<typeof tempDir>;
let dir: string;
const open: LogManager[] = [];
const track = <T extends { logs: LogManager }>(m: T): T => {
  open.push(m.logs);
  return m;
};

beforeEach(() => {
  tmp = tempDir('wht-logs-');
  dir = join(tmp.dir, 'logs');
});
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
  tmp.cleanup();
});

describe('LogManager', () => {
  it('writes JSON lines with time (ISO, ms), level, msg and fields; important lines also to important.log', async () => {
    const { logs } = track(manager(dir));
    await logs.start();
    logs.logger.debug('not at info');
    logs.logger.info('engine started', { pid: 42 });
    logs.logger.warn('tmux slow', { ms: 900 });
    logs.logger.error('task dead', { task: 7, target: 'default' });
    await logs.close();
    const lines = fileLines(join(dir, 'engine.log')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual(['engine started', 'tmux slow', 'task dead']);
    expect(Object.keys(lines[0]!).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[2]).toMatchObject({ level: 'error', task: 7, target: 'default' });
    expect(fileLines(join(dir, 'important.log')).map((l) => JSON.parse(l).msg)).toEqual(['tmux slow', 'task dead']);
    expect(statSync(join(dir, 'engine.log')).mode & 0o777).toBe(0o600);
  });

  it('rotates by size inside the writer, gzips the rotated file, and loses or splits no line', async () => {
    const { logs } = track(manager(dir, { maxBytes: 2048 }));
    await logs.start();
    for (let i = 0; i < 300; i++) logs.logger.info('line', { task: i, pad: 'x'.repeat(40) });
    await logs.idle();
    const names = listDir(dir);
    const archives = names.filter((n) => /^engine-\d{8}-\d{6}(-\d+)?\.log\.gz$/.test(n));
    expect(archives.length).toBeGreaterThan(5);
    expect(names.filter((n) => n.endsWith('.tmp') || /^engine-.*\.log$/.test(n))).toEqual([]);
    for (const a of archives) expect(statSync(join(dir, a)).size).toBeLessThan(2048);
    const seen = seriesLines(dir, 'engine').map((l) => (JSON.parse(l) as { task: number }).task);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(logs.status().rotations).toBe(archives.length);
  });

  it('compresses at start what a crash left plain, deletes partial .gz.tmp files, never trusts them', async () => {
    mkdirSync(dir, { recursive: true });
    const at = Date.now() - 3_600_000;
    const plain = archiveName('engine', at);
    writeFileSync(join(dir, plain), '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"before the crash"}\n');
    writeFileSync(join(dir, `${archiveName('engine', at - 1000)}.gz.tmp`), 'half a gzip');
    const { logs } = track(manager(dir));
    await logs.start();
    expect(listDir(dir).filter((n) => n !== 'engine.log' && n !== 'important.log')).toEqual([`${plain}.gz`]);
    expect(fileLines(join(dir, `${plain}.gz`))).toEqual([
      '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"before the crash"}',
    ]);
  });

  it('retention at start: deletes archives older than retainDays, then the oldest until under maxTotalBytes, only its own names', async () => {
    mkdirSync(dir, { recursive: true });
    const now = Date.now();
    const old = archiveName('engine', now - 40 * 86_400_000, 0, true);
    const a = archiveName('engine', now - 3 * 86_400_000, 0, true);
    const b = archiveName('engine', now - 2 * 86_400_000, 0, true);
    const c = archiveName('engine', now - 1 * 86_400_000, 0, true);
    const imp = archiveName('important', now - 3 * 86_400_000, 0, true);
    for (const n of [old, a, b, c]) writeFileSync(join(dir, n), gzipSync(Buffer.alloc(1000, 'x'), { level: 0 }));
    writeFileSync(join(dir, imp), gzipSync('{"msg":"kept"}\n'));
    const foreign = ['notes.txt', 'engine-old.log', 'engine.log.1', 'important-20200101-000000.log.bak'];
    for (const n of foreign) writeFileSync(join(dir, n), Buffer.alloc(5000));
    const size = (n: string) => statSync(join(dir, n)).size;
    const { logs } = track(manager(dir, { retainDays: 30, maxTotalBytes: size(b) + size(c) + size(imp) }));
    await logs.start();
    const left = listDir(dir);
    expect(left).not.toContain(old);
    expect(left).not.toContain(a);
    expect(left).toEqual(expect.arrayContaining([b, c, imp, ...foreign]));
  });

  it('rotates daily at log.rotateAt: a file begun before the boundary is rotated at the next line', async () => {
    mkdirSync(dir, { recursive: true });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    writeFileSync(join(dir, 'engine.log'), `${JSON.stringify({ time: yesterday, level: 'info', msg: 'old day' })}\n`);
    const hhmm = new Date(Date.now() - 60_000).toTimeString().slice(0, 5); // a boundary a minute ago
    const { logs } = track(manager(dir, { rotateAt: hhmm }));
    await logs.start();
    logs.logger.info('new day');
    await logs.idle();
    expect(fileLines(join(dir, 'engine.log')).map((l) => JSON.parse(l).msg)).toEqual(['new day']);
    expect(seriesLines(dir, 'engine').map((l) => JSON.parse(l).msg)).toEqual(['old day', 'new day']);
  });

  it('disk full: delivery goes on, lines go to the fallback, one notice, dropped counted; recovers by itself', async () => {
    mkdirSync(dir, { recursive: true });
    symlinkSync('/dev/full', join(dir, 'engine.log')); // every write fails with ENOSPC
    const { logs, notices, fallback } = track(manager(dir, { importantLevel: 'off' }, {}));
    await logs.start();
    for (let i = 0; i < 5; i++) logs.logger.info('while full', { task: i });
    expect(logs.status()).toMatchObject({ dropped: 5, failing: true });
    expect(logs.status().lastError).toMatch(/ENOSPC/);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/cannot write .*engine\.log \(ENOSPC/);
    expect(fallback.map((l) => JSON.parse(l).task)).toEqual([0, 1, 2, 3, 4]);
    unlinkSync(join(dir, 'engine.log')); // space again
    const deadline = Date.now() + 10_000;
    let i = 5;
    while (logs.status().failing && Date.now() < deadline) {
      logs.logger.info('retrying', { task: i++ });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs.status().failing).toBe(false);
    expect(notices.at(-1)).toMatch(/writable again/);
    const written = fileLines(join(dir, 'engine.log')).map((l) => JSON.parse(l).task);
    expect(written).toEqual([i - 1]);
    expect(logs.status().dropped).toBe(i - 1);
  });

  it('level off writes nothing and creates no file', async () => {
    const { logs } = track(manager(dir, { level: 'off' }));
    await logs.start();
    logs.logger.error('nothing');
    await logs.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('collapses repeats in the file: the line once, then "repeated N times"', async () => {
    const { logs } = track(manager(dir));
    await logs.start();
    for (let i = 0; i < 50; i++) logs.logger.warn('tmux not reachable', { attempt: i });
    logs.logger.info('tmux reachable');
    await logs.close();
    const msgs = fileLines(join(dir, 'engine.log')).map((l) => JSON.parse(l).msg);
    expect(msgs).toEqual(['tmux not reachable', 'repeated 49 times', 'tmux reachable']);
    expect(fileLines(join(dir, 'important.log')).map((l) => JSON.parse(l).msg)).toEqual([
      'tmux not reachable',
      'repeated 49 times',
    ]);
  });

  it('a crash between rename and compression: a plain rotated file and its complete .gz; the plain copy goes', async () => {
    mkdirSync(dir, { recursive: true });
    const name = archiveName('engine', Date.now() - 5000);
    writeFileSync(join(dir, name), 'a\n');
    writeFileSync(join(dir, `${name}.gz`), gzipSync('a\n'));
    utimesSync(join(dir, name), new Date(), new Date());
    const { logs } = track(manager(dir));
    await logs.start();
    expect(listDir(dir)).toEqual(['engine.log', `${name}.gz`, 'important.log'].sort());
    expect(fileLines(join(dir, `${name}.gz`))).toEqual(['a']);
  });
});
