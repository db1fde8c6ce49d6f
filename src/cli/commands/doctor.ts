import { isWhtError } from '../../engine/errors.js';
import type { CheckStatus } from '../../engine/preflight/check.js';
import { runDoctor, type DoctorCheck } from '../../engine/preflight/doctor.js';
import { unitSpec } from '../../engine/service/spec.js';
import { buildUnit, parseExecStart } from '../../engine/service/unit.js';
import { loadConfigSources, type ConfigSources } from '../config-sources.js';
import { configArgs, selfCli } from '../self.js';
import { defineCommand } from './command.js';

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

export function formatDoctor(checks: readonly DoctorCheck[], header: string): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines = [header];
  let group = '';
  for (const c of checks) {
    if (c.group !== group) {
      group = c.group;
      lines.push('', group);
    }
    lines.push(`  ${MARK[c.status]} ${c.id.padEnd(width)}  ${c.message}`);
    if (c.status !== 'ok' && c.fix) lines.push(`    ${' '.repeat(width)}  → ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  lines.push(
    '',
    failed
      ? `${failed} problem(s) to fix, ${warned} warning(s)`
      : warned
        ? `no problems, ${warned} warning(s)`
        : 'all checks passed',
  );
  return lines.join('\n');
}

function expectedExecStart(src: ConfigSources): string[] {
  const unit = buildUnit(
    unitSpec({
      config: src.config,
      node: process.execPath,
      cli: selfCli(),
      serveArgs: configArgs(src),
      env: process.env,
    }),
  );
  return parseExecStart(unit) ?? [];
}

export const doctorCommand = defineCommand({
  command: 'doctor',
  describe:
    'check the setup: Node, tmux, targets, data dir, database, spool, HTTP, engine, logs, service (exit 1 on any ✗)',
  handler: async (args, ctx) => {
    let src: ConfigSources;
    try {
      src = loadConfigSources(ctx.global);
    } catch (err) {
      if (!isWhtError(err)) throw err;
      const check: DoctorCheck = {
        group: 'config',
        id: 'config',
        status: 'fail',
        message: err.message,
        fix: 'fix the keys named above (webhook-tui config schema lists every key)',
      };
      ctx.out.out(
        args.json
          ? JSON.stringify({ ok: false, checks: [check] }, null, 2)
          : formatDoctor([check], 'webhook-tui doctor'),
      );
      ctx.code = 1;
      return;
    }
    const checks: DoctorCheck[] = [
      {
        group: 'config',
        id: 'config',
        status: 'ok',
        fix: '',
        message: src.exists
          ? `${src.path} is valid`
          : `${src.path} absent: every key at its default (webhook-tui init writes one)`,
      },
      ...(await runDoctor(src.config, { env: process.env, expectedExecStart: expectedExecStart(src) })),
    ];
    const okAll = !checks.some((c) => c.status === 'fail');
    ctx.out.out(
      args.json
        ? JSON.stringify({ ok: okAll, checks }, null, 2)
        : formatDoctor(checks, `webhook-tui doctor (config ${src.path})`),
    );
    ctx.code = okAll ? 0 : 1;
  },
});
