/**
 * Field checks for HTTP input: text that will be typed into a pane must not hold control characters, escape
 * sequences, line breaks or bidi overrides. The engine's text-safety check runs again at enqueue; this one exists
 * so a 400 can name the field.
 */
import { z } from 'zod';
import { TASK_STATES } from '../../types.js';

// C0 except TAB (as the engine's checkText; CR and LF refused), DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates, BOM.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_RE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** The first unsafe character as `U+XXXX`, or null. */
export function unsafeCharIn(text: string): string | null {
  const m = UNSAFE_RE.exec(text);
  if (m === null) return null;
  return `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const safeText = (max: number) =>
  z.string().min(1).max(max).refine((s) => unsafeCharIn(s) === null, {
    message: 'holds a control character, line break or bidi override',
  });

// Same rule as the engine's toTaskRow.
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const name = z.string().regex(NAME_RE, 'must be 1-64 of A-Z a-z 0-9 _ . -');

/** Body of `POST /v1/tasks`. */
export const newTaskBodySchema = z.strictObject({
  command: safeText(1_000_000),
  target: name.optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  category: name.optional(),
  id: safeText(256).optional(),
});
export type NewTaskBody = z.output<typeof newTaskBodySchema>;

/** Body of a template-less hook sent as JSON. */
export const hookCommandBodySchema = z.object({ command: safeText(1_000_000) });

export const listQuerySchema = z.strictObject({
  state: z.enum(TASK_STATES).optional(),
  target: name.optional(),
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
