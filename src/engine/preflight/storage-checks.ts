/** doctor, groups "data" and "spool" beyond the start checks: the database, free disk, spool details, logs. */
import { accessSync, constants, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config/schema.js';
import { dataPaths } from '../engine.js';
import { spoolDirs } from '../intake/spool-dirs.js';
import { fail, ok, warn, type CheckResult } from './check.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The queue database: integrity_check, WAL mode, its size and its WAL's. Read-only; a missing file is made at first start. */
export function checkDatabase(config: Config): CheckResult {
  const path = dataPaths(config.dataDir).db;
  if (!existsSync(path)) return ok('database', `${path} will be created at first start`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map(
      (r) => r.integrity_check,
    );
    const mode = db.pragma('journal_mode', { simple: true }) as string;
    const wal = size(`${path}-wal`);
    if (integrity.join() !== 'ok') {
      return fail(
        'database',
        'WHT_ERR_STORAGE',
        `${path}: integrity_check reports ${integrity.slice(0, 3).join('; ')}`,
        'stop the engine, keep a copy of the file, then recover it with sqlite3 .recover (or move it away to start empty)',
      );
    }
    if (mode !== 'wal')
      return warn(
        'database',
        `${path} is in ${mode} journal mode, not WAL`,
        'start the engine once: it switches the database to WAL',
      );
    const sizes = `${formatBytes(size(path))}, WAL ${formatBytes(wal)}`;
    // The engine checkpoints past walLimitBytes and truncates past twice it (queue/checkpointer.ts).
    if (wal > 2 * config.queue.walLimitBytes + 1024 * 1024) {
      return warn(
        'database',
        `${path}: integrity ok, WAL, ${sizes}: the WAL is past twice queue.walLimitBytes (${formatBytes(config.queue.walLimitBytes)})`,
        'an engine from before the WAL bound, or a reader holding an old snapshot, keeps it from being checkpointed: restart the engine',
      );
    }
    return ok('database', `${path}: integrity ok, WAL, ${sizes}`);
  } catch (err) {
    return fail(
      'database',
      'WHT_ERR_STORAGE',
      `${path} cannot be read: ${(err as Error).message}`,
      "check the file's owner and mode, and that it is a webhook-tui database",
    );
  } finally {
    db?.close();
  }
}

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Free space where the data dir lives, against monitor.diskFreePercent (warn below, fail below half of it). */
export async function checkDisk(config: Config): Promise<CheckResult> {
  const at = nearestExisting(config.dataDir);
  const s = await statfs(at);
  const free = s.bavail * s.bsize;
  const percent = s.blocks > 0 ? (100 * s.bavail) / s.blocks : 100;
  const limit = config.monitor.diskFreePercent;
  const message = `${formatBytes(free)} free (${percent.toFixed(0)} %) on the filesystem of ${at}`;
  if (percent < limit / 2)
    return fail('disk', 'WHT_ERR_STORAGE', message, 'free disk space: SQLite commits fail when the disk is full');
  if (percent < limit)
    return warn('disk', `${message}, below monitor.diskFreePercent ${limit} %`, 'free disk space soon');
  return ok('disk', message);
}

const REJECTED_WARN_BYTES = 10 * 1024 * 1024;

/** new/ and tmp/ on one filesystem (the writer's rename is atomic only there); what rejected/ holds. */
export function checkSpoolLayout(config: Config): CheckResult[] {
  const dirs = spoolDirs(config.spool.dir);
  if (!existsSync(dirs.new) || !existsSync(dirs.tmp))
    return [ok('spool.fs', `${dirs.root}: tmp/ and new/ will be created together`)];
  const sameFs =
    statSync(dirs.tmp).dev === statSync(dirs.new).dev
      ? ok('spool.fs', 'tmp/ and new/ are on one filesystem (rename is atomic)')
      : fail(
          'spool.fs',
          'WHT_ERR_SPOOL_UNSAFE',
          `${dirs.tmp} and ${dirs.new} are on different filesystems: a writer's rename would not be atomic`,
          'keep the whole spool dir on one filesystem (no mount on tmp/ or new/)',
        );
  let files = 0;
  let bytes = 0;
  if (existsSync(dirs.rejected)) {
    for (const name of readdirSync(dirs.rejected)) {
      files++;
      bytes += lstatSync(join(dirs.rejected, name)).size;
    }
  }
  const text = `rejected/ holds ${files} file(s), ${formatBytes(bytes)}`;
  const rejected =
    bytes > REJECTED_WARN_BYTES
      ? warn(
          'spool.rejected',
          `${text}`,
          `read the .reason files in ${dirs.rejected}, fix the writer, then delete them`,
        )
      : ok('spool.rejected', files ? `${text} (each with a .reason beside it)` : text);
  return [sameFs, rejected];
}

const CURRENT_FILES = new Set(['engine.log', 'important.log', 'serve.out']);

/** The log dir is writable, engine.log under log.maxBytes, the archives under log.maxTotalBytes (0 = no cap). */
export function checkLogs(config: Config): CheckResult {
  const dir = dirname(dataPaths(config.dataDir).log);
  const { maxBytes, maxTotalBytes } = config.log;
  if (!existsSync(dir)) return ok('logs', `${dir} will be created at first start`);
  try {
    if (!statSync(dir).isDirectory())
      return fail(
        'logs',
        'WHT_ERR_CONFIG_INVALID',
        `${dir} is not a directory`,
        'move it away; the engine makes the log dir',
      );
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      return fail(
        'logs',
        'WHT_ERR_CONFIG_INVALID',
        `${dir} is not writable`,
        `chmod u+w ${dir} (the engine writes engine.log there)`,
      );
    }
    let archives = 0;
    for (const name of readdirSync(dir)) if (!CURRENT_FILES.has(name)) archives += size(join(dir, name));
    const current = size(join(dir, 'engine.log'));
    const text = `${dir}: engine.log ${formatBytes(current)}, archives ${formatBytes(archives)}${maxTotalBytes ? ` of ${formatBytes(maxTotalBytes)}` : ''}`;
    if (maxTotalBytes > 0 && archives > maxTotalBytes) {
      return warn(
        'logs',
        `${text}: over log.maxTotalBytes`,
        'the engine trims archives at start, after each rotation and every 6 h: restart it, or lower log.retainDays',
      );
    }
    if (current > 2 * maxBytes)
      return warn(
        'logs',
        `${text}: engine.log is over twice log.maxBytes (${formatBytes(maxBytes)})`,
        'a running engine rotates it; restart the engine if it does not',
      );
    return ok('logs', text);
  } catch (err) {
    return fail(
      'logs',
      'WHT_ERR_CONFIG_INVALID',
      `${dir}: ${(err as Error).message}`,
      "check the log dir's owner and mode",
    );
  }
}
