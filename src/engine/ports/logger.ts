import type { LogLevel } from '../task.js';

/** Structured logger port. The engine's logger writes JSON lines to the log file and emits `log` events. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function loggerFrom(sink: LogSink): Logger {
  return {
    debug: (msg, fields) => sink('debug', msg, fields),
    info: (msg, fields) => sink('info', msg, fields),
    warn: (msg, fields) => sink('warn', msg, fields),
    error: (msg, fields) => sink('error', msg, fields),
  };
}

export const silentLogger: Logger = loggerFrom(() => {});
