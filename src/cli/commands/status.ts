import { formatLogStatus } from '../../engine/logs/index.js';
import { formatMonitorStatus } from '../../engine/monitor/index.js';
import { latestReport } from '../../engine/report/weekly.js';
import { loadConfig, withApi } from '../context.js';
import { formatStats } from '../output.js';
import { defineCommand } from './command.js';

export const statusCommand = defineCommand({
  command: 'status',
  describe: 'queue statistics',
  handler: (args, ctx) =>
    withApi(ctx.global, async ({ api, via }) => {
      const snapshot = await api.snapshot();
      if (args.json) return ctx.out.out(JSON.stringify(snapshot, null, 2));
      const monitor = snapshot.monitor ? `\n\n${formatMonitorStatus(snapshot.monitor)}` : '';
      const logs = snapshot.logs ? `\n${formatLogStatus(snapshot.logs)}` : '';
      const latest = latestReport(loadConfig(ctx.global).dataDir);
      const reports = `\nreports:    ${latest ? `latest weekly report ${latest.path} (${new Date(latest.at).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : 'no weekly report yet'}`;
      ctx.out.out(
        `${formatStats(snapshot.stats)}\nsource:     ${via === 'engine' ? 'running engine' : 'database (no engine running)'}${logs}${reports}${monitor}`,
      );
    }),
});
