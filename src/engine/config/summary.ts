import type { Config } from './schema.js';

/** What the `engine started` line says about the configuration (once, so a log read months later explains itself). */
export function configSummary(config: Config, httpUrl: string | undefined): Record<string, unknown> {
  const q = config.queue;
  return {
    dataDir: config.dataDir,
    spool: config.spool.dir,
    targets: Object.keys(config.targets).join(' ') || 'default',
    workers: q.workers,
    capacity: q.capacity,
    retryAttempts: q.retry.attempts,
    ratePerSecond: q.rateLimit.perSecond,
    http: httpUrl ?? 'off',
    legacyTriggerFile: config.spool.legacyTriggerFile ?? 'off',
    log: `${config.log.level}, rotate at ${config.log.maxBytes} B or ${config.log.rotateAt}, keep ${config.log.retainDays} d / ${config.log.maxTotalBytes} B`,
  };
}
