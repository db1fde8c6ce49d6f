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
export async function* readLog(
  dir: string,
  q: LogQuery,
  series: LogSeries = 'engine',
  opts: ReadOptions = {},
): AsyncGenerator<ParsedLine> {
  const files = listLogFiles(dir, series)
    .filter((f) => (opts.current ?? true) || f.rotatedAt !== null)
    .filter((f) => f.ino !== opts.skipIno);
  let previousEnd = -Infinity;
  for (const f of files) {
    if (q.until !== undefined && previousEnd > q.until) return;
    const end = f.rotatedAt === null ? Infinity : f.rotatedAt + 1000;
    previousEnd = f.rotatedAt ?? Infinity;
    if (q.since !== undefined && end < q.since) continue;
    for await (const raw of archiveLines(f)) {
      const p = parseLine(raw);
      if (matchesQuery(p, q)) yield p;
    }
  }
}

/**
 * Lines of a listed file; one that was compressed meanwhile (the plain file is removed only after its .gz is
 * complete, and once open a file reads to its end) is read from its .gz.
 */
async function* archiveLines(f: LogFile): AsyncGenerator<string> {
  try {
    yield* fileLines(f.path, f.compressed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || f.compressed) throw err;
    yield* fileLines(`${f.path}.gz`, true);
  }
}

/**
 * Reads a file as it grows, through one descriptor (so a rename does not disturb it): `poll()` returns the complete
 * lines appended since the last call; a line still being written waits for its newline.
 */
export class FileFollower {
  private fd: number | null = null;
  private ino = -1;
  private pos = 0;
  private rest = '';
  private decoder = new StringDecoder('utf8');
  /** The first line of the file (when read from its start): identifies it after it was rotated and compressed. */
  firstLine: string | null = null;

  constructor(
    readonly path: string,
    fromEnd = false,
  ) {
    try {
      this.fd = openSync(this.path, 'r');
      this.ino = fstatSync(this.fd).ino;
      if (fromEnd) this.pos = fstatSync(this.fd).size;
    } catch {
      this.fd = null;
    }
  }

  get inode(): number {
    return this.ino;
  }

  get opened(): boolean {
    return this.fd !== null;
  }

  /** True when the path now names another file (rotated, or created since). */
  replaced(): boolean {
    const st = statIno(this.path);
    return st !== null && st !== this.ino;
  }

  poll(): string[] {
    if (this.fd === null) return [];
    const buf = Buffer.alloc(1 << 16);
    let text = '';
    for (
      let n = readSync(this.fd, buf, 0, buf.length, this.pos);
      n > 0;
      n = readSync(this.fd, buf, 0, buf.length, this.pos)
    ) {
      if (this.pos === 0 && this.firstLine === null) this.firstLine = '';
      this.pos += n;
      text += this.decoder.write(buf.subarray(0, n));
    }
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    const lines = parts.filter((l) => l !== '');
    if (this.firstLine === '' && lines.length) this.firstLine = lines[0]!;
    return lines;
  }

  /** The text after the last newline (a last line without one), once. */
  takeRest(): string[] {
    const r = this.rest;
    this.rest = '';
    return r ? [r] : [];
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Follows a series' current file across rotations, however many happen between two polls: when the path names a
 * new file, the old one is read to its end, then every archive rotated after it (found by inode while plain, by its
 * first line once gzipped), then the new current file from its start.
 */
export class LogFollower {
  private current: FileFollower;

  constructor(
    private readonly dir: string,
    private readonly series: LogSeries,
  ) {
    this.current = new FileFollower(join(dir, `${series}.log`));
  }

  get inode(): number {
    return this.current.inode;
  }

  async poll(): Promise<string[]> {
    const lines = this.current.poll();
    if (this.current.opened && !this.current.replaced()) return lines;
    lines.push(...this.current.poll(), ...this.current.takeRest());
    const old = this.current;
    const next = new FileFollower(old.path);
    if (!next.opened) return lines; // between rename and reopen: next time
    const archives = listLogFiles(this.dir, this.series).filter((f) => f.rotatedAt !== null);
    // Not found (there was no current file, or retention deleted it): nothing in between is read twice or guessed.
    const from = old.opened ? await indexOf(archives, old) : -1;
    for (const f of from < 0 ? [] : archives.slice(from + 1)) {
      if (f.ino === next.inode) continue;
      for await (const l of archiveLines(f)) lines.push(l);
    }
    old.close();
    this.current = next;
    lines.push(...next.poll());
    return lines;
  }

  close(): void {
    this.current.close();
  }
}

/** Where the file a follower read now sits among the archives (-1: not found, e.g. deleted). */
async function indexOf(archives: LogFile[], old: FileFollower): Promise<number> {
  const byIno = archives.findIndex((f) => !f.compressed && f.ino === old.inode);
  if (byIno >= 0 || old.firstLine === null) return byIno;
  for (let i = archives.length - 1; i >= 0; i--) {
    for await (const l of archiveLines(archives[i]!)) {
      if (l === old.firstLine) return i;
      break;
    }
  }
  return -1;
}

function statIno(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}
