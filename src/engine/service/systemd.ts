/**
 * The systemd side of `service`: where the user unit lives, whether systemd runs, and `systemctl --user` /
 * `journalctl --user` run as child processes (argv only, never a shell).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../config/resolve.js';
import { UNIT_NAME } from './unit.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  error?: string;
}

export function userUnitDir(env: Env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'systemd', 'user');
}

export function unitPath(env: Env): string {
  return join(userUnitDir(env), UNIT_NAME);
}

/**
 * systemd is PID 1 when /run/systemd/system exists (sd_booted(3)). `WEBHOOK_TUI_SYSTEMD_PROBE` names another path to
 * look at instead: tests use it together with a stand-in `systemctl` on PATH.
 */
export function systemdRunning(env: Env): boolean {
  return existsSync(env.WEBHOOK_TUI_SYSTEMD_PROBE || '/run/systemd/system');
}

/** `loginctl enable-linger` was run for this user: the user manager (and the service) runs without a login. */
export function lingerEnabled(user = userInfo().username): boolean {
  return existsSync(join('/var/lib/systemd/linger', user));
}

export function run(program: string, args: readonly string[], timeoutMs = 30_000): RunResult {
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error)
    return { code: null, stdout: '', stderr: '', error: (r.error as NodeJS.ErrnoException).code ?? r.error.message };
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function systemctl(...args: string[]): RunResult {
  return run('systemctl', ['--user', ...args]);
}

/** `systemctl --user is-enabled/is-active` of the unit, as systemd words them ("enabled", "active", ...). */
export function unitState(): { enabled: string; active: string } {
  const word = (r: RunResult) => (r.error ? 'unknown' : r.stdout.trim() || 'unknown');
  return { enabled: word(systemctl('is-enabled', UNIT_NAME)), active: word(systemctl('is-active', UNIT_NAME)) };
}

/** `journalctl --user -u webhook-tui.service`, its output straight to ours; resolves with its exit code. */
export function journal(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('journalctl', ['--user', '-u', UNIT_NAME, ...args], { stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
