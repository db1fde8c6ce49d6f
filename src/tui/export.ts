/** `e` export: the current snapshot as JSON plus its tasks (pending and dead) as CSV. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineSnapshot, Task } from '../engine/types.js';

const CSV_COLUMNS = [
  'id',
  'state',
  'target',
  'priority',
  'category',
  'source',
  'attempts',
  'receivedAt',
  'committedAt',
  'startedAt',
  'deliveredAt',
  'finishedAt',
  'lastError',
  'text',
] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote always-dangerous cells; neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function taskRow(t: Task): string {
  const last = t.errors[t.errors.length - 1];
  const iso = (at: number | null): string => (at === null ? '' : new Date(at).toISOString());
  const values = [
    t.id,
    t.state,
    t.target,
    t.priority,
    t.category,
    t.source,
    t.attempts,
    iso(t.receivedAt),
    iso(t.committedAt),
    iso(t.startedAt),
    iso(t.deliveredAt),
    iso(t.finishedAt),
    last ? `${last.code}: ${last.message}` : '',
    t.text,
  ];
  return values.map(csvCell).join(',');
}

/** CSV of the snapshot's pending and dead tasks (RFC 4180, header row). */
export function snapshotCsv(s: EngineSnapshot): string {
  return [CSV_COLUMNS.join(','), ...s.pending.map(taskRow), ...s.dead.map(taskRow)].join('\r\n') + '\r\n';
}

/** File stem for an export taken at `now`: webhook-tui-snapshot-20261126T223000Z. */
export function exportStem(now: number): string {
  return `webhook-tui-snapshot-${new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export async function exportSnapshot(
  dir: string,
  snapshot: EngineSnapshot,
  now: number,
): Promise<{ json: string; csv: string }> {
  await mkdir(dir, { recursive: true });
  const stem = path.join(dir, exportStem(now));
  const json = `${stem}.json`;
  const csv = `${stem}.csv`;
  await writeFile(json, JSON.stringify(snapshot, null, 2) + '\n', { mode: 0o600 });
  await writeFile(csv, snapshotCsv(snapshot), { mode: 0o600 });
  return { json, csv };
}
