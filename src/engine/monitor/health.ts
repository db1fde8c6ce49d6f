/**
 * Health checks. Each check is a function of the engine-supplied deps; a throw, a rejection or a timeout is a
 * `fail`. `aggregateHealth` is pure: any critical fail → UNHEALTHY, any other non-pass → DEGRADED.
 */
import { diskUsage } from './resources.js';
import type { CheckStatus, HealthCheckDeps, HealthCheckResult, HealthResult } from './types.js';

export interface HealthOptions {
  now: () => number;
  /** Disk free below this percent: warn; below half of it: fail (critical). */
  diskFreePercent: number;
  /** Event-loop delay P99 above this: warn. */
  eventLoopDelayMs: number;
  /** Latest event-loop delay P99 (from the resource sampler). */
  eventLoopP99Ms: () => number;
  /** Per check. @default 5000 */
  timeoutMs?: number | undefined;
}

export function aggregateHealth(checks: HealthCheckResult[], at: number): HealthResult {
  const failing = checks.filter((c) => c.status !== 'pass').map((c) => c.name);
  const unhealthy = checks.some((c) => c.status === 'fail' && c.critical);
  return { at, status: unhealthy ? 'UNHEALTHY' : failing.length > 0 ? 'DEGRADED' : 'HEALTHY', checks, failing };
}

function withTimeout<T>(p: Promise<T> | T, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([Promise.resolve(p), timeout]).finally(() => clearTimeout(timer));
}

const check = (name: string, status: CheckStatus, message: string, critical: boolean): HealthCheckResult => ({
  name,
  status,
  message,
  critical,
});
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function safe(
  name: string,
  critical: boolean,
  ms: number,
  run: () => Promise<HealthCheckResult[]>,
): Promise<HealthCheckResult[]> {
  try {
    return await withTimeout(run(), ms, name);
  } catch (e) {
    return [check(name, 'fail', errText(e), critical)];
  }
}

export async function runHealthChecks(deps: HealthCheckDeps, opts: HealthOptions): Promise<HealthResult> {
  const ms = opts.timeoutMs ?? 5000;
  const groups = await Promise.all([
    safe('database', true, ms, async () => {
      const r = await deps.dbWritable();
      const { ok, message } = typeof r === 'boolean' ? { ok: r, message: undefined } : r;
      return [check('database', ok ? 'pass' : 'fail', message ?? (ok ? 'writable' : 'not writable'), true)];
    }),
    safe('spool', true, ms, async () => {
      const r = await deps.spoolOk();
      return [
        check(
          'spool',
          r.ok ? 'pass' : 'fail',
          r.message ?? (r.ok ? 'present, safe permissions' : 'unsafe or missing'),
          true,
        ),
      ];
    }),
    safe('tmux', true, ms, async () => {
      const ok = await deps.tmuxReachable();
      return [check('tmux', ok ? 'pass' : 'fail', ok ? 'server reachable' : 'server not reachable', true)];
    }),
    safe('targets', false, ms, async () =>
      (await deps.targets()).map((t) =>
        t.present
          ? check(`target:${t.name}`, 'pass', `${t.pane} present, ${t.state}${t.reason ? `: ${t.reason}` : ''}`, false)
          : check(`target:${t.name}`, 'fail', `${t.pane} missing`, false),
      ),
    ),
    ...[...new Set(deps.dataDirs)].map((dir) =>
      safe(`disk:${dir}`, true, ms, async () => {
        const d = await diskUsage(dir);
        const status: CheckStatus =
          d.freePercent < opts.diskFreePercent / 2 ? 'fail' : d.freePercent < opts.diskFreePercent ? 'warn' : 'pass';
        return [
          check(
            `disk:${dir}`,
            status,
            `${d.freePercent.toFixed(1)}% free (${Math.round(d.freeBytes / 1048576)} MiB)`,
            true,
          ),
        ];
      }),
    ),
    ...(deps.cluster ? [safe('cluster', false, ms, async () => deps.cluster!())] : []),
    safe('event-loop', false, ms, async () => {
      const p99 = opts.eventLoopP99Ms();
      const ok = p99 <= opts.eventLoopDelayMs;
      return [
        check(
          'event-loop',
          ok ? 'pass' : 'warn',
          `delay P99 ${p99.toFixed(1)} ms${ok ? '' : ` > ${opts.eventLoopDelayMs} ms`}`,
          false,
        ),
      ];
    }),
  ]);
  return aggregateHealth(groups.flat(), opts.now());
}
