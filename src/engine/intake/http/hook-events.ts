/**
 * Which deliveries of a hook run its command. GitHub names the event in `X-GitHub-Event` (and sends `ping` when a
 * hook is saved); Standard Webhooks senders put it in the payload's `type`. Pure: a function of the hook, the
 * headers and the parsed payload.
 */
import type { ResolvedHook } from './config.js';
import { header, type Headers } from './auth.js';

export type EventDecision =
  | { kind: 'run'; event: string | undefined }
  | { kind: 'pong' }
  | { kind: 'ignore'; event: string }
  | { kind: 'bad'; message: string };

const MAX_SHOWN = 128;

function payloadType(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const t = (payload as Record<string, unknown>).type;
  return typeof t === 'string' ? t : undefined;
}

/** The event of a request, as the hook's sender names it; undefined when it names none. */
export function eventOf(hook: ResolvedHook, headers: Headers, payload: unknown): string | undefined {
  if (hook.auth?.type === 'github') return header(headers, 'x-github-event');
  if (hook.auth?.type === 'standard') return payloadType(payload);
  return undefined;
}

/** Whether a request with `headers` and `payload` runs the hook's command, is answered pong, or is ignored. */
export function decideEvent(hook: ResolvedHook, headers: Headers, payload: unknown): EventDecision {
  const event = eventOf(hook, headers, payload);
  if (hook.auth?.type === 'github' && event === 'ping') return { kind: 'pong' };
  if (hook.events === null) return { kind: 'run', event };
  if (event === undefined) {
    const where =
      hook.auth?.type === 'github' ? 'the X-GitHub-Event header is missing' : 'the payload has no string field type';
    return { kind: 'bad', message: `hook ${hook.name} runs on listed events only, and ${where}` };
  }
  if (hook.events.has(event)) return { kind: 'run', event };
  return { kind: 'ignore', event: event.slice(0, MAX_SHOWN) };
}

/** Whether a hook needs the payload parsed to decide on its event (Standard Webhooks `type`). */
export function needsPayloadForEvent(hook: ResolvedHook): boolean {
  return hook.auth?.type === 'standard' && hook.events !== null;
}
