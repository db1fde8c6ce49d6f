import { describe, expect, it } from 'vitest';
import {
  archiveName,
  lastDailyBoundary,
  nextDailyBoundary,
  parseArchiveName,
  planRetention,
  shouldRotate,
  type ArchiveFile,
} from '../../src/engine/logs/policy.js';

/** Local time, like `log.rotateAt`. */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime();
const DAY = 86_400_000;
const policy = { maxBytes: 1000, rotateAt: '02:00' };

describe('shouldRotate', () => {
  const now = local(2026, 3, 10, 12, 0);
  it.each([
    ['an empty file never rotates, even past the boundary', { size: 0, openedAt: now - 5 * DAY }, 5000, null],
    ['a line that fits', { size: 500, openedAt: now - 3_600_000 }, 100, null],
    ['a line that fills the file exactly', { size: 900, openedAt: now - 3_600_000 }, 100, null],
    ['a line that would pass maxBytes', { size: 901, openedAt: now - 3_600_000 }, 100, 'size'],
    ['a file opened before today 02:00', { size: 10, openedAt: local(2026, 3, 10, 1, 59) }, 10, 'daily'],
    ['a file opened at today 02:00', { size: 10, openedAt: local(2026, 3, 10, 2, 0) }, 10, null],
    ['daily wins when both hold', { size: 999, openedAt: local(2026, 3, 9, 3, 0) }, 10, 'daily'],
  ] as const)('%s', (_name, file, lineBytes, want) => {
    expect(shouldRotate(file, lineBytes, now, policy)).toBe(want);
  });

  it('before 02:00 the boundary is yesterday 02:00', () => {
    const early = local(2026, 3, 10, 1, 30);
    expect(shouldRotate({ size: 10, openedAt: local(2026, 3, 9, 2, 30) }, 1, early, policy)).toBeNull();
    expect(shouldRotate({ size: 10, openedAt: local(2026, 3, 9, 1, 30) }, 1, early, policy)).toBe('daily');
  });
});

describe('daily boundaries (local time)', () => {
  it.each([
    [local(2026, 3, 10, 12, 0), '02:00', local(2026, 3, 10, 2, 0), local(2026, 3, 11, 2, 0)],
    [local(2026, 3, 10, 2, 0), '02:00', local(2026, 3, 10, 2, 0), local(2026, 3, 11, 2, 0)],
    [local(2026, 3, 10, 1, 59), '02:00', local(2026, 3, 9, 2, 0), local(2026, 3, 10, 2, 0)],
    [local(2026, 12, 31, 23, 59), '00:00', local(2026, 12, 31, 0, 0), local(2027, 1, 1, 0, 0)],
    [local(2026, 3, 10, 23, 30), '23:45', local(2026, 3, 9, 23, 45), local(2026, 3, 10, 23, 45)],
  ])('at %d with %s: last %d, next %d', (now, at, last, next) => {
    expect(lastDailyBoundary(now, at)).toBe(last);
    expect(nextDailyBoundary(now, at)).toBe(next);
  });

  it('refuses a malformed time of day', () => {
    expect(() => lastDailyBoundary(0, '2:00')).toThrow(/HH:MM/);
    expect(() => lastDailyBoundary(0, '24:00')).toThrow(/HH:MM/);
  });
});

describe('archive names', () => {
  it('round-trips series, UTC second and sequence, plain and gzip', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(archiveName('engine', at + 678)).toBe('engine-20260102-030405.log');
    expect(archiveName('important', at, 3, true)).toBe('important-20260102-030405-3.log.gz');
    expect(parseArchiveName('important-20260102-030405-3.log.gz')).toEqual({
      series: 'important',
      at,
      seq: 3,
      compressed: true,
    });
    expect(parseArchiveName('engine-20260102-030405.log')).toEqual({ series: 'engine', at, seq: 0, compressed: false });
  });

  it.each([
    'engine.log',
    'important.log',
    'engine-20260102-030405.log.gz.tmp',
    'engine-2026012-030405.log',
    'other-20260102-030405.log',
    'engine-20260102-030405.log.bak',
    'notes.txt',
  ])('does not claim %s', (name) => expect(parseArchiveName(name)).toBeNull());
});

describe('planRetention', () => {
  const now = Date.UTC(2026, 5, 30, 12);
  const file = (series: 'engine' | 'important', daysAgo: number, size: number, seq = 0): ArchiveFile => {
    const at = Math.floor((now - daysAgo * DAY) / 1000) * 1000;
    return { series, at, seq, compressed: true, size, name: archiveName(series, at, seq, true) };
  };

  it('deletes archives older than retainDays, keeps the rest', () => {
    const files = [file('engine', 31, 10), file('engine', 29, 10), file('important', 40, 1), file('engine', 1, 10)];
    const plan = planRetention(files, now, { retainDays: 30, maxTotalBytes: 0 });
    expect(plan.delete).toEqual([files[2]!.name, files[0]!.name]);
    expect(plan.keptBytes).toBe(20);
  });

  it('then deletes the oldest engine archives until everything fits maxTotalBytes', () => {
    const files = [
      file('engine', 3, 100),
      file('engine', 2, 100),
      file('engine', 2, 100, 1),
      file('engine', 1, 100),
      file('important', 3, 5),
    ];
    const plan = planRetention(files, now, { retainDays: 30, maxTotalBytes: 250 });
    expect(plan.delete).toEqual([files[0]!.name, files[1]!.name]);
    expect(plan.keptBytes).toBe(205);
  });

  it('keeps important archives until no engine archive is left', () => {
    const files = [file('important', 5, 50), file('important', 4, 50), file('engine', 1, 100)];
    const plan = planRetention(files, now, { retainDays: 0, maxTotalBytes: 60 });
    expect(plan.delete).toEqual([files[2]!.name, files[0]!.name]);
    expect(plan.keptBytes).toBe(50);
  });

  it('with no limits deletes nothing; an exact fit deletes nothing', () => {
    const files = [file('engine', 400, 100), file('engine', 1, 100)];
    expect(planRetention(files, now, { retainDays: 0, maxTotalBytes: 0 }).delete).toEqual([]);
    expect(planRetention(files, now, { retainDays: 0, maxTotalBytes: 200 }).delete).toEqual([]);
  });
});
