/**
 * Field checks for HTTP input. Command text is not checked here: the engine's text policy (checkText, with the
 * target's profile) decides for every intake, and its refusal (WHT_ERR_TEXT_UNSAFE / WHT_ERR_TEXT_EMPTY, naming the
 * character and its position) is the answer. Ids and keys are single-line printable text.
 */
import { z } from 'zod';
import { TASK_STATES } from '../../types.js';
import { refusedIn } from '../../text-safety.js';

/** Why a one-line field (an id, a key, a template) cannot be used, or null. */
export function unsafeCharIn(text: string): string | null {
  return refusedIn(text);
}

const safeId = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => unsafeCharIn(s) === null, {
      message: 'holds a control character, line break or bidi control',
    });

// Same rule as the engine's toTaskRow.
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const name = z.string().regex(NAME_RE, 'must be 1-64 of A-Z a-z 0-9 _ . -');
/** A target: a name, or (cluster mode) `pool:NAME`. */
const targetName = z
  .string()
  .regex(/^(pool:)?[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . - (or pool:NAME)');

/** Body of `POST /v1/tasks`. */
export const newTaskBodySchema = z.strictObject({
  command: z.string().max(1_000_000),
  target: targetName.optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  category: name.optional(),
  id: safeId(256).optional(),
  /** Where this task's state changes are POSTed: a URL, or {url, events}. */
  callback: z
    .union([
      z.string().max(2048),
      z.strictObject({ url: z.string().max(2048), events: z.array(z.enum(TASK_STATES)).min(1).optional() }),
    ])
    .optional(),
});
export type NewTaskBody = z.output<typeof newTaskBodySchema>;

/** Body of a template-less hook sent as JSON. */
export const hookCommandBodySchema = z.object({ command: z.string().max(1_000_000) });

export const listQuerySchema = z.strictObject({
  state: z.enum(TASK_STATES).optional(),
  target: targetName.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

/** `Idempotency-Key` / `webhook-id` value check (the store takes keys of up to 256 characters). */
export function validIdemKey(value: string, max = 256): boolean {
  return value.length >= 1 && value.length <= max && unsafeCharIn(value) === null;
}

/** First zod issue as `field X: message` (field = dotted path, or `body`). */
export function describeIssue(err: z.ZodError): { field: string; message: string } {
  const issue = err.issues[0];
  if (issue === undefined) return { field: 'body', message: 'invalid' };
  let field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') field = [...issue.path.map(String), ...issue.keys].join('.');
  if (field === '') field = 'body';
  const msg = issue.code === 'unrecognized_keys' ? 'not a known field' : issue.message;
  return { field, message: `field ${field}: ${msg}` };
}
