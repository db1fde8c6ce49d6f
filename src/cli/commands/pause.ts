import { withApi } from '../context.js';
import { clusterControl } from '../cluster.js';
import { defineCommand } from './command.js';

export const pauseCommand = defineCommand({
  command: 'pause',
  describe: 'pause delivery (survives restarts)',
  builder: (y) =>
    y.option('node', { type: 'string', describe: 'cluster mode: pause that node (through Redis, from any machine)' }),
  handler: async (args, ctx) => {
    if (args.node !== undefined) {
      const sent = await clusterControl(ctx.global, 'pause', args.node);
      return ctx.out.out(args.json ? JSON.stringify({ sent }) : `pause sent to node ${sent.node}`);
    }
    return withApi(ctx.global, async ({ api }) => {
      await api.pause();
      ctx.out.out(args.json ? JSON.stringify({ paused: true }) : 'queue paused');
    });
  },
});
