import type { ErrorCode } from '../errors.js';
import { decodeUtf8 } from '../text-safety.js';
import { TASK_STATES, type NewTask, type NewTaskCallback, type TaskSource, type TaskState } from '../types.js';

export type ParseResult = { ok: true; task: NewTask } | { ok: false; code: ErrorCode; reason: string };

const fail = (code: ErrorCode, reason: string): ParseResult => ({ ok: false, code, reason });

/**
 * Parse a trigger's bytes: JSON `{"command": ..., "target"?, "priority"?, "category"?, "id"?}` when it starts with
 * `{`, else plain text (one trailing newline dropped, as `echo` adds one). Pure.
 */
export function parseTrigger(bytes: Uint8Array, source: TaskSource, receivedAt: number): ParseResult {
  const text = decodeUtf8(bytes);
  if (text === null) return fail('WHT_ERR_BAD_TRIGGER', 'not valid UTF-8');
  if (text.trimStart().startsWith('{')) return parseJsonTrigger(text, source, receivedAt);
  const command = text.replace(/\r?\n$/, '');
  return { ok: true, task: { text: command, source, receivedAt } };
}

function parseJsonTrigger(text: string, source: TaskSource, receivedAt: number): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail('WHT_ERR_BAD_TRIGGER', `invalid JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return fail('WHT_ERR_BAD_TRIGGER', 'JSON trigger must be an object');
  const obj = data as Record<string, unknown>;
  const known = new Set(['command', 'target', 'priority', 'category', 'id', 'callback']);
  const unknown = Object.keys(obj).filter((k) => !known.has(k));
  if (unknown.length) return fail('WHT_ERR_BAD_TRIGGER', `unknown field(s): ${unknown.join(', ')}`);
  if (typeof obj.command !== 'string') return fail('WHT_ERR_BAD_TRIGGER', 'field "command" must be a string');
  for (const key of ['target', 'category', 'id'] as const) {
    if (obj[key] !== undefined && typeof obj[key] !== 'string')
      return fail('WHT_ERR_BAD_TRIGGER', `field "${key}" must be a string`);
  }
  if (obj.priority !== undefined && typeof obj.priority !== 'number')
    return fail('WHT_ERR_BAD_TRIGGER', 'field "priority" must be a number');
  const callback = parseCallbackField(obj.callback);
  if (typeof callback === 'string') return fail('WHT_ERR_BAD_TRIGGER', callback);
  return {
    ok: true,
    task: {
      text: obj.command,
      target: obj.target as string | undefined,
      priority: obj.priority as number | undefined,
      category: obj.category as string | undefined,
      idemKey: obj.id as string | undefined,
      source,
      receivedAt,
      ...(callback ? { callback } : {}),
    },
  };
}

/**
 * A trigger's `callback`: a URL, or `{"url", "events"?}`; undefined when absent; a string says what is wrong. Pure.
 */
export function parseCallbackField(value: unknown): NewTaskCallback | undefined | string {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { url: value };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'field "callback" must be a URL or {"url", "events"}';
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'url' && k !== 'events');
  if (extra.length) return `unknown field(s) in callback: ${extra.join(', ')}`;
  if (typeof o.url !== 'string') return 'field "callback.url" must be a string';
  const states = TASK_STATES as readonly string[];
  if (o.events !== undefined && (!Array.isArray(o.events) || o.events.some((e) => !states.includes(e as string))))
    return `field "callback.events" must list task states (${TASK_STATES.join(', ')})`;
  return { url: o.url, events: o.events as TaskState[] | undefined };
}
