/**
 * A new task made a queue row: the text policy, name and range checks, and the config's defaults. Pure. Intakes parse
 * (intake/trigger.ts); admission (admission.ts) calls this before it commits.
 */
import { WhtError } from '../errors.js';
import { checkText, type TextCheckOptions } from '../text-safety.js';
import type { NewTask, NewTaskCallback, TaskCallback } from '../task.js';
import type { TaskRow } from './store.js';

/** What of the config a task row needs (the engine's Config has these). */
export interface TaskDefaults {
  queue: { defaultCategory: string; defaultPriority: number };
  targets?: Readonly<Record<string, { multiline?: boolean } | undefined>>;
}

/** Checks a task's `callback` (URL, allow-list, a secret to sign with): callbacks/policy.ts `callbackChecker`. */
export type CallbackCheck = (input: NewTaskCallback) => TaskCallback;

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
/** A target: a name, or (cluster mode) `pool:NAME` for whichever member of the pool is ready first. */
const TARGET_RE = /^(pool:)?[A-Za-z0-9_.-]{1,64}$/;

/** The text policy's options for a target: its profile's `multiline`. */
export function textOptionsFor(config: Pick<TaskDefaults, 'targets'>, target: string | undefined): TextCheckOptions {
  return { allowNewlines: config.targets?.[target ?? 'default']?.multiline ?? false };
}

/**
 * Validate a new task against config and apply defaults. Throws WhtError naming the field. Pure.
 * An unknown target is accepted here (the task goes dead at delivery, visible in the DLQ, retryable after a config fix).
 */
export function toTaskRow(input: NewTask, config: TaskDefaults, now: number, checkCallback?: CallbackCheck): TaskRow {
  const check = checkText(input.text, textOptionsFor(config, input.target));
  if (!check.ok) throw new WhtError(check.code, `command: ${check.reason}`, { field: 'command' });
  const target = input.target ?? 'default';
  if (!TARGET_RE.test(target))
    throw new WhtError('WHT_ERR_BAD_TRIGGER', 'target: must be 1-64 letters, digits, _ . - (or pool:NAME)', {
      field: 'target',
    });
  const category = input.category ?? config.queue.defaultCategory;
  if (!NAME_RE.test(category))
    throw new WhtError('WHT_ERR_BAD_TRIGGER', 'category: must be 1-64 letters, digits, _ . -', { field: 'category' });
  const priority = input.priority ?? config.queue.defaultPriority;
  if (!Number.isInteger(priority) || priority < -100 || priority > 100) {
    throw new WhtError(
      'WHT_ERR_BAD_TRIGGER',
      `priority: must be an integer from -100 to 100 (got ${String(priority)})`,
      { field: 'priority' },
    );
  }
  const idemKey = input.idemKey ?? null;
  if (idemKey !== null && (idemKey.length === 0 || idemKey.length > 256 || !checkText(idemKey).ok)) {
    throw new WhtError('WHT_ERR_BAD_TRIGGER', 'id: must be 1-256 printable characters', { field: 'id' });
  }
  const callback = input.callback ? callbackFor(input.callback, checkCallback) : undefined;
  return {
    text: input.text,
    target,
    priority,
    category,
    idemKey,
    source: input.source,
    receivedAt: input.receivedAt ?? now,
    ...(callback ? { callback } : {}),
  };
}

function callbackFor(input: NewTaskCallback, check: CallbackCheck | undefined): TaskCallback {
  if (!check)
    throw new WhtError('WHT_ERR_CALLBACK_REFUSED', 'callback: callbacks are not configured here', {
      field: 'callback',
    });
  return check(input);
}
