import { closeSync, openSync, readSync } from 'node:fs';
import { parseLine } from './format.js';
import { LOG_SERIES } from './policy.js';
import { fileLines, listLogFiles, type LogFile } from './reader.js';

export interface LogFileStats {
  name: string;
  series: string;
  kind: 'current' | 'rotated' | 'archive';
  bytes: number;
  /** Bytes of the text (for `.gz`: from the gzip trailer). */
  uncompressedBytes: number;
  /** uncompressed / bytes on disk (1 for plain files). */
  ratio: number;
}

export interface LogStats {
  dir: string;
  files: LogFileStats[];
  bytes: number;
  uncompressedBytes: number;
  ratio: number;
  /** ISO times of the oldest and newest entry of engine.log and its archives (null: no entry). */
  oldest: string | null;
  newest: string | null;
  /** Uncompressed bytes per day over the span from oldest to newest entry (at least one day). */
  bytesPerDay: number;
  /** Uncompressed bytes of engine archives by UTC day of their rotation, and the current file under today. */
  perDay: Record<string, number>;
}

/** Size of the text in a single-member gzip file: the ISIZE trailer (mod 2^32; log archives are far smaller). */
export function gzipTextSize(path: string, size: number): number {
  if (size < 18) return 0;
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, size - 4);
    return b.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

async function firstTime(f: LogFile): Promise<number | null> {
  for await (const raw of fileLines(f.path, f.compressed)) {
    const at = parseLine(raw).at;
    if (at !== null) return at;
  }
  return null;
}

/** The time of the last line of a file (plain: read from the end; gzip: read through). */
async function lastTime(f: LogFile): Promise<number | null> {
  if (!f.compressed) {
    const fd = openSync(f.path, 'r');
    try {
      const len = Math.min(f.size, 1 << 16);
      const b = Buffer.alloc(len);
      readSync(fd, b, 0, len, f.size - len);
      const lines = b
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      for (let i = lines.length - 1; i >= 0; i--) {
        const at = parseLine(lines[i]!).at;
        if (at !== null) return at;
      }
      return null;
    } finally {
      closeSync(fd);
    }
  }
  let last: number | null = null;
  for await (const raw of fileLines(f.path, true)) last = parseLine(raw).at ?? last;
  return last;
}

export async function logStats(dir: string, now = Date.now()): Promise<LogStats> {
  const files: LogFileStats[] = [];
  const perDay: Record<string, number> = {};
  for (const series of LOG_SERIES) {
    for (const f of listLogFiles(dir, series)) {
      const text = f.compressed ? gzipTextSize(f.path, f.size) : f.size;
      files.push({
        name: f.name,
        series,
        kind: f.rotatedAt === null ? 'current' : f.compressed ? 'archive' : 'rotated',
        bytes: f.size,
        uncompressedBytes: text,
        ratio: f.size ? round(text / f.size) : 1,
      });
      if (series === 'engine') {
        const day = new Date(f.rotatedAt ?? now).toISOString().slice(0, 10);
        perDay[day] = (perDay[day] ?? 0) + text;
      }
    }
  }
  const engine = listLogFiles(dir, 'engine').filter((f) => f.size > 0);
  const oldest = engine.length ? await firstTime(engine[0]!) : null;
  const newest = engine.length ? await lastTime(engine.at(-1)!) : null;
  const bytes = files.reduce((s, f) => s + f.bytes, 0);
  const uncompressedBytes = files.reduce((s, f) => s + f.uncompressedBytes, 0);
  const engineText = files.filter((f) => f.series === 'engine').reduce((s, f) => s + f.uncompressedBytes, 0);
  const days = oldest !== null && newest !== null ? Math.max(1, (newest - oldest) / 86_400_000) : 1;
  return {
    dir,
    files,
    bytes,
    uncompressedBytes,
    ratio: bytes ? round(uncompressedBytes / bytes) : 1,
    oldest: oldest === null ? null : new Date(oldest).toISOString(),
    newest: newest === null ? null : new Date(newest).toISOString(),
    bytesPerDay: Math.round(engineText / days),
    perDay,
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;

const human = (n: number): string =>
  n < 1024
    ? `${n} B`
    : n < 1 << 20
      ? `${(n / 1024).toFixed(1)} KiB`
      : n < 1 << 30
        ? `${(n / (1 << 20)).toFixed(1)} MiB`
        : `${(n / (1 << 30)).toFixed(2)} GiB`;

export function formatLogStats(s: LogStats): string {
  const rows = s.files.map(
    (f) =>
      `  ${f.name.padEnd(38)} ${f.kind.padEnd(8)} ${human(f.bytes).padStart(10)}${f.kind === 'archive' ? `  (${human(f.uncompressedBytes)}, ${f.ratio}x)` : ''}`,
  );
  return [
    `log dir:    ${s.dir}`,
    `files:      ${s.files.length}, ${human(s.bytes)} on disk, ${human(s.uncompressedBytes)} of text (${s.ratio}x)`,
    `entries:    ${s.oldest ?? '-'} .. ${s.newest ?? '-'}`,
    `per day:    ${human(s.bytesPerDay)} (engine.log, uncompressed)`,
    ...rows,
  ].join('\n');
}
