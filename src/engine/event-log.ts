/**
 * The event log's parts, wired for the composition root: the event store (every task state change, alerts), the
 * callback sender that works the outbox, and the live feed for GET /v1/events. The sender and the feed are kicked
 * once per event-loop turn after state changes (the rows are already written by the database's triggers).
 */
import type Database from 'better-sqlite3';
import type { EventEmitter } from 'node:events';
import type { CallbacksConfig } from './callbacks/config.js';
import { checkCallbackUrl, secretNameFor } from './callbacks/policy.js';
import { CallbackSender } from './callbacks/sender.js';
import type { Config } from './config/schema.js';
import { WhtError } from './errors.js';
import { eventFeed } from './event-feed.js';
import type { EngineEventMap } from './events.js';
import { resolveCallbackSecrets } from './intake/http/callback-secrets.js';
import type { LifecycleStep } from './lifecycle.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import { EventStore } from './sqlite/event-store.js';
import type { CallbackStats } from './task.js';

/** Events that change a task's state (each wrote an event row, and maybe an outbox row). */
const TASK_EVENTS = [
  'task:queued',
  'task:started',
  'task:delivered',
  'task:retrying',
  'task:dead',
  'task:dropped',
  'task:working',
  'task:completed',
  'task:stalled',
] as const;

/** Read the callback secrets and check every hook's callback URL: a bad one refuses the start, naming the key. */
export function checkCallbacks(config: Pick<Config, 'callbacks' | 'hooks'>): Map<string, string> {
  const secrets = resolveCallbackSecrets(config.callbacks, config.hooks);
  for (const [name, hook] of Object.entries(config.hooks)) {
    if (!hook.callback) continue;
    const key = `hooks.${name}.callback`;
    try {
      checkCallbackUrl(hook.callback.url, config.callbacks.allow);
    } catch (err) {
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}.url: ${(err as Error).message.replace(/^callback: /, '')}`);
    }
    if (secretNameFor({ callbacks: config.callbacks, hooks: config.hooks }, name) === null)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `${key}: set its secretEnv or secretFile, or callbacks.secretEnv/secretFile`,
      );
  }
  return secrets;
}

export interface EventLogDeps {
  engine: EventEmitter<EngineEventMap>;
  db: Database.Database;
  config: CallbacksConfig;
  secrets: ReadonlyMap<string, string>;
  clock: Clock;
  logger: Logger;
  random?: (() => number) | undefined;
  onError: (err: unknown) => void;
}

export function eventLog(d: EventLogDeps) {
  const events = new EventStore(d.db);
  const sender = new CallbackSender({ events, ...d });
  const feed = eventFeed(events);
  let pending: NodeJS.Immediate | undefined;
  const kick = () => {
    pending ??= setImmediate(() => {
      pending = undefined;
      sender.kick();
      feed.notify();
    });
  };
  for (const name of TASK_EVENTS) d.engine.on(name, kick);
  const callbackStats = (): CallbackStats => ({
    ...events.counts(),
    sentSinceStart: sender.counters.sent,
    failedTriesSinceStart: sender.counters.failedTries,
  });
  const step: LifecycleStep = {
    name: 'callbacks',
    start: () => sender.start(),
    close: async () => {
      for (const name of TASK_EVENTS) d.engine.off(name, kick);
      if (pending) clearImmediate(pending);
      await sender.close();
    },
  };
  return { events, feed, callbackStats, step };
}
