/** One start-up check's outcome: what `webhook-tui doctor` lists and what refuses a start when it fails. */
import type { ErrorCode } from '../errors.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id (`config`, `lock`, `spool`, `hooks`, `http.bind`, `http.port`, `http.token`, `data-dir`). */
  id: string;
  status: CheckStatus;
  message: string;
  /** What to do about a warn or fail (empty for ok). */
  fix: string;
  /** The error code a failing check refuses a start with (exit code from the registry: 2). */
  code?: ErrorCode | undefined;
}

export const ok = (id: string, message: string): CheckResult => ({ id, status: 'ok', message, fix: '' });

export const fail = (id: string, code: ErrorCode, message: string, fix: string): CheckResult => ({
  id,
  status: 'fail',
  message,
  fix,
  code,
});

export const warn = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'warn', message, fix });
