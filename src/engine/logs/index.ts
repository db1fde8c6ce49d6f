/** The log manager's surface for the engine and the CLI. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogConfig } from './config.js';
import { PromWriter } from '../monitor/prometheus.js';
import type { Clock } from '../ports/clock.js';
import type { LogEntry } from '../task.js';
import { formatLine, readableLine } from './format.js';
import { LEVEL_RANK, LogManager, type LogStatus } from './manager.js';

export { LogManager, type LogStatus } from './manager.js';
export { TaskEventLog } from './task-events.js';

export interface EngineLogOptions {
  logPath: string;
  clock: Clock;
  /** serve: lines at log.stderrLevel and above also go here, readable (stderr, for journald). */
  echo?: ((line: string) => void) | undefined;
  /** Every entry (the engine's `log` events). */
  emit: (entry: LogEntry) => void;
}

/** The engine's log manager: `<dataDir>/logs/engine.log` and friends, from `config.log`. */
export function createEngineLog(config: { log: LogConfig }, o: EngineLogOptions): LogManager {
  const echoRank = o.echo && config.log.stderrLevel !== 'off' ? LEVEL_RANK[config.log.stderrLevel] : Infinity;
  const echo = o.echo;
  return new LogManager({
    dir: dirname(o.logPath),
    config: config.log,
    clock: o.clock,
    onEntry: (entry) => {
      if (echo && LEVEL_RANK[entry.level] >= echoRank) {
        const { at, level, msg, ...fields } = entry;
        echo(readableLine({ at, level, msg, fields, raw: '', json: true }));
      }
      o.emit(entry);
    },
    // While engine.log cannot be written, its lines go to stderr (those not echoed there already).
    fallback: (line, level) => {
      if (LEVEL_RANK[level] < echoRank) process.stderr.write(line);
    },
  });
}

/** `webhook_tui_log_dropped_total` and friends, appended to /metrics. */
export function formatLogMetrics(s: LogStatus | undefined): string {
  if (!s) return '';
  return new PromWriter()
    .family(
      'webhook_tui_log_dropped_total',
      'counter',
      'Log lines that could not be written to their file (disk full, read-only), since start.',
      [[{}, s.dropped]],
    )
    .family('webhook_tui_log_writable', 'gauge', '1 while every log file can be written.', [[{}, s.failing ? 0 : 1]])
    .family('webhook_tui_log_rotations_total', 'counter', 'Log file rotations since start.', [[{}, s.rotations]])
    .text();
}

/** One status line for `webhook-tui status`. */
export function formatLogStatus(s: LogStatus): string {
  const state = s.failing ? `NOT WRITABLE (${s.lastError ?? 'error'})` : 'ok';
  return `logs:       ${s.dir} (${s.level}), ${state}, ${s.dropped} line(s) dropped`;
}

/**
 * The engine could not start (another engine owns the data dir, the port is taken, ...): one `error` line in
 * engine.log saying why, written directly (an append of one whole line, safe beside a running engine's writes).
 */
export function recordStartFailure(config: { log: LogConfig }, logPath: string, err: unknown): void {
  if (config.log.level === 'off') return;
  const e = err as { code?: unknown; message?: unknown };
  const line = formatLine({
    at: Date.now(),
    level: 'error',
    msg: 'engine refused to start',
    code: typeof e?.code === 'string' ? e.code : 'error',
    error: String(e?.message ?? err),
  });
  try {
    mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
    appendFileSync(logPath, line, { mode: 0o600 });
  } catch {
    /* nowhere to write: the CLI prints the error anyway */
  }
}
