import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';
import { fileLines, listDir, manager } from '../helpers/logs.js';
import { waitFor } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));
const HOUR = 3_600_000;

describe('webhook-tui logs (built CLI, real files)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let configFile: string;
  let logDir: string;
  const children: ChildProcess[] = [];
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--config', configFile, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeEach(() => {
    tmp = tempDir('wht-logs-cli-');
    configFile = join(tmp.dir, 'config.json');
    logDir = join(tmp.dir, 'data', 'logs');
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: join(tmp.dir, 'data'), spool: { dir: join(tmp.dir, 'spool') } }),
    );
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  });

  /** 60 hourly lines over the last 60 hours through a real log manager: small files, so most are rotated and gzipped. */
  async function history(): Promise<number> {
    const start = Date.now() - 60 * HOUR;
    let now = start;
    const { logs } = manager(logDir, { maxBytes: 1024 }, { clock: { now: () => now } });
    await logs.start();
    for (let i = 0; i < 60; i++) {
      now = start + i * HOUR;
      if (i % 10 === 9) logs.logger.error('task dead', { task: i, target: 'ghost', code: 'WHT_ERR_TARGET_MISSING' });
      else logs.logger.info('task delivered', { task: i, target: 'default', latencyMs: 3 });
    }
    await logs.close();
    return start;
  }

  it('reads archives (.gz), rotated and current files in time order as one stream, with every filter', async () => {
    const start = await history();
    expect(listDir(logDir).filter((n) => n.endsWith('.log.gz')).length).toBeGreaterThan(3);
    const all = cli('logs', '--json');
    expect(all.code).toBe(0);
    const tasks = all.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).task);
    expect(tasks).toEqual(Array.from({ length: 60 }, (_, i) => i));

    const plain = cli('logs', '--task', '19').out.trim();
    expect(plain).toBe(
      `${new Date(start + 19 * HOUR).toISOString().replace('T', ' ').replace('Z', '')} error task dead task=19 target=ghost code=WHT_ERR_TARGET_MISSING`,
    );

    const ids = (r: { out: string }) =>
      r.out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).task as number);
    expect(ids(cli('logs', '--json', '--level', 'error'))).toEqual([9, 19, 29, 39, 49, 59]);
    expect(ids(cli('logs', '--json', '--since', new Date(start + 50 * HOUR).toISOString()))).toEqual([
      50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
    ]);
    expect(
      ids(
        cli(
          'logs',
          '--json',
          '--since',
          new Date(start + 10 * HOUR).toISOString(),
          '--until',
          new Date(start + 12 * HOUR).toISOString(),
        ),
      ),
    ).toEqual([10, 11, 12]);
    expect(ids(cli('logs', '--json', '--grep', 'target=ghost'))).toEqual([9, 19, 29, 39, 49, 59]);
    expect(ids(cli('logs', '--json', '--since', '330m'))).toHaveLength(5);
  });

  it('says what is wrong with a bad flag (exit 2)', async () => {
    await history();
    expect(cli('logs', '--since', 'yesterday-ish')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--since: expected a duration'),
    });
    expect(cli('logs', '--grep', '(')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--grep: not a valid regular expression'),
    });
    expect(cli('logs', '--level', 'loud')).toMatchObject({ code: 2 });
  });

  it('logs stats: files, sizes, compressed ratio, oldest and newest entry, bytes per day', async () => {
    const start = await history();
    const r = cli('logs', 'stats', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    const archives = s.files.filter((f: { kind: string }) => f.kind === 'archive');
    expect(archives.length).toBeGreaterThan(3);
    for (const f of archives) {
      expect(f.uncompressedBytes).toBe(fileLines(join(logDir, f.name)).join('\n').length + 1);
      expect(f.ratio).toBeCloseTo(f.uncompressedBytes / f.bytes, 1);
    }
    expect(s.oldest).toBe(new Date(start).toISOString());
    expect(s.newest).toBe(new Date(start + 59 * HOUR).toISOString());
    expect(s.bytesPerDay).toBeGreaterThan(0);
    expect(cli('logs', 'stats').out).toMatch(/files: +\d+, .* on disk/);
  });

  it('-f prints new lines as they are written, across rotations, each once', async () => {
    const { logs } = manager(logDir, { maxBytes: 2048 });
    await logs.start();
    logs.logger.info('before', { task: 0 });
    const child = spawn(process.execPath, [BIN, '--config', configFile, 'logs', '-f', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await waitFor(() => out.includes('"before"'), 15_000, 'the existing line');
    for (let i = 1; i <= 200; i++) {
      logs.logger.info('follow me', { task: i, pad: 'y'.repeat(30) });
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => out.trim().split('\n').length >= 201, 45_000, '201 lines').catch((e: Error) => {
      const seen = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).task as number);
      throw new Error(
        `${e.message}; got ${seen.length}, missing ${Array.from({ length: 201 }, (_, i) => i)
          .filter((i) => !seen.includes(i))
          .join(',')}; exit ${child.exitCode}; stderr ${err}; files ${listDir(logDir).join(' ')}`,
      );
    });
    expect(logs.status().rotations).toBeGreaterThan(3);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).task),
    ).toEqual(Array.from({ length: 201 }, (_, i) => i));
    await logs.close();
  }, 60_000);

  it('logs optimize FILE: gzip, consecutive repeats collapsed, important lines beside it; refuses a file open for writing', async () => {
    const dir = join(tmp.dir, 'old');
    mkdirSync(dir);
    const file = join(dir, 'trigger.log');
    const text = [
      '[2026-01-01 10:00:00] trigger received: echo a',
      '[2026-01-01 10:00:01] tmux send failed: no pane',
      '[2026-01-01 10:00:02] tmux send failed: no pane',
      '[2026-01-01 10:00:03] tmux send failed: no pane',
      '[2026-01-01 10:00:04] trigger received: echo b',
      '[2026-01-01 10:00:05] trigger received: echo a',
    ];
    writeFileSync(file, `${text.join('\n')}\n`);
    const writer = spawn('bash', ['-c', `exec 3>>'${file}'; echo "$$ ready"; sleep 30`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(writer);
    await new Promise((r) => writer.stdout!.once('data', r));
    const busy = cli('logs', 'optimize', file);
    expect(busy.code).toBe(1);
    expect(busy.err).toContain(`open for writing by PID ${writer.pid}`);
    expect(readFileSync(file, 'utf8')).toBe(`${text.join('\n')}\n`);
    writer.kill('SIGKILL');
    await new Promise((r) => writer.once('exit', r));

    const r = cli('logs', 'optimize', file, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toMatchObject({
      linesIn: 6,
      linesOut: 5,
      collapsed: 2,
      importantLines: 3,
      output: `${file}.gz`,
      important: `${file}.important`,
    });
    expect(existsSync(file)).toBe(false);
    expect(fileLines(`${file}.gz`)).toEqual([
      text[0],
      text[1],
      'repeated 2 times (last: [2026-01-01 10:00:03] tmux send failed: no pane)',
      text[4],
      text[5],
    ]);
    expect(fileLines(`${file}.important`)).toEqual([text[1], text[2], text[3]]);
    expect(readdirSync(dir).sort()).toEqual(['trigger.log.gz', 'trigger.log.important']);
  });

  it('logs optimize refuses a file that is still growing (a writer appending by path), and changes nothing', async () => {
    const file = join(tmp.dir, 'busy.log');
    writeFileSync(file, 'first\n');
    const writer = spawn('bash', ['-c', `while :; do echo more >> '${file}'; sleep 0.05; done`], { stdio: 'ignore' });
    children.push(writer);
    await waitFor(() => readFileSync(file, 'utf8').includes('more'), 10_000, 'the writer');
    const r = cli('logs', 'optimize', file);
    writer.kill('SIGKILL');
    await new Promise((res) => writer.once('exit', res));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/WHT_ERR_LOG_BUSY|still growing|open for writing/);
    expect(r.err).toContain('nothing was changed');
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('busy') || n.startsWith('.busy'))).toEqual(['busy.log']);
    expect(readFileSync(file, 'utf8').startsWith('first\nmore\n')).toBe(true);
  });

  it('logs optimize: lines a writer appends by path meanwhile stay in a new FILE, none lost', async () => {
    const file = join(tmp.dir, 'app.log');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const child = spawn(process.execPath, [BIN, '--config', configFile, 'logs', 'optimize', file, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await waitFor(() => readdirSync(tmp.dir).some((n) => n.startsWith('.app.log.optimizing-')), 15_000, 'renamed away');
    writeFileSync(file, 'line 1000\n', { flag: 'a' }); // `echo ... >> FILE` while it works
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ linesIn: 1000, recreatedBytes: 10 });
    expect([...fileLines(`${file}.gz`), ...fileLines(file)]).toEqual(
      Array.from({ length: 1001 }, (_, i) => `line ${i}`),
    );
  });
});
