/**
 * Preflight: every check that can refuse a start, run before the engine touches tmux, the spool or the queue.
 * `runPreflight` returns every result (for `webhook-tui doctor`); `refusal` turns the first failure into the
 * WhtError a refused start exits with (exit code 2 from the error registry).
 */
import type { Config } from '../config/schema.js';
import { WhtError } from '../errors.js';
import type { CheckResult } from './check.js';
import {
  checkDataDir,
  checkHooks,
  checkHttpBind,
  checkHttpPort,
  checkHttpToken,
  checkLock,
  checkSpool,
} from './checks.js';
import { checkClusterSecret } from './cluster-checks.js';

export { fail, ok, warn, type CheckResult, type CheckStatus } from './check.js';
export {
  checkDataDir,
  checkHooks,
  checkHttpBind,
  checkHttpPort,
  checkHttpToken,
  checkLock,
  checkSpool,
} from './checks.js';

/** The config itself is checked by resolveConfig (it throws naming every bad key); these follow, in this order. */
export async function runPreflight(config: Config): Promise<CheckResult[]> {
  const hooks = checkHooks(config);
  const { hooks: resolved, ...hooksResult } = hooks;
  return [
    checkDataDir(config),
    checkLock(config),
    checkSpool(config),
    hooksResult,
    checkHttpBind(config, resolved),
    await checkHttpToken(config),
    await checkHttpPort(config),
    ...[checkClusterSecret(config.cluster)].filter((r) => r !== null),
  ];
}

/** The error a start is refused with: the first failing check (its message and fix), or undefined when none fails. */
export function refusal(results: readonly CheckResult[]): WhtError | undefined {
  const failed = results.filter((r) => r.status === 'fail');
  const first = failed[0];
  if (!first) return undefined;
  const more =
    failed.length > 1
      ? ` (and ${failed.length - 1} more: ${failed
          .slice(1)
          .map((r) => r.id)
          .join(', ')})`
      : '';
  return new WhtError(first.code ?? 'WHT_ERR_CONFIG_INVALID', `${first.message}; ${first.fix}${more}`, {
    check: first.id,
    failed: failed.map((r) => r.id),
  });
}
