import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PARTIAL_RE, parseArchiveName, planRetention, type ArchiveFile, type RetentionPolicy } from './policy.js';

/**
 * gzip one rotated file off the event loop (zlib runs on the libuv thread pool): write `<name>.gz.tmp`, flush it to
 * disk, rename it to `<name>.gz`, then remove the plain file. A crash at any point leaves the plain file (compressed
 * at the next start) and at most a `.gz.tmp`, which is deleted, never read.
 */
export async function gzipFile(src: string, level: number): Promise<string> {
  const dst = `${src}.gz`;
  const tmp = `${dst}.tmp`;
  await pipeline(createReadStream(src), createGzip({ level }), createWriteStream(tmp, { mode: 0o600 }));
  const fh = await open(tmp, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
  const st = await stat(src);
  await utimes(tmp, st.atime, st.mtime);
  await rename(tmp, dst);
  await unlink(src);
  return dst;
}

/** Archives (names this manager makes) in `dir`, with their sizes. */
export async function scanArchives(dir: string): Promise<ArchiveFile[]> {
  const out: ArchiveFile[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const parsed = parseArchiveName(name);
    if (!parsed) continue;
    const st = await stat(join(dir, name)).catch(() => null);
    if (st?.isFile()) out.push({ ...parsed, name, size: st.size });
  }
  return out;
}

/** Delete what `planRetention` says; returns the names deleted. */
export async function enforceRetention(dir: string, now: number, policy: RetentionPolicy): Promise<string[]> {
  const plan = planRetention(await scanArchives(dir), now, policy);
  const deleted: string[] = [];
  for (const name of plan.delete) {
    await unlink(join(dir, name)).then(
      () => deleted.push(name),
      () => {},
    );
  }
  return deleted;
}

/**
 * After a crash: remove partial `.gz.tmp` outputs, and return the plain rotated files still to compress (a plain
 * file whose `.gz` exists was compressed completely: the plain copy is removed).
 */
export async function recoverArchives(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const present = new Set(names);
  const todo: string[] = [];
  for (const name of names) {
    if (PARTIAL_RE.test(name)) {
      await unlink(join(dir, name)).catch(() => {});
      continue;
    }
    const parsed = parseArchiveName(name);
    if (!parsed || parsed.compressed) continue;
    if (present.has(`${name}.gz`)) await unlink(join(dir, name)).catch(() => {});
    else todo.push(join(dir, name));
  }
  return todo.sort();
}

/** Compresses rotated files one at a time, in order, then calls `after` (retention) once the queue is empty. */
export class Compressor {
  private readonly queue: string[] = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly o: { level: number; onError: (path: string, err: Error) => void; after: () => Promise<void> },
  ) {}

  add(path: string): void {
    if (this.closed) return;
    this.queue.push(path);
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once everything queued so far is compressed (and retention ran). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stop taking work; what is queued is finished (a file not compressed now is at the next start). */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (let path = this.queue.shift(); path !== undefined; path = this.queue.shift()) {
      await gzipFile(path, this.o.level).catch((err: Error) => this.o.onError(path!, err));
    }
    await this.o.after().catch(() => {});
  }
}
