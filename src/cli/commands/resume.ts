import { withApi } from '../context.js';
import { defineCommand } from './command.js';

export const resumeCommand = defineCommand({
  command: 'resume',
  describe: 'resume delivery',
  handler: (args, ctx) =>
    withApi(ctx.global, async ({ api }) => {
      await api.resume();
      ctx.out.out(args.json ? JSON.stringify({ paused: false }) : 'queue resumed');
    }),
});
