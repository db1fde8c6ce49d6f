/**
 * History in SQLite (tables prefixed `monitor_`, in the queue's database).
 * Write-through tiers (RRD style): every raw sample is stored at the finest tier at once; coarser tiers
 * accumulate in memory and are merged into their rows once a minute and on close. Retention per tier plus a hard
 * row cap bound the size. Every statement is a small indexed read or write; no query scans the whole history.
 */
import type { Database, Statement } from 'better-sqlite3';
import { decodeRollup, encodeRollup } from '../monitor/codec.js';
import { bucketStart, downsample, mergeRollups, type Rollup, type Tier } from '../monitor/rollup.js';
import type { AlertTransition, MonitorConfig } from '../monitor/index.js';
import type { HistoryStore } from '../monitor/deps.js';
import { tiersFor } from '../monitor/rollup.js';

/** Append-only migrations for the monitor's own tables (version kept in monitor_schema). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE monitor_rollups (
     res_ms INTEGER NOT NULL,
     at INTEGER NOT NULL,
     data TEXT NOT NULL,
     sketches BLOB NOT NULL,
     PRIMARY KEY (res_ms, at)
   ) WITHOUT ROWID;
   CREATE TABLE monitor_alerts (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     rule TEXT NOT NULL,
     state TEXT NOT NULL,
     severity TEXT NOT NULL,
     value REAL NOT NULL,
     threshold REAL NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX monitor_alerts_at ON monitor_alerts (at);`,
];

export function migrateMonitorTables(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS monitor_schema (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM monitor_schema').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current >= MIGRATIONS.length) return;
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] ?? '');
    db.prepare('DELETE FROM monitor_schema').run();
    db.prepare('INSERT INTO monitor_schema (version) VALUES (?)').run(MIGRATIONS.length);
  })();
}

const ALERTS_KEEP = 1000;

interface RowData {
  data: string;
  sketches: Buffer;
}

export class SqliteHistoryStore implements HistoryStore {
  private readonly upsert: Statement<[number, number, string, Buffer]>;
  private readonly getRow: Statement<[number, number]>;
  private readonly range: Statement<[number, number, number, number]>;
  private readonly insertAlert: Statement<[number, string, string, string, number, number, string]>;
  /** Deltas not yet merged into coarser tiers, per tier index (1..) and bucket start. */
  private pending = new Map<number, Map<number, Rollup[]>>();
  private readonly incremental: boolean;

  constructor(
    private readonly db: Database,
    readonly tiers: readonly Tier[],
    private readonly maxRows: number,
  ) {
    migrateMonitorTables(db);
    this.upsert = db.prepare('INSERT OR REPLACE INTO monitor_rollups (res_ms, at, data, sketches) VALUES (?, ?, ?, ?)');
    this.getRow = db.prepare('SELECT data, sketches FROM monitor_rollups WHERE res_ms = ? AND at = ?');
    this.range = db.prepare(
      'SELECT data, sketches FROM monitor_rollups WHERE res_ms = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?',
    );
    this.insertAlert = db.prepare(
      'INSERT INTO monitor_alerts (at, rule, state, severity, value, threshold, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.incremental = (db.pragma('auto_vacuum', { simple: true }) as number) === 2;
  }

  private write(resMs: number, r: Rollup): void {
    const { data, sketches } = encodeRollup(r);
    this.upsert.run(resMs, r.at, data, sketches);
  }

  /** Store one raw sample (finest tier) and queue it for the coarser tiers. */
  append(sample: Rollup): void {
    const fine = this.tiers[0];
    if (!fine) return;
    this.write(fine.resMs, sample);
    this.tiers.forEach((tier, i) => {
      if (i === 0) return;
      const byBucket = this.pending.get(i) ?? new Map<number, Rollup[]>();
      this.pending.set(i, byBucket);
      const at = bucketStart(sample.at, tier.resMs);
      const list = byBucket.get(at) ?? [];
      list.push(sample);
      byBucket.set(at, list);
    });
  }

  /** Merge queued samples into the coarser tiers' rows (read-modify-write, one transaction). */
  flush(): void {
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    this.db.transaction(() => {
      for (const [i, byBucket] of pending) {
        const tier = this.tiers[i];
        if (!tier) continue;
        for (const [at, parts] of byBucket) {
          const existing = this.getRow.get(tier.resMs, at) as RowData | undefined;
          const all = existing ? [decodeRollup(existing.data, existing.sketches), ...parts] : parts;
          this.write(tier.resMs, mergeRollups(at, tier.resMs, all));
        }
      }
    })();
  }

  /** Delete rows past each tier's retention, then the oldest finest rows above the row cap. Returns rows deleted. */
  prune(now: number): number {
    let deleted = 0;
    this.db.transaction(() => {
      for (const t of this.tiers) {
        deleted += this.db
          .prepare('DELETE FROM monitor_rollups WHERE res_ms = ? AND at < ?')
          .run(t.resMs, now - t.keepMs).changes;
      }
      let total = (this.db.prepare('SELECT count(*) AS n FROM monitor_rollups').get() as { n: number }).n;
      for (const t of this.tiers) {
        if (total <= this.maxRows) break;
        const r = this.db
          .prepare(
            'DELETE FROM monitor_rollups WHERE res_ms = ? AND at IN (SELECT at FROM monitor_rollups WHERE res_ms = ? ORDER BY at LIMIT ?)',
          )
          .run(t.resMs, t.resMs, total - this.maxRows);
        total -= r.changes;
        deleted += r.changes;
      }
      const alerts = this.db
        .prepare('DELETE FROM monitor_alerts WHERE id <= (SELECT max(id) FROM monitor_alerts) - ?')
        .run(ALERTS_KEEP);
      deleted += alerts.changes;
    })();
    if (deleted > 0 && this.incremental) this.db.pragma('incremental_vacuum(256)');
    return deleted;
  }

  rowCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM monitor_rollups').get() as { n: number }).n;
  }

  /** Rows of one tier starting in [since, until), plus not-yet-flushed deltas for that tier. */
  read(tierIndex: number, sinceMs: number, untilMs: number, limit = 100_000): Rollup[] {
    const tier = this.tiers[tierIndex];
    if (!tier) return [];
    const rows = (this.range.all(tier.resMs, sinceMs, untilMs, limit) as RowData[]).map((r) =>
      decodeRollup(r.data, r.sketches),
    );
    const deltas = [...(this.pending.get(tierIndex)?.values() ?? [])]
      .flat()
      .filter((r) => r.at >= sinceMs && r.at < untilMs);
    return deltas.length === 0 ? rows : downsample([...rows, ...deltas], tier.resMs);
  }

  /** TierReader by resolution (for history-query). */
  readonly reader = (resMs: number, sinceMs: number, untilMs: number): Rollup[] => {
    const i = this.tiers.findIndex((t) => t.resMs === resMs);
    return i < 0 ? [] : this.read(i, sinceMs, untilMs);
  };

  recordTransition(t: AlertTransition): void {
    this.insertAlert.run(t.at, t.rule, t.state, t.severity, t.value, t.threshold, t.message);
  }

  transitions(limit: number): AlertTransition[] {
    return this.db
      .prepare(
        'SELECT at, rule, state, severity, value, threshold, message FROM monitor_alerts ORDER BY id DESC LIMIT ?',
      )
      .all(limit) as AlertTransition[];
  }
}

/** The monitor's history on the queue's database, with the tiers and row cap of the monitor config. */
export function openHistoryStore(db: Database, config: MonitorConfig): SqliteHistoryStore {
  return new SqliteHistoryStore(db, tiersFor(config.sampleMs, config.retentionDays), config.maxRows);
}
