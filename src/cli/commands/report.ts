/** `webhook-tui report [--since 7d] [--json] [--html FILE]`: the performance report from the monitor's history. */
import { writeFileSync } from 'node:fs';
import { openStore } from '../../engine/sqlite/open-store.js';
import { WhtError } from '../../engine/errors.js';
import { parseDuration } from '../../engine/monitor/index.js';
import { buildPeriodReport } from '../../engine/report/period.js';
import { renderPeriodHtml, renderPeriodText } from '../../engine/report/render.js';
import { loadConfig } from '../context.js';
import { defineCommand } from './command.js';

export const reportCommand = defineCommand({
  command: 'report',
  describe:
    'performance report from the monitor history: per day, per stage, reasons, alerts, resources, against the period before',
  builder: (y) =>
    y
      .option('since', {
        type: 'string',
        default: '7d',
        describe: 'the period: 24h, 7d, 30d, ... (compared with the same length before it)',
      })
      .option('html', {
        type: 'string',
        describe: 'also write a self-contained HTML report (inline SVG charts) to this file',
      }),
  handler: (args, ctx) => {
    const config = loadConfig(ctx.global);
    let spanMs: number;
    try {
      spanMs = parseDuration(args.since);
    } catch (err) {
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `--since: ${(err as Error).message}`);
    }
    const store = openStore(config);
    try {
      const report = buildPeriodReport({
        db: store.db,
        now: Date.now(),
        spanMs,
        spoolDir: config.spool.dir,
        sampleMs: config.monitor.sampleMs,
      });
      if (args.html) writeFileSync(args.html, renderPeriodHtml(report));
      ctx.out.out(args.json ? JSON.stringify(report, null, 2) : renderPeriodText(report));
    } finally {
      store.close();
    }
  },
});
