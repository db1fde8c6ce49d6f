/** doctor, groups "engine" and "service": the running engine, the HTTP port it holds, the systemd user unit. */
import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { dataPaths } from '../engine.js';
import { lockHolder } from '../lock.js';
import { probeEngine, type EngineInfo } from '../service/process.js';
import { lingerEnabled, systemdRunning, unitPath, unitState } from '../service/systemd.js';
import { parseExecStart, UNIT_NAME } from '../service/unit.js';
import { VERSION } from '../version.js';
import { fail, ok, warn, type CheckResult } from './check.js';

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

export async function engineInfo(config: Config): Promise<EngineInfo | null> {
  return probeEngine(config.dataDir);
}

export function checkEngine(config: Config, info: EngineInfo | null, now = Date.now()): CheckResult {
  const paths = dataPaths(config.dataDir);
  if (info) {
    const text = `running: PID ${info.pid}, version ${info.version}, up ${age(now - info.startedAt)}, answers on ${paths.socket}`;
    if (info.version !== VERSION)
      return warn('engine', `${text}; this CLI is ${VERSION}`, 'webhook-tui restart (runs this version)');
    return ok('engine', text);
  }
  const holder = lockHolder(paths.lock);
  if (holder !== null) {
    return fail(
      'engine',
      'WHT_ERR_ENGINE_UNREACHABLE',
      `PID ${holder} holds the engine lock but does not answer on ${paths.socket}`,
      `webhook-tui stop (or kill ${holder}); a hung engine releases the lock when it exits`,
    );
  }
  return ok('engine', 'not running (webhook-tui start starts it)');
}

/** With our engine running, the port and lock are its own: say so instead of "in use". */
export function heldByEngine(config: Config, info: EngineInfo): CheckResult[] {
  const url = (() => {
    try {
      return readFileSync(dataPaths(config.dataDir).httpUrl, 'utf8').trim();
    } catch {
      return null;
    }
  })();
  return [
    ok('lock', `held by our engine (PID ${info.pid})`),
    ok(
      'http.port',
      config.http.enabled ? `held by our engine (PID ${info.pid})${url ? ` at ${url}` : ''}` : 'HTTP is off',
    ),
  ];
}

/** Every hook names an auth (a hook without one takes anything from whoever reaches the port). */
export function checkHookAuth(config: Config): CheckResult {
  const open = Object.entries(config.hooks)
    .filter(([, h]) => h.auth === undefined)
    .map(([name]) => name);
  const count = Object.keys(config.hooks).length;
  if (!count) return ok('hooks.auth', 'no hooks configured');
  if (!open.length) return ok('hooks.auth', `all ${count} hook(s) authenticate`);
  return warn(
    'hooks.auth',
    `hook(s) without auth: ${open.join(', ')} (anyone who reaches ${config.http.host}:${config.http.port} can trigger them)`,
    `set hooks.NAME.auth (type token, github or standard with a secret) for each`,
  );
}

/**
 * The user unit: installed, enabled, running this binary (`expected`: the ExecStart words `service install` would
 * write now). Not installed is fine: start/stop work without it.
 */
export function checkService(expected: readonly string[], env: Record<string, string | undefined>): CheckResult {
  const path = unitPath(env);
  if (!existsSync(path)) {
    return ok(
      'service',
      systemdRunning(env)
        ? `not installed (optional: webhook-tui service install)`
        : 'no systemd here: webhook-tui start / stop run the engine',
    );
  }
  const have = parseExecStart(readFileSync(path, 'utf8'));
  if (JSON.stringify(have) !== JSON.stringify(expected)) {
    return warn(
      'service',
      `${path} runs ${have?.slice(0, 2).join(' ') ?? '(no ExecStart)'} with other arguments than this webhook-tui would`,
      'webhook-tui service install (rewrites the unit and restarts the service)',
    );
  }
  if (!systemdRunning(env))
    return warn(
      'service',
      `${path} is installed but systemd is not running here`,
      'webhook-tui service uninstall, and use webhook-tui start / stop',
    );
  const state = unitState();
  if (state.enabled !== 'enabled')
    return warn('service', `${UNIT_NAME} is ${state.enabled}`, 'webhook-tui service install (enables it)');
  const linger = lingerEnabled()
    ? ''
    : '; lingering off: it stops when you log out (sudo loginctl enable-linger $USER)';
  return ok('service', `${UNIT_NAME} enabled, ${state.active}, runs this webhook-tui${linger}`);
}
