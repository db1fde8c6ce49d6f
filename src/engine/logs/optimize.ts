/**
 * `webhook-tui logs optimize FILE`: the old `log-manager.py --optimize` for logs webhook-tui does not own (the old
 * system's trigger log): gzip it, collapse consecutive repeats, extract important lines beside it. Safe with a
 * file someone appends to: it refuses a file that a process holds open for writing or that is still growing, and
 * it handles writers that append by path (the file is renamed away first, so they create a new one) and lines
 * appended to the renamed file while it works (read too before anything is removed).
 */
import {
  createWriteStream,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import { WhtError } from '../errors.js';
import { levelRank, parseLine } from './format.js';
import { FileFollower } from './reader.js';

export interface OptimizeOptions {
  /** Lines at this level and above go to the important file. @default "warn" */
  importantLevel?: string;
  /** The file must not grow for this long before it is touched, and after it was read. @default 1000 */
  settleMs?: number;
  /** @default 6 */
  gzipLevel?: number;
  now?: () => number;
}

export interface OptimizeResult {
  input: string;
  output: string;
  important: string;
  linesIn: number;
  linesOut: number;
  collapsed: number;
  importantLines: number;
  bytesIn: number;
  bytesOut: number;
  /** Bytes appended to the renamed file while it was being read (included in the output). */
  appendedWhileReading: number;
  /** A writer created FILE again meanwhile (it appends by path): its bytes are left there. */
  recreatedBytes: number;
}

const TEXT_IMPORTANT = /\b(warn(ing)?|err(or)?|fail(ed|ure)?|fatal|crit(ical)?|alert|emerg(ency)?|panic)\b/i;
const PINO_LEVEL: Record<number, string> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** A leading timestamp (ISO, `[...]`, syslog "Mon dd hh:mm:ss") is not part of what makes two text lines equal. */
const LEADING_TIME =
  /^(\[[^\]]*\]\s*|\d{4}-\d\d-\d\d[T ][\d:.,]+(Z|[+-]\d\d:?\d\d)?\s*|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\s*)/;

function lineKey(raw: string): { key: string; important: (min: number) => boolean } {
  const p = parseLine(raw);
  if (p.json) {
    const lv = typeof p.fields.level === 'number' ? (PINO_LEVEL[p.fields.level] ?? 'info') : (p.level ?? 'info');
    return { key: `${lv}\u0000${p.msg}`, important: (min) => levelRank(lv) >= min };
  }
  const body = raw.replace(LEADING_TIME, '');
  return { key: body, important: () => TEXT_IMPORTANT.test(body) };
}

/** PIDs (with their command) that hold `path` open for writing (Linux /proc; empty elsewhere). */
export function writersOf(path: string): Array<{ pid: number; command: string }> {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return [];
  }
  const out: Array<{ pid: number; command: string }> = [];
  for (const pid of readdirSafe('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)) {
    for (const fd of readdirSafe(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== target) continue;
        const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
        if (flags && (parseInt(flags, 8) & 3) !== 0) {
          out.push({ pid: Number(pid), command: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() });
          break;
        }
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function refuseIfBusy(path: string, what: string): void {
  const writers = writersOf(path);
  if (writers.length) {
    const who = writers.map((w) => `${w.pid} (${w.command})`).join(', ');
    throw new WhtError(
      'WHT_ERR_LOG_BUSY',
      `${what} is open for writing by PID ${who}: stop that writer or rotate the file first; nothing was changed`,
      { writers },
    );
  }
}

/** Free output names beside the input: `FILE.gz` and `FILE.important`, or with a time stamp when taken. */
function outputNames(input: string, now: number): { gz: string; important: string } {
  const plain = { gz: `${input}.gz`, important: `${input}.important` };
  if (!existsSync(plain.gz) && !existsSync(plain.important)) return plain;
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return { gz: `${input}.${stamp}.gz`, important: `${input}.${stamp}.important` };
}

async function checkSettled(path: string, settleMs: number, now: () => number): Promise<number> {
  const before = statSync(path);
  if (now() - before.mtimeMs < settleMs) {
    await sleep(settleMs);
    const after = statSync(path);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new WhtError(
        'WHT_ERR_LOG_BUSY',
        `${path} is still growing (${before.size} -> ${after.size} bytes in ${settleMs} ms): stop the writer or rotate the file first; nothing was changed`,
      );
    }
  }
  return before.size;
}

export async function optimizeLog(input: string, o: OptimizeOptions = {}): Promise<OptimizeResult> {
  const now = o.now ?? Date.now;
  const settleMs = o.settleMs ?? 1000;
  const st = lstatSafe(input);
  if (!st?.isFile())
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `${input}: ${st ? 'not a regular file (symlinks are not followed)' : 'no such file'}`,
    );
  if (input.endsWith('.gz')) throw new WhtError('WHT_ERR_CONFIG_INVALID', `${input} is compressed already`);
  refuseIfBusy(input, input);
  const bytesIn = await checkSettled(input, settleMs, now);
  const names = outputNames(input, now());
  // Writers that append by path create a new FILE from here on; nothing they write is lost.
  const work = join(dirname(input), `.${basename(input)}.optimizing-${process.pid}`);
  renameSync(input, work);
  try {
    refuseIfBusy(work, input); // opened for writing between the check and the rename
  } catch (err) {
    renameBack(work, input);
    throw err;
  }
  let result: Rewrite;
  try {
    result = await rewrite(work, input, names, { ...o, settleMs });
  } catch (err) {
    for (const tmp of [`${names.gz}.tmp`, `${names.important}.tmp`]) rmSync(tmp, { force: true });
    renameBack(work, input);
    const where = existsSync(work)
      ? ` (a writer created ${input} again meanwhile; the original lines are in ${work})`
      : '';
    throw new WhtError(
      'WHT_ERR_STORAGE',
      `optimize ${input} failed: ${(err as Error).message}; the file is unchanged${where}`,
      undefined,
      { cause: err },
    );
  }
  return { ...result, bytesIn: Math.max(bytesIn, result.bytesIn), recreatedBytes: lstatSafe(input)?.size ?? 0 };
}

function lstatSafe(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function renameBack(work: string, input: string): void {
  if (existsSync(input)) return; // recreated meanwhile: leave both, say nothing is lost
  renameSync(work, input);
}

type Rewrite = Omit<OptimizeResult, 'recreatedBytes'>;

async function rewrite(
  work: string,
  input: string,
  names: { gz: string; important: string },
  o: OptimizeOptions & { settleMs: number },
): Promise<Rewrite> {
  const min = levelRank(o.importantLevel ?? 'warn');
  const gzTmp = `${names.gz}.tmp`;
  const impTmp = `${names.important}.tmp`;
  const gzip = createGzip({ level: o.gzipLevel ?? 6 });
  const gzOut = createWriteStream(gzTmp, { mode: 0o600 });
  const gzDone = new Promise<void>((resolve, reject) => {
    gzOut.on('finish', resolve).on('error', reject);
    gzip.on('error', reject);
  });
  gzip.pipe(gzOut);
  const impOut = createWriteStream(impTmp, { mode: 0o600 });
  const c = { linesIn: 0, linesOut: 0, collapsed: 0, importantLines: 0, bytesIn: 0 };
  let run: { key: string; count: number; last: string } | null = null;
  const emit = async (stream: NodeJS.WritableStream, line: string) => {
    if (!stream.write(`${line}\n`)) await new Promise((r) => stream.once('drain', r));
  };
  const endRun = async () => {
    if (run && run.count > 0) {
      await emit(gzip, `repeated ${run.count} ${run.count === 1 ? 'time' : 'times'} (last: ${run.last})`);
      c.linesOut += 1;
    }
    run = null;
  };
  const follower = new FileFollower(work, false);
  let appended = 0;
  try {
    let quietSince = Date.now();
    for (let first = true; ; first = false) {
      const lines = follower.poll();
      if (!first && lines.length) {
        appended += lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
        quietSince = Date.now();
      }
      for (const raw of lines) {
        c.linesIn += 1;
        c.bytesIn += Buffer.byteLength(raw) + 1;
        const k = lineKey(raw);
        if (k.important(min)) {
          await emit(impOut, raw);
          c.importantLines += 1;
        }
        if (run && run.key === k.key) {
          run.count += 1;
          run.last = raw;
          c.collapsed += 1;
          continue;
        }
        await endRun();
        await emit(gzip, raw);
        c.linesOut += 1;
        run = { key: k.key, count: 0, last: raw };
      }
      if (Date.now() - quietSince >= o.settleMs && writersOf(work).length === 0) break;
      await sleep(Math.min(100, o.settleMs));
    }
    // The last line may lack its newline: it is read as a line all the same.
    for (const raw of follower.takeRest()) {
      c.linesIn += 1;
      await endRun();
      await emit(gzip, raw);
      c.linesOut += 1;
    }
    await endRun();
  } finally {
    follower.close();
  }
  gzip.end();
  await gzDone;
  await new Promise<void>((resolve, reject) => impOut.end((err?: Error | null) => (err ? reject(err) : resolve())));
  await Promise.all([syncFile(gzTmp), syncFile(impTmp)]);
  renameSync(gzTmp, names.gz);
  renameSync(impTmp, names.important);
  unlinkSync(work);
  return {
    ...c,
    input,
    output: names.gz,
    important: names.important,
    bytesOut: statSync(names.gz).size,
    appendedWhileReading: appended,
  };
}

async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
