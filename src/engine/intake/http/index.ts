/** HTTP intake: public surface for the engine and the CLI. */
export { createHttpHandler, type HttpHandler } from './handler.js';
export { startHttpServer, type RunningHttpServer } from './server.js';
export type { HttpDeps, ReadyReport } from './context.js';
export {
  httpConfigSchema,
  hooksConfigSchema,
  resolveHooks,
  assertSafeBind,
  isLoopbackHost,
  type HttpConfig,
  type HttpConfigInput,
  type HooksConfig,
  type HookConfig,
} from './config.js';
export { loadOrCreateToken, readToken, tokenPath } from './token.js';
export { httpEnqueue, type HttpEnqueueOptions, type HttpEnqueueResult, type HttpTaskInput } from './client.js';
export { formatQueueMetrics } from './metrics.js';
export { CommitBatcher } from './batch.js';
