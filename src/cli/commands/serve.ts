import { loadConfig } from '../context.js';
import { runEngineUntilSignal } from '../serve.js';
import { defineCommand } from './command.js';

export const serveCommand = defineCommand({
  command: 'serve',
  describe: 'run the engine headless (for systemd)',
  handler: async (_args, ctx) => {
    ctx.code = await runEngineUntilSignal(loadConfig(ctx.global), ctx.out);
  },
});
