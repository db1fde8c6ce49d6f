import { describe, expect, it } from 'vitest';
import { readyFromHealth } from '../../src/engine/monitor/ready.js';
import type { HealthCheckResult, HealthResult } from '../../src/engine/monitor/types.js';

const check = (name: string, status: HealthCheckResult['status']): HealthCheckResult => ({
  name,
  status,
  message: `${name} ${status}`,
  critical: true,
});
const health = (...checks: HealthCheckResult[]): HealthResult => ({ at: 0, status: 'HEALTHY', checks, failing: [] });

describe('readyFromHealth', () => {
  it('is ready when database and tmux pass, whatever the other checks say', () => {
    const r = readyFromHealth(health(check('database', 'pass'), check('tmux', 'warn'), check('disk:/', 'fail')));
    expect(r.ok).toBe(true);
    expect(r.checks['disk:/']).toEqual({ status: 'fail', message: 'disk:/ fail' });
  });

  it('is not ready when the database or tmux check fails, or is missing', () => {
    expect(readyFromHealth(health(check('database', 'fail'), check('tmux', 'pass'))).ok).toBe(false);
    expect(readyFromHealth(health(check('database', 'pass'), check('tmux', 'fail'))).ok).toBe(false);
    const r = readyFromHealth(health(check('database', 'pass')));
    expect(r).toMatchObject({ ok: false, checks: { tmux: { status: 'fail', message: 'not checked' } } });
  });
});
