import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import type { Config } from '../../src/engine/config/schema.js';
import { openEngineStore } from '../../src/engine/sqlite/open-store.js';
import type { SqliteStore } from '../../src/engine/sqlite/queue-store.js';
import { tempDir } from '../helpers/engine.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

/** Can this process mount a small tmpfs (root, and mount allowed)? Decided once, by trying. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = tempDir('wht-mnt-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir.dir], { stdio: 'ignore' });
    execFileSync('umount', [dir.dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    dir.cleanup();
  }
}
const MOUNT = canMount();

/** Write zeros until the file system says ENOSPC; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial blocks too.
  try {
    const fd2 = openSync(join(dir, 'filler2'), 'w');
    try {
      for (;;) writeSync(fd2, Buffer.alloc(512));
    } catch {
      /* full */
    } finally {
      closeSync(fd2);
    }
  } catch {
    /* no inode or block left */
  }
  return path;
}

const post = (url: string, body: unknown, token: string) =>
  fetch(`${url}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe('storage faults', () => {
  let engine: Engine | undefined;
  let mounted: string | undefined;

  const fx = useFixture();
  afterEach(async () => {
    await engine?.close();
    if (mounted) execFileSync('umount', ['-l', mounted], { stdio: 'ignore' });
    mounted = undefined;
  });

  async function engineWith(dataDir: string, extra: { openStore?: (c: Config) => SqliteStore } = {}) {
    const { pane, file } = await fx.recorder('rec');
    const config = {
      ...fx.config({ targets: { default: { pane } }, http: { enabled: true, port: 0 } }),
      dataDir,
    };
    engine = await fx.start(config, {
      ...extra,
      ...(process.env.WHT_DBG
        ? {
            logger: (await import('../../src/engine/ports/logger.js')).loggerFrom((l, m, f) =>
              console.log(l, m, JSON.stringify(f)),
            ),
          }
        : {}),
    });
    const token = (await import('node:fs')).readFileSync(join(dataDir, 'token'), 'utf8').trim();
    return { config, file, token, url: engine.httpUrl()! };
  }

  (MOUNT ? it : it.skip)(
    `${MOUNT ? '' : '[skipped: needs root and mount for a small tmpfs] '}a full disk: the engine stays up, answers 503, keeps spool files, is UNHEALTHY with the reason, alerts, and resumes by itself`,
    async () => {
      const data = join(fx.dir, 'small');
      mkdirSync(data);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', data]);
      mounted = data;
      const { config, file, token, url } = await engineWith(data);
      engine!.enqueue({ text: 'before the disk filled', source: 'api' });
      await waitFor(() => recorded(file).includes('before the disk filled'), 10_000, 'the first task');
      const filler = fill(data);
      // The next commits fail (what is left of the WAL may take a few first).
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 503, 20_000, '/readyz 503');
      const r = await post(url, { command: 'over http while full' }, token);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(await r.json()).toMatchObject({
        error: 'WHT_ERR_STORAGE',
        message: expect.stringContaining('cannot be written'),
      });
      const texts = Array.from({ length: 10 }, (_, i) => `while full ${i}`);
      for (const t of texts) writeSpoolFile(config.spool.dir, t, '.txt');
      await waitFor(() => engine!.snapshot().monitor?.health?.status === 'UNHEALTHY', 10_000, 'UNHEALTHY');
      const health = engine!.snapshot().monitor!.health!;
      expect(health.checks.find((c) => c.name === 'database')).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/full/),
      });
      await waitFor(
        () => engine!.snapshot().monitor!.alerts.active.some((a) => a.rule === 'health'),
        15_000,
        'the health alert',
      );
      await engine!.scanSpool();
      expect(readdirSync(join(config.spool.dir, 'new'))).toHaveLength(10);
      expect(recorded(file)).toEqual(['before the disk filled']);

      unlinkSync(filler);
      rmSync(join(data, 'filler2'), { force: true });
      await waitFor(() => recorded(file).length === 11, 20_000, 'the spool files delivered once space came back');
      expect(recorded(file)).toEqual(['before the disk filled', ...texts]);
      expect((await post(url, { command: 'over http again' }, token)).status).toBe(202);
      await waitFor(() => recorded(file).includes('over http again'), 10_000, 'the HTTP task');
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(readdirSync(join(config.spool.dir, 'new'))).toEqual([]);
    },
    90_000,
  );

  it('a store that cannot be written (fault-injecting port): nothing is typed that cannot be recorded, and nothing twice', async () => {
    let failing: ReadonlySet<string> = new Set();
    const full = () => new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
    const openStore = (c: Config) =>
      new Proxy(openEngineStore(c), {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (failing.has(String(prop))) throw full();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const { config, file, url, token } = await engineWith(join(fx.dir, 'data'), { openStore });
    // 1. `delivered` cannot be written after the text went in: it is not typed again, and recorded later.
    failing = new Set(['markDelivered']);
    const { task: a } = engine!.enqueue({ text: 'typed, not recorded', source: 'api' });
    await waitFor(() => engine!.storageDown() !== null, 10_000, 'storage reported down');
    await waitFor(() => recorded(file).length === 1, 10_000, 'the text in the pane');
    expect(engine!.getTask(a.id)?.state).toBe('delivering');
    // 2. While down: HTTP 503, spool files wait, nothing is typed.
    failing = new Set(['markDelivered', 'insertMany', 'markDelivering']);
    expect((await post(url, { command: 'refused' }, token)).status).toBe(503);
    writeSpoolFile(config.spool.dir, 'waits in new', '.txt');
    await engine!.scanSpool();
    expect(readdirSync(join(config.spool.dir, 'new'))).toHaveLength(1);
    // 3. The fault clears: the outcome is written, the spool file committed and typed, each once.
    failing = new Set();
    await waitFor(() => engine!.getTask(a.id)?.state === 'delivered', 10_000, 'the delivery recorded');
    await waitFor(() => recorded(file).length === 2, 10_000, 'the spool file typed');
    expect(recorded(file)).toEqual(['typed, not recorded', 'waits in new']);
    expect(engine!.getTask(a.id)?.attempts).toBe(1);
  }, 60_000);

  it('the database file deleted while the engine runs: stops acknowledging, UNHEALTHY with the reason, writes the database back; a restart loses nothing', async () => {
    const data = join(fx.dir, 'data');
    const { config, file, url, token } = await engineWith(data);
    const db = join(data, 'webhook-tui.db');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    // Acknowledged before the engine noticed: on the deleted file only.
    engine!.enqueue({ text: 'acknowledged after the deletion', source: 'api' });
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 503, 10_000, '/readyz 503');
    await waitFor(() => engine!.snapshot().monitor?.health?.status === 'UNHEALTHY', 10_000, 'UNHEALTHY');
    const health = engine!.snapshot().monitor!.health!;
    const why = health.checks.find((c) => c.name === 'database')?.message ?? '';
    expect(why, why).toMatch(/webhook-tui\.db(-wal)? was deleted while the engine ran/);
    const r = await post(url, { command: 'refused' }, token);
    expect(r.status).toBe(503);
    expect((await r.json()) as { message: string }).toMatchObject({ message: expect.stringContaining('restarted') });
    writeSpoolFile(config.spool.dir, 'spooled after the deletion', '.txt');
    await engine!.scanSpool();
    expect(readdirSync(join(config.spool.dir, 'new'))).toHaveLength(1);
    await waitFor(() => existsSync(db), 10_000, 'the database written back');
    await engine!.close();

    engine = await fx.start(config);
    await waitFor(() => recorded(file).length === 2, 15_000, 'both tasks typed after the restart');
    expect(recorded(file)).toEqual(['acknowledged after the deletion', 'spooled after the deletion']);
  }, 60_000);
});
