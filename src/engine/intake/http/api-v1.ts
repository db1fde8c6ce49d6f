/** `/v1/*`: the bearer-token API over the same EngineApi methods the CLI and TUI use. */
import type { ClusterHttp, RequestCtx } from './context.js';
import { describeIssue, listQuerySchema, newTaskBodySchema, validIdemKey } from './fields.js';
import { firstHeader, parseJson, readLimitedBody, requireMedia, sendEnqueued } from './hooks.js';
import { HttpError, sendJson } from './responses.js';
import { streamEvents } from './events-sse.js';

function badField(err: Parameters<typeof describeIssue>[0]): HttpError {
  return new HttpError(400, 'WHT_ERR_BAD_TRIGGER', describeIssue(err).message);
}

async function createTask(ctx: RequestCtx): Promise<void> {
  requireMedia(ctx, ['json']);
  const body = await readLimitedBody(ctx);
  const parsed = newTaskBodySchema.safeParse(parseJson(body));
  if (!parsed.success) throw badField(parsed.error);
  const t = parsed.data;
  const headerKey = firstHeader(ctx, 'idempotency-key');
  if (headerKey !== undefined && !validIdemKey(headerKey)) {
    throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'field Idempotency-Key must be 1-256 printable characters');
  }
  if (headerKey !== undefined && t.id !== undefined && headerKey !== t.id) {
    throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'field id differs from the Idempotency-Key header');
  }
  const result = await ctx.state.batcher.enqueue({
    text: t.command,
    target: t.target,
    priority: t.priority,
    category: t.category,
    idemKey: t.id ?? headerKey,
    source: 'api',
    receivedAt: ctx.now,
    ...(t.callback === undefined
      ? {}
      : { callback: typeof t.callback === 'string' ? { url: t.callback } : t.callback }),
  });
  sendEnqueued(ctx, result);
}

function listTasks(ctx: RequestCtx): void {
  const parsed = listQuerySchema.safeParse(Object.fromEntries(ctx.query));
  if (!parsed.success) throw badField(parsed.error);
  sendJson(ctx.res, 200, { tasks: ctx.state.deps.api.listTasks(parsed.data) });
}

function taskId(ctx: RequestCtx): number {
  return Number(ctx.param);
}

async function getTask(ctx: RequestCtx): Promise<void> {
  const task = ctx.state.deps.api.getTask(taskId(ctx));
  if (task === undefined) throw new HttpError(404, 'WHT_ERR_TASK_NOT_FOUND', `no task ${ctx.param}`);
  const cluster = ctx.state.deps.cluster?.();
  if (task.state !== 'forwarded' || !cluster) return sendJson(ctx.res, 200, task);
  // Forwarded: where it is now, as its owner reported (null until the owner has taken it).
  const info = await cluster.task(cluster.gid(task.id));
  sendJson(ctx.res, 200, { ...task, remote: info?.remote ?? null });
}

function clusterOf(ctx: RequestCtx): ClusterHttp {
  const cluster = ctx.state.deps.cluster?.();
  if (!cluster) throw new HttpError(404, 'WHT_ERR_NOT_FOUND', 'cluster mode is off (cluster.redis is not set)');
  return cluster;
}

async function getGlobalTask(ctx: RequestCtx): Promise<void> {
  const info = await clusterOf(ctx).task(ctx.param!);
  if (info === undefined)
    throw new HttpError(404, 'WHT_ERR_TASK_NOT_FOUND', `no task ${ctx.param} known in the cluster`);
  sendJson(ctx.res, 200, info);
}

export async function handleV1(ctx: RequestCtx, route: string): Promise<void> {
  const { api } = ctx.state.deps;
  switch (route) {
    case 'tasks.create':
      return createTask(ctx);
    case 'tasks.list':
      return listTasks(ctx);
    case 'tasks.get':
      return getTask(ctx);
    case 'tasks.retry':
      return sendJson(ctx.res, 200, api.retry(taskId(ctx)));
    case 'tasks.drop':
      return sendJson(ctx.res, 200, api.drop(taskId(ctx)));
    case 'queue.pause':
      api.pause();
      return sendJson(ctx.res, 200, { paused: api.isPaused() });
    case 'queue.resume':
      api.resume();
      return sendJson(ctx.res, 200, { paused: api.isPaused() });
    case 'events':
      return streamEvents(ctx, ctx.state.streams);
    case 'tasks.global':
      return getGlobalTask(ctx);
    case 'tasks.global.retry':
      return sendJson(ctx.res, 202, { sent: await clusterOf(ctx).control('retry', ctx.param!) });
    case 'tasks.global.drop':
      return sendJson(ctx.res, 202, { sent: await clusterOf(ctx).control('drop', ctx.param!) });
    case 'cluster.pause':
      return sendJson(ctx.res, 202, { sent: await clusterOf(ctx).control('pause', ctx.param!) });
    case 'cluster.resume':
      return sendJson(ctx.res, 202, { sent: await clusterOf(ctx).control('resume', ctx.param!) });
    case 'cluster':
      return sendJson(ctx.res, 200, await clusterOf(ctx).view());
    case 'stats':
      return sendJson(ctx.res, 200, ctx.state.deps.status ? ctx.state.deps.status() : api.snapshot());
    default:
      throw new HttpError(404, 'WHT_ERR_NOT_FOUND', 'no such endpoint');
  }
}
