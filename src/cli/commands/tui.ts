import { loadConfig } from '../context.js';
import { defineCommand } from './command.js';

export const tuiCommand = defineCommand({
  command: ['tui', '$0'],
  describe: 'the dashboard, with the engine embedded (or attached to a running serve)',
  builder: (y) =>
    y
      .option('split', {
        type: 'boolean',
        default: false,
        describe:
          'inside tmux: open the dashboard in a new pane beside this one, which becomes the target (unless a serve runs: then serve delivers to its own)',
      })
      .option('demo', {
        type: 'boolean',
        default: false,
        describe: 'a scratch engine, tmux server and sample triggers to look around',
      }),
  handler: async (args, ctx) => {
    const config = loadConfig(ctx.global);
    // blessed and blessed-contrib load only for the dashboard: `serve` and the other commands start without them.
    const { runDashboardCommand, runDemo, runSplit } = await import('../dashboard.js');
    if (args.demo) ctx.code = await runDemo(config);
    else if (args.split) ctx.code = await runSplit(config, ctx.argv, ctx.out);
    else ctx.code = await runDashboardCommand(config, ctx.split);
  },
});
