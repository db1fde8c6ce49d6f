import { loadConfig } from '../context.js';
import { runEngineUntilSignal } from '../serve.js';
import { defineCommand } from './command.js';

export const serveCommand = defineCommand({
  command: 'serve',
  describe: 'run the engine headless (for systemd)',
  builder: (y) =>
    y.option('quiet', {
      type: 'boolean',
      default: false,
      describe: 'do not copy log lines to stderr (they are in <dataDir>/logs)',
    }),
  handler: async (args, ctx) => {
    ctx.code = await runEngineUntilSignal(loadConfig(ctx.global), ctx.out, undefined, { echo: !args.quiet });
  },
});
