import { clusterStatus } from '../cluster.js';
import { formatLogStatus } from '../../engine/logs/index.js';
import { formatMonitorStatus } from '../../engine/monitor/index.js';
import { latestReport } from '../../engine/report/weekly.js';
import { loadConfig, withApi } from '../context.js';
import { formatStats } from '../output.js';
import { defineCommand } from './command.js';

export const statusCommand = defineCommand({
  command: 'status',
  describe: 'queue statistics; --cluster: every node and queue of the cluster (cluster mode)',
  builder: (y) =>
    y.option('cluster', {
      type: 'boolean',
      default: false,
      describe: 'the cluster as Redis knows it: nodes, their targets, the queues (reads Redis; no engine needed)',
    }),
  handler: async (args, ctx) => {
    if (args.cluster) return ctx.out.out(await clusterStatus(ctx.global, args.json));
    return withApi(ctx.global, async ({ api, via }) => {
      const snapshot = await api.snapshot();
      if (args.json) return ctx.out.out(JSON.stringify(snapshot, null, 2));
      const monitor = snapshot.monitor ? `\n\n${formatMonitorStatus(snapshot.monitor)}` : '';
      const logs = snapshot.logs ? `\n${formatLogStatus(snapshot.logs)}` : '';
      const latest = latestReport(loadConfig(ctx.global).dataDir);
      const reports = `\nreports:    ${latest ? `latest weekly report ${latest.path} (${new Date(latest.at).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : 'no weekly report yet'}`;
      ctx.out.out(
        `${formatStats(snapshot.stats)}\nsource:     ${via === 'engine' ? 'running engine' : 'database (no engine running)'}${logs}${reports}${monitor}`,
      );
    });
  },
});
