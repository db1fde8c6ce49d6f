import type { Config } from '../../engine/config/schema.js';
import { connectRpc } from '../../engine/rpc/client.js';
import { ExecTmux } from '../../engine/delivery/exec-tmux.js';
import { ReadinessBook } from '../../engine/delivery/readiness.js';
import { targetStatus, type StatusSource } from '../../engine/delivery/target-status.js';
import { dataPaths } from '../../engine/data-dir.js';
import { isWhtError, WhtError } from '../../engine/errors.js';
import { lockHolder } from '../../engine/lock.js';
import type { TargetStatus } from '../../engine/types.js';
import { loadConfig } from '../context.js';
import { defineCommand } from './command.js';

/** Without an engine: the configured targets, judged fresh (no memory of a recent Enter); `default` only if configured. */
function offlineSource(config: Config): StatusSource {
  return {
    names: () => {
      const names = Object.keys(config.targets);
      return names.includes('default') ? names : ['default', ...names];
    },
    configured: (name) => config.targets[name],
    resolve: async (name) => {
      const t = config.targets[name];
      if (t) return t;
      throw new WhtError(
        'WHT_ERR_TARGET_UNKNOWN',
        name === 'default'
          ? 'not configured: the engine picks it when it starts'
          : `target "${name}" is not configured`,
      );
    },
  };
}

/** Every target, as the running engine judges it (with its memory of recent submits), else judged here. */
export async function collectTargets(config: Config): Promise<{ via: 'engine' | 'tmux'; targets: TargetStatus[] }> {
  const paths = dataPaths(config.dataDir);
  if (lockHolder(paths.lock) !== null) {
    try {
      const client = await connectRpc(paths.socket);
      try {
        return { via: 'engine', targets: await client.call('targetStatus') };
      } finally {
        client.close();
      }
    } catch (err) {
      if (!isWhtError(err, 'WHT_ERR_ENGINE_UNREACHABLE')) throw err;
    }
  }
  const tmux = new ExecTmux({
    socketName: config.tmux.socketName ?? undefined,
    socketPath: config.tmux.socketPath ?? undefined,
  });
  return { via: 'tmux', targets: await targetStatus(offlineSource(config), tmux, new ReadinessBook(), []) };
}

/** One line per target: name, pane, profile/preset, state, reason. Pure. */
export function formatTargets(targets: readonly TargetStatus[]): string {
  const rows = targets.map((t) => [t.name, t.pane || '-', t.preset ?? t.profile, t.state, t.reason ?? '']);
  const head = ['TARGET', 'PANE', 'PROFILE', 'STATE', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const targetsCommand = defineCommand({
  command: 'targets',
  describe:
    'every target with its pane, profile and state now (ready, busy, not-ready with the reason, missing, in-mode, input-off)',
  async handler(args, ctx) {
    const { via, targets } = await collectTargets(loadConfig(ctx.global));
    if (args.json) return ctx.out.out(JSON.stringify(targets, null, 2));
    ctx.out.out(
      `${formatTargets(targets)}\n(judged by ${via === 'engine' ? 'the running engine' : 'this command: no engine runs'})`,
    );
  },
});
