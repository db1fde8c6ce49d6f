import { WhtError } from '../../engine/errors.js';
import { withApi } from '../context.js';
import { clusterControl } from '../cluster.js';
import { formatDead } from '../output.js';
import { defineCommand } from './command.js';

function parseId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0)
    throw new WhtError('WHT_ERR_USAGE', `task id must be a positive integer (got ${String(raw)})`);
  return id;
}

export const dlqCommand = defineCommand({
  command: 'dlq <action> [id]',
  describe: "dead-letter queue: list | retry ID | retry --all | drop ID (cluster mode: NODE.ID, any node's task)",
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'retry', 'drop'] as const, demandOption: true })
      .positional('id', { type: 'string' })
      .option('all', { type: 'boolean', default: false, describe: 'with retry: every dead task' }),
  handler: async (args, ctx) => {
    if (args.action !== 'list' && typeof args.id === 'string' && args.id.includes('.')) {
      const sent = await clusterControl(ctx.global, args.action, args.id);
      return ctx.out.out(args.json ? JSON.stringify({ sent }) : `${args.action} ${args.id} sent to node ${sent.node}`);
    }
    return withApi(ctx.global, async ({ api }) => {
      const { out } = ctx;
      if (args.action === 'list') {
        const dead = await api.listTasks({ state: 'dead', limit: 1000 });
        return out.out(args.json ? JSON.stringify(dead, null, 2) : formatDead(dead));
      }
      if (args.action === 'retry' && args.all) {
        const n = await api.retryAllDead();
        return out.out(args.json ? JSON.stringify({ retried: n }) : `${n} dead task(s) queued again`);
      }
      const id = parseId(args.id);
      const task = args.action === 'retry' ? await api.retry(id) : await api.drop(id);
      out.out(args.json ? JSON.stringify(task) : `task ${task.id} is ${task.state}`);
    });
  },
});
