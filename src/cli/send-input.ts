/**
 * What `send` was asked to queue, checked before anything is spooled (so a refusal is exit 2 here, not a file the
 * engine rejects later): the words joined by spaces, or the bytes of stdin for `send -` (argv has an OS size limit,
 * and cannot carry every byte). Text passes the engine's own checks (toTaskRow: the text policy with the target's
 * profile, names, priority) and the spool's size limit.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../engine/config/schema.js';
import { WhtError } from '../engine/errors.js';
import { decodeUtf8 } from '../engine/text-safety.js';
import { callbackChecker } from '../engine/callbacks/policy.js';
import { toTaskRow } from '../engine/queue/task-row.js';
import type { HttpTaskInput } from '../engine/intake/http/index.js';

export interface SendArgs {
  words: string[];
  target?: string | undefined;
  priority?: number | undefined;
  category?: string | undefined;
  id?: string | undefined;
  /** POST the task's state changes here (callbacks.events, signed with callbacks.secretEnv/secretFile). */
  callback?: string | undefined;
}

/** The command text: stdin for `-` (strict UTF-8, one trailing newline dropped, as `echo` adds one), else the words. */
export function sendText(words: readonly string[], readStdin: () => Buffer = () => readFileSync(0)): string {
  if (words.length === 1 && words[0] === '-') {
    const text = decodeUtf8(readStdin());
    if (text === null) throw new WhtError('WHT_ERR_BAD_TRIGGER', 'stdin is not valid UTF-8');
    return text.replace(/\r?\n$/, '');
  }
  // Node turns argv bytes that are not UTF-8 into U+FFFD: the text typed would not be the text given.
  const bad = words.findIndex((w) => w.includes('\uFFFD'));
  if (bad >= 0)
    throw new WhtError(
      'WHT_ERR_BAD_TRIGGER',
      `argument ${bad + 1} is not valid UTF-8 (or holds U+FFFD); use send - to read the text from stdin`,
    );
  return words.join(' ');
}

/** The spool payload for `send`, refused (WhtError, exit 2) when the engine would refuse it. */
export function sendPayload(
  args: SendArgs,
  config: Config,
  readStdin?: () => Buffer,
): { payload: HttpTaskInput; json: string } {
  const text = sendText(args.words, readStdin);
  const payload = {
    command: text,
    target: args.target,
    priority: args.priority,
    category: args.category,
    id: args.id,
    callback: args.callback,
  };
  const callback = args.callback === undefined ? undefined : { url: args.callback };
  toTaskRow(
    {
      text,
      target: args.target,
      priority: args.priority,
      category: args.category,
      idemKey: args.id,
      source: 'cli',
      callback,
    },
    config,
    Date.now(),
    callbackChecker({ callbacks: config.callbacks, hooks: config.hooks }),
  );
  const json = JSON.stringify(payload);
  const size = Buffer.byteLength(json);
  if (size > config.spool.maxBytes) {
    throw new WhtError(
      'WHT_ERR_TOO_LARGE',
      `the trigger is ${size} bytes, over spool.maxBytes (${config.spool.maxBytes}); nothing was spooled`,
    );
  }
  return { payload, json };
}
