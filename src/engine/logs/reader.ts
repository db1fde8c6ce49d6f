import { closeSync, createReadStream, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { levelRank, parseLine, readableLine, type ParsedLine } from './format.js';
import { compareArchives, parseArchiveName, type ArchiveName, type LogSeries } from './policy.js';

export interface LogFile {
  path: string;
  name: string;
  /** Rotation time of an archive (its entries are at or before it); null for the current file. */
  rotatedAt: number | null;
  compressed: boolean;
  size: number;
  ino: number;
}

/** A series' files in time order: archives (plain and gzip) oldest first, then the current file. */
export function listLogFiles(dir: string, series: LogSeries = 'engine'): LogFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const archives = names
    .map((name) => ({ name, parsed: parseArchiveName(name) }))
    .filter((f): f is { name: string; parsed: ArchiveName } => f.parsed?.series === series)
    .sort((a, b) => compareArchives(a.parsed, b.parsed));
  const out: LogFile[] = [];
  for (const { name, parsed } of archives) {
    // A plain file whose .gz is complete is being removed: read the .gz only.
    if (!parsed.compressed && names.includes(`${name}.gz`)) continue;
    const st = statOf(join(dir, name));
    if (st) out.push({ path: join(dir, name), name, rotatedAt: parsed.at, compressed: parsed.compressed, ...st });
  }
  const current = `${series}.log`;
  const st = names.includes(current) ? statOf(join(dir, current)) : null;
  if (st) out.push({ path: join(dir, current), name: current, rotatedAt: null, compressed: false, ...st });
  return out;
}

function statOf(path: string): { size: number; ino: number } | null {
  try {
    const st = statSync(path);
    return { size: st.size, ino: st.ino };
  } catch {
    return null;
  }
}

export interface LogQuery {
  since?: number | undefined;
  until?: number | undefined;
  /** Minimum level (debug, info, warn, error). */
  level?: string | undefined;
  grep?: RegExp | undefined;
  /** Task id: lines with `task` (or the older `id`) equal to it. */
  task?: number | undefined;
}

/** Whether a line passes the query. Lines without a time pass time filters only when there are none. */
export function matchesQuery(p: ParsedLine, q: LogQuery): boolean {
  if ((q.since !== undefined || q.until !== undefined) && p.at === null) return false;
  if (q.since !== undefined && p.at! < q.since) return false;
  if (q.until !== undefined && p.at! > q.until) return false;
  if (q.level !== undefined && levelRank(p.level ?? '') < levelRank(q.level)) return false;
  if (q.task !== undefined && p.fields.task !== q.task && p.fields.id !== q.task) return false;
  if (q.grep && !q.grep.test(p.raw) && !q.grep.test(readableLine(p))) return false;
  return true;
}

/** Lines of one file (gunzipped when `.gz`), the last one even without a newline. */
export async function* fileLines(path: string, compressed = path.endsWith('.gz')): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const input = compressed ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line !== '') yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

export interface ReadOptions {
  /** Read the current file too. @default true */
  current?: boolean;
  /** Skip the file with this inode (the one a follower already reads). */
  skipIno?: number;
}

/**
 * Every matching line of a series in time order, as one stream: archives (skipping those that end before `since`
 * and stopping after those that begin after `until`), then the current file.
 */
export async function* readLog(dir: string, q: LogQuery, series: LogSeries = 'engine', opts: ReadOptions = {}): AsyncGenerator<ParsedLine> {
  const files = listLogFiles(dir, series).filter((f) => (opts.current ?? true) || f.rotatedAt !== null).filter((f) => f.ino !== opts.skipIno);
  let previousEnd = -Infinity;
  for (const f of files) {
    if (q.until !== undefined && previousEnd > q.until) return;
    const end = f.rotatedAt === null ? Infinity : f.rotatedAt + 1000;
    previousEnd = f.rotatedAt ?? Infinity;
    if (q.since !== undefined && end < q.since) continue;
    try {
      for await (const raw of fileLines(f.path, f.compressed)) {
        const p = parseLine(raw);
        if (matchesQuery(p, q)) yield p;
      }
    } catch (err) {
      // Deleted by retention or compressed meanwhile: its .gz (if any) is read instead.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const gz = `${f.path}.gz`;
      if (!f.compressed && statOf(gz) !== null) for await (const raw of fileLines(gz, true)) {
        const p = parseLine(raw);
        if (matchesQuery(p, q)) yield p;
      }
    }
  }
}

/**
 * Follows a log file by path across rotations: reads what is appended; when the path names a new file (rotated),
 * reads the old one to its end first, then the new one from its start. Call `poll()` now and then.
 */
export class FileFollower {
  private fd: number | null = null;
  private ino = -1;
  private pos = 0;
  private rest = '';
  private decoder = new StringDecoder('utf8');
  get inode(): number {
    return this.ino;
  }

  constructor(private readonly path: string, fromEnd: boolean) {
    this.reopen();
    if (fromEnd && this.fd !== null) this.pos = fstatSync(this.fd).size;
  }

  /** Complete lines appended since the last call (a line still being written waits for its newline). */
  poll(): string[] {
    const lines = this.drain();
    const st = sizeIno(this.path);
    if (st && st.ino !== this.ino) {
      lines.push(...this.drain(), ...this.flushRest());
      this.close();
      this.reopen();
      lines.push(...this.drain());
    }
    return lines;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private reopen(): void {
    try {
      this.fd = openSync(this.path, 'r');
      this.ino = fstatSync(this.fd).ino;
      this.pos = 0;
      this.decoder = new StringDecoder('utf8');
    } catch {
      this.fd = null;
    }
  }

  private drain(): string[] {
    if (this.fd === null) return [];
    const buf = Buffer.alloc(1 << 16);
    let text = '';
    for (let n = readSync(this.fd, buf, 0, buf.length, this.pos); n > 0; n = readSync(this.fd, buf, 0, buf.length, this.pos)) {
      this.pos += n;
      text += this.decoder.write(buf.subarray(0, n));
    }
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    return parts.filter((l) => l !== '');
  }

  /** The text after the last newline (a last line without one), once. */
  takeRest(): string[] {
    return this.flushRest();
  }

  private flushRest(): string[] {
    const r = this.rest;
    this.rest = '';
    return r ? [r] : [];
  }
}

function sizeIno(path: string): { ino: number } | null {
  try {
    return { ino: statSync(path).ino };
  } catch {
    return null;
  }
}
