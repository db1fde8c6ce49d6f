import { WhtError } from '../../engine/errors.js';
import { parseDuration } from '../../engine/monitor/index.js';
import { exportStoredHistory } from '../../engine/offline-api.js';
import { loadConfig } from '../context.js';
import { defineCommand } from './command.js';

export const metricsCommand = defineCommand({
  command: 'metrics <action>',
  describe: 'monitor history: export --since 24h --format csv|json',
  builder: (y) =>
    y
      .positional('action', { choices: ['export'] as const, demandOption: true })
      .option('since', { type: 'string', default: '24h', describe: 'how far back: 30m, 24h, 7d, ...' })
      .option('format', { choices: ['csv', 'json'] as const, default: 'csv' as const }),
  handler: (args, ctx) => {
    const config = loadConfig(ctx.global);
    let sinceMs: number;
    try {
      sinceMs = Date.now() - parseDuration(args.since);
    } catch (err) {
      throw new WhtError('WHT_ERR_USAGE', `--since: ${(err as Error).message}`);
    }
    ctx.out.out(exportStoredHistory(config, { sinceMs, format: args.format }));
  },
});
