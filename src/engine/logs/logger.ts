import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogEntry, LogLevel } from '../types.js';
import { loggerFrom, type Logger } from '../ports/logger.js';
import { systemClock, type Clock } from '../ports/clock.js';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  path: string | null;
  level: LogLevel;
  /** Stamps entries (integer epoch ms). @default systemClock */
  clock?: Clock | undefined;
  /** Called for every entry at or above the level (the engine re-emits them as `log` events). */
  onEntry?: (entry: LogEntry) => void;
}

/**
 * JSON-lines logger. Writes are synchronous appends (small, rare on the hot path: one line per delivery at most
 * at debug level). Rotation is handled by the logs component.
 */
export function createFileLogger(opts: FileLoggerOptions): Logger {
  if (opts.path) mkdirSync(dirname(opts.path), { recursive: true, mode: 0o700 });
  return loggerFrom((level, msg, fields) => {
    if (LEVELS[level] < LEVELS[opts.level]) return;
    const entry: LogEntry = { at: Math.floor((opts.clock ?? systemClock).now()), level, msg, ...fields };
    if (opts.path) {
      try {
        appendFileSync(opts.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      } catch { /* a full disk must not stop delivery */ }
    }
    opts.onEntry?.(entry);
  });
}
