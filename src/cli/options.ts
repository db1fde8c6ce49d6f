/** Option values the CLI parses itself, so a bad one is a usage error (exit 2) that names the flag and the value. */
import { WhtError } from '../engine/errors.js';

/** A whole number in [min, max]; `abc`, `2.5`, `0` for a positive range are refused with what was given. */
export function intOption(flag: string, raw: unknown, min: number, max: number): number {
  const text = String(raw).trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `${flag} must be a whole number from ${min} to ${max} (got ${String(raw)})`,
    );
  }
  return n;
}
