/**
 * Rotation and retention policy: pure functions of the file state and `now` (epoch ms), table-tested.
 * Names the log manager makes: `<base>.log` (current), `<base>-YYYYMMDD-HHMMSS[-N].log` (rotated, UTC time of the
 * rotation, N when several rotations fall in one second) and the same with `.gz` once compressed. Retention only
 * ever looks at names that parse here.
 */

export type LogSeries = 'engine' | 'important';
export const LOG_SERIES: readonly LogSeries[] = ['engine', 'important'];

export interface RotationPolicy {
  /** Rotate before a line would make the file larger than this (a single larger line gets a file of its own). */
  maxBytes: number;
  /** Local time of day "HH:MM" of the daily rotation. */
  rotateAt: string;
}

export interface OpenFileState {
  /** Bytes in the current file. */
  size: number;
  /** When the current file got its first line (epoch ms). */
  openedAt: number;
}

export type RotateReason = 'size' | 'daily';

/** The most recent daily boundary at or before `now` (local time). */
export function lastDailyBoundary(now: number, rotateAt: string): number {
  const [h, m] = parseTimeOfDay(rotateAt);
  const d = new Date(now);
  const boundary = new Date(d.getFullYear(), d.getMonth(), d.getDate(), h, m, 0, 0);
  if (boundary.getTime() > now) boundary.setDate(boundary.getDate() - 1);
  return boundary.getTime();
}

/** The next daily boundary strictly after `now` (local time). */
export function nextDailyBoundary(now: number, rotateAt: string): number {
  const [h, m] = parseTimeOfDay(rotateAt);
  const d = new Date(now);
  const boundary = new Date(d.getFullYear(), d.getMonth(), d.getDate(), h, m, 0, 0);
  if (boundary.getTime() <= now) boundary.setDate(boundary.getDate() + 1);
  return boundary.getTime();
}

export function parseTimeOfDay(hhmm: string): [number, number] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`time of day must be HH:MM (got ${JSON.stringify(hhmm)})`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Whether to rotate before writing a line of `lineBytes` bytes at `now`. An empty file is never rotated (a line
 * bigger than maxBytes goes into a file of its own). Daily wins over size when both hold.
 */
export function shouldRotate(
  file: OpenFileState,
  lineBytes: number,
  now: number,
  policy: RotationPolicy,
): RotateReason | null {
  if (file.size === 0) return null;
  if (file.openedAt < lastDailyBoundary(now, policy.rotateAt)) return 'daily';
  if (file.size + lineBytes > policy.maxBytes) return 'size';
  return null;
}

export interface ArchiveName {
  series: LogSeries;
  /** Rotation time, epoch ms (UTC, second resolution). */
  at: number;
  seq: number;
  compressed: boolean;
}

const ARCHIVE_RE = /^(engine|important)-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-(\d{1,6}))?\.log(\.gz)?$/;
/** Temporary output of a compression in progress; a crash can leave one; removed at start, never read. */
export const PARTIAL_RE = /^(engine|important)-\d{8}-\d{6}(?:-\d{1,6})?\.log\.gz\.tmp$/;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function archiveName(series: LogSeries, at: number, seq = 0, compressed = false): string {
  const d = new Date(at);
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${series}-${stamp}${seq ? `-${seq}` : ''}.log${compressed ? '.gz' : ''}`;
}

export function parseArchiveName(name: string): ArchiveName | null {
  const m = ARCHIVE_RE.exec(name);
  if (!m) return null;
  const at = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
  if (Number.isNaN(at)) return null;
  return { series: m[1] as LogSeries, at, seq: m[8] ? Number(m[8]) : 0, compressed: m[9] === '.gz' };
}

/** Oldest first: rotation time, then sequence number. */
export function compareArchives(a: ArchiveName, b: ArchiveName): number {
  return a.at - b.at || a.seq - b.seq;
}

export interface ArchiveFile extends ArchiveName {
  name: string;
  size: number;
}

export interface RetentionPolicy {
  /** Archives rotated more than this many days ago are deleted; 0 = no age limit. */
  retainDays: number;
  /** All archives together at most this many bytes; 0 = no limit. */
  maxTotalBytes: number;
}

export interface RetentionPlan {
  /** Names to delete, in deletion order. */
  delete: string[];
  /** Bytes the remaining archives take. */
  keptBytes: number;
}

/**
 * Which archives to delete: first every archive older than retainDays, then the oldest engine archives until all
 * archives fit maxTotalBytes, and only when no engine archive is left, the oldest important ones (they are small and
 * are what one wants to keep longest).
 */
export function planRetention(files: readonly ArchiveFile[], now: number, policy: RetentionPolicy): RetentionPlan {
  const cutoff = policy.retainDays > 0 ? now - policy.retainDays * 86_400_000 : -Infinity;
  const del: string[] = [];
  const kept: ArchiveFile[] = [];
  for (const f of [...files].sort(compareArchives)) {
    if (f.at < cutoff) del.push(f.name);
    else kept.push(f);
  }
  let total = kept.reduce((s, f) => s + f.size, 0);
  if (policy.maxTotalBytes > 0) {
    for (const series of LOG_SERIES) {
      for (const f of kept.filter((k) => k.series === series)) {
        if (total <= policy.maxTotalBytes) break;
        del.push(f.name);
        total -= f.size;
      }
    }
  }
  return { delete: del, keptBytes: total };
}
