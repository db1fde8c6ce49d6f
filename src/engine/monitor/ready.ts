/**
 * `/readyz` from the monitor's health result: ready = the checks the issue names (database writable, tmux server
 * reachable) do not fail. Other checks (disk, targets, event loop) are reported but do not make the engine unready.
 * Wiring (composition root): `ready: async () => readyFromHealth(await monitor.health())`.
 */
import type { HealthResult } from './types.js';

/** The `/readyz` document (the HTTP intake's `ReadyReport`, which it receives through its `ready` dependency). */
export interface ReadyReport {
  ok: boolean;
  checks: Record<string, unknown>;
}

export const READY_CHECKS: readonly string[] = ['database', 'tmux'];

export function readyFromHealth(health: HealthResult, required: readonly string[] = READY_CHECKS): ReadyReport {
  const checks: Record<string, unknown> = {};
  for (const c of health.checks) checks[c.name] = { status: c.status, message: c.message };
  const missing = required.filter((name) => !health.checks.some((c) => c.name === name));
  const failing = health.checks.filter((c) => required.includes(c.name) && c.status === 'fail').map((c) => c.name);
  for (const name of missing) checks[name] = { status: 'fail', message: 'not checked' };
  return { ok: failing.length === 0 && missing.length === 0, checks };
}
