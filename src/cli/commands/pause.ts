import { withApi } from '../context.js';
import { defineCommand } from './command.js';

export const pauseCommand = defineCommand({
  command: 'pause',
  describe: 'pause delivery (survives restarts)',
  handler: (args, ctx) =>
    withApi(ctx.global, async ({ api }) => {
      await api.pause();
      ctx.out.out(args.json ? JSON.stringify({ paused: true }) : 'queue paused');
    }),
});
