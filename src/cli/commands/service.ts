import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import { WhtError } from '../../engine/errors.js';
import { waitForEngine } from '../../engine/service/process.js';
import { unitSpec } from '../../engine/service/spec.js';
import {
  journal,
  lingerEnabled,
  systemctl,
  systemdRunning,
  unitPath,
  unitState,
  type RunResult,
} from '../../engine/service/systemd.js';
import { buildUnit, parseExecStart, UNIT_NAME } from '../../engine/service/unit.js';
import { loadConfigSources, type ConfigSources } from '../config-sources.js';
import type { Out } from '../output.js';
import { configArgs, selfCli } from '../self.js';
import { defineCommand, type CliContext as Ctx } from './command.js';

const NO_SYSTEMD = 'systemd is not running here (/run/systemd/system is absent: a container, WSL or CI).';

function unitText(src: ConfigSources): string {
  return buildUnit(
    unitSpec({
      config: src.config,
      node: process.execPath,
      cli: selfCli(),
      serveArgs: configArgs(src),
      env: process.env,
    }),
  );
}

function check(r: RunResult, what: string): void {
  if (r.error) throw new WhtError('WHT_ERR_CONFIG_INVALID', `cannot run systemctl (${r.error}): is systemd installed?`);
  if (r.code !== 0)
    throw new Error(`systemctl --user ${what} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
}

export function lingerAdvice(out: Out): void {
  if (lingerEnabled()) return;
  const user = userInfo().username;
  out.out(
    `note: lingering is off for ${user}: the service stops when you log out. To keep it running without a login: sudo loginctl enable-linger ${user}`,
  );
}

async function install(ctx: Ctx, print: boolean): Promise<void> {
  const src = loadConfigSources(ctx.global);
  const text = unitText(src);
  if (print) return ctx.out.out(text.trimEnd());
  if (!systemdRunning(process.env)) {
    ctx.out.err(
      `webhook-tui: ${NO_SYSTEMD} Use \`webhook-tui start\` instead, or \`webhook-tui service install --print\` to see the unit.`,
    );
    ctx.code = 2;
    return;
  }
  const path = unitPath(process.env);
  const before = existsSync(path) ? readFileSync(path, 'utf8') : null;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  ctx.out.out(`${before === null ? 'wrote' : before === text ? 'unchanged' : 'updated'} ${path}`);
  check(systemctl('daemon-reload'), 'daemon-reload');
  check(systemctl('enable', '--now', UNIT_NAME), `enable --now ${UNIT_NAME}`);
  if (before !== null && before !== text) check(systemctl('restart', UNIT_NAME), `restart ${UNIT_NAME}`);
  const info = await waitForEngine(src.config.dataDir, 10_000);
  if (!info) {
    ctx.out.err(
      `webhook-tui: ${UNIT_NAME} is enabled but the engine does not answer after 10 s: see \`webhook-tui service logs\``,
    );
    ctx.code = 1;
    return;
  }
  ctx.out.out(`${UNIT_NAME} enabled and running (PID ${info.pid}); it starts with your user session.`);
  lingerAdvice(ctx.out);
}

function uninstall(ctx: Ctx): void {
  const path = unitPath(process.env);
  if (!existsSync(path)) return ctx.out.out(`${UNIT_NAME} is not installed (${path} absent)`);
  if (systemdRunning(process.env)) check(systemctl('disable', '--now', UNIT_NAME), `disable --now ${UNIT_NAME}`);
  rmSync(path);
  if (systemdRunning(process.env)) check(systemctl('daemon-reload'), 'daemon-reload');
  ctx.out.out(`removed ${path}; the service is stopped and disabled`);
}

export interface ServiceStatus {
  unit: string;
  installed: boolean;
  systemd: boolean;
  enabled: string;
  active: string;
  /** The installed unit runs this Node and this CLI with this config. */
  current: boolean | null;
  linger: boolean;
}

export function serviceStatus(src: ConfigSources): ServiceStatus {
  const path = unitPath(process.env);
  const installed = existsSync(path);
  const systemd = systemdRunning(process.env);
  const state =
    installed && systemd ? unitState() : { enabled: installed ? 'unknown' : 'not-found', active: 'unknown' };
  const want = parseExecStart(unitText(src));
  const have = installed ? parseExecStart(readFileSync(path, 'utf8')) : null;
  return {
    unit: path,
    installed,
    systemd,
    ...state,
    linger: lingerEnabled(),
    current: installed ? JSON.stringify(have) === JSON.stringify(want) : null,
  };
}

function status(ctx: Ctx, json: boolean): void {
  const s = serviceStatus(loadConfigSources(ctx.global));
  if (json) return ctx.out.out(JSON.stringify(s, null, 2));
  if (!s.installed)
    return ctx.out.out(`${UNIT_NAME}: not installed (${s.unit}); \`webhook-tui service install\` installs it`);
  ctx.out.out(
    [
      `${UNIT_NAME}: ${s.unit}`,
      `systemd:  ${s.systemd ? 'running' : NO_SYSTEMD}`,
      `enabled:  ${s.enabled}`,
      `active:   ${s.active}`,
      `binary:   ${s.current ? 'runs this Node and this webhook-tui' : 'runs another Node, webhook-tui or config: run `webhook-tui service install` again'}`,
      `linger:   ${s.linger ? 'on (runs without a login)' : 'off (stops at logout; sudo loginctl enable-linger USER)'}`,
    ].join('\n'),
  );
}

export const serviceCommand = defineCommand({
  command: 'service <action>',
  describe: 'the systemd user unit: install [--print] | uninstall | status | logs [-f] [-n N]',
  builder: (y) =>
    y
      .positional('action', { choices: ['install', 'uninstall', 'status', 'logs'] as const, demandOption: true })
      .option('print', { type: 'boolean', default: false, describe: 'install: print the unit and touch nothing' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'logs: keep printing new lines' })
      .option('lines', { alias: 'n', type: 'number', default: 100, describe: 'logs: how many recent lines' }),
  handler: async (args, ctx) => {
    if (args.action === 'install') return install(ctx, args.print);
    if (args.action === 'uninstall') return uninstall(ctx);
    if (args.action === 'status') return status(ctx, args.json === true);
    if (!systemdRunning(process.env)) {
      ctx.out.err(`webhook-tui: ${NO_SYSTEMD} The engine's own log: webhook-tui logs [-f].`);
      ctx.code = 2;
      return;
    }
    ctx.code = await journal(['-n', String(args.lines), '--no-pager', ...(args.follow ? ['-f'] : [])]);
  },
});
