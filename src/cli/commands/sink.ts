import { defaultSinkLog, runSink } from '../../engine/loadtest/sink.js';
import { defineCommand } from './command.js';

/** `webhook-tui sink`: the program to run in a target pane for `loadtest --e2e PANE`. */
export const sinkCommand = defineCommand({
  command: 'sink',
  describe: 'record each line typed into this pane with its arrival time (for loadtest --e2e PANE)',
  builder: (y) =>
    y
      .option('log', {
        type: 'string',
        describe: 'log file (default $TMPDIR/webhook-tui-sink-UID/PANE.jsonl, PANE from $TMUX_PANE)',
      })
      .option('append', { type: 'boolean', default: false, describe: 'keep what the log already holds' }),
  handler: async (args) => {
    const log = args.log ?? defaultSinkLog(process.env.TMUX_PANE ?? 'pane');
    await runSink(log, { stdin: process.stdin, stdout: process.stdout }, { append: args.append });
  },
});
