import { withApi } from '../context.js';
import { clusterControl } from '../cluster.js';
import { defineCommand } from './command.js';

export const resumeCommand = defineCommand({
  command: 'resume',
  describe: 'resume delivery',
  builder: (y) =>
    y.option('node', { type: 'string', describe: 'cluster mode: resume that node (through Redis, from any machine)' }),
  handler: async (args, ctx) => {
    if (args.node !== undefined) {
      const sent = await clusterControl(ctx.global, 'resume', args.node);
      return ctx.out.out(args.json ? JSON.stringify({ sent }) : `resume sent to node ${sent.node}`);
    }
    return withApi(ctx.global, async ({ api }) => {
      await api.resume();
      ctx.out.out(args.json ? JSON.stringify({ paused: false }) : 'queue resumed');
    });
  },
});
