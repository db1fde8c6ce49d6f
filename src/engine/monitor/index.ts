/** Public surface of the monitor for the engine, CLI and HTTP layers. */
export { createMonitor } from './monitor.js';
export { monitorConfigSchema, resolveMonitorConfig, type MonitorConfig, type MonitorConfigInput } from './config.js';
export { exportHistory, parseDuration, type ExportFormat, type ExportOptions } from './export.js';
export { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
export * from './types.js';
export type { HistoryStore, Monitor, MonitorDeps, TmuxRun } from './deps.js';
export { tiersFor } from './rollup.js';
export { formatMonitorStatus } from './format-status.js';
export { dbWritableCheck, tmuxReachableCheck, tmuxWatchedPids } from './checks.js';
export { readyFromHealth, type ReadyReport } from './ready.js';
