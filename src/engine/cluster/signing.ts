/**
 * Forwarded tasks are signed: everyone who can write to Redis could otherwise type into every pane. HMAC-SHA256 with
 * the cluster secret over a canonical encoding of every field the receiver acts on. Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What one node hands another: the task as the accepting node committed it. */
export interface ForwardPayload {
  /** `NODE.ID`: the accepting node and its local task id. */
  gid: string;
  /** The accepting node. */
  origin: string;
  /** A target name, or `pool:NAME`. */
  target: string;
  text: string;
  priority: number;
  category: string;
  /** Epoch ms the accepting node first saw the trigger. */
  receivedAt: number;
}

export interface SignedJob {
  v: 1;
  task: ForwardPayload;
  /** hex HMAC-SHA256 of `canonical(task)`. */
  sig: string;
}

/** Field order fixed, so both sides hash the same bytes whatever the JSON key order in Redis. */
export function canonical(t: ForwardPayload): string {
  return JSON.stringify([1, t.gid, t.origin, t.target, t.text, t.priority, t.category, t.receivedAt]);
}

export function sign(task: ForwardPayload, secret: string): SignedJob {
  return { v: 1, task, sig: createHmac('sha256', secret).update(canonical(task)).digest('hex') };
}

const FIELDS: ReadonlyArray<[keyof ForwardPayload, 'string' | 'number']> = [
  ['gid', 'string'],
  ['origin', 'string'],
  ['target', 'string'],
  ['text', 'string'],
  ['priority', 'number'],
  ['category', 'string'],
  ['receivedAt', 'number'],
];

/** The payload when `data` is a well-formed job whose signature matches; else the reason it is refused. */
export function verify(
  data: unknown,
  secret: string,
): { ok: true; task: ForwardPayload } | { ok: false; reason: string } {
  if (data === null || typeof data !== 'object') return { ok: false, reason: 'job data is not an object' };
  const job = data as Partial<SignedJob>;
  if (job.v !== 1 || typeof job.sig !== 'string' || job.task === null || typeof job.task !== 'object')
    return { ok: false, reason: 'job is not a signed webhook-tui task' };
  const task = job.task as unknown as Record<string, unknown>;
  for (const [key, type] of FIELDS)
    if (typeof task[key] !== type) return { ok: false, reason: `field ${key} is not a ${type}` };
  const expected = createHmac('sha256', secret)
    .update(canonical(task as unknown as ForwardPayload))
    .digest();
  const given = Buffer.from(job.sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match (wrong cluster secret, or the job was altered or forged)' };
  return { ok: true, task: task as unknown as ForwardPayload };
}

/** `NODE.ID` -> its parts; undefined when it is not one. */
export function parseGid(gid: string): { node: string; id: number } | undefined {
  const m = /^([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,15})$/.exec(gid);
  return m ? { node: m[1]!, id: Number(m[2]) } : undefined;
}

export const gidOf = (node: string, id: number): string => `${node}.${id}`;

/** An operator's action sent to the node that holds a task or a queue (`dlq retry/drop`, `pause/resume` from any node). */
export interface ControlPayload {
  action: 'retry' | 'drop' | 'pause' | 'resume';
  /** retry/drop: the task's global id. */
  gid: string | null;
  /** The node it is for. */
  node: string;
  /** Who sent it (a node name, or `cli`). */
  from: string;
  at: number;
  nonce: string;
}

export interface SignedControl {
  v: 1;
  control: ControlPayload;
  sig: string;
}

const canonicalControl = (c: ControlPayload): string =>
  JSON.stringify([2, c.action, c.gid, c.node, c.from, c.at, c.nonce]);

export function signControl(control: ControlPayload, secret: string): SignedControl {
  return { v: 1, control, sig: createHmac('sha256', secret).update(canonicalControl(control)).digest('hex') };
}

export const isControl = (data: unknown): boolean =>
  data !== null && typeof data === 'object' && 'control' in data && !('task' in data);

export function verifyControl(
  data: unknown,
  secret: string,
): { ok: true; control: ControlPayload } | { ok: false; reason: string } {
  const job = data as Partial<SignedControl>;
  const c = job.control as unknown as Record<string, unknown> | undefined;
  if (job.v !== 1 || typeof job.sig !== 'string' || !c || typeof c !== 'object')
    return { ok: false, reason: 'job is not a signed webhook-tui control message' };
  const fields: Array<[string, string]> = [
    ['action', 'string'],
    ['node', 'string'],
    ['from', 'string'],
    ['at', 'number'],
    ['nonce', 'string'],
  ];
  for (const [k, t] of fields) if (typeof c[k] !== t) return { ok: false, reason: `field ${k} is not a ${t}` };
  if (!['retry', 'drop', 'pause', 'resume'].includes(c.action as string))
    return { ok: false, reason: 'unknown action' };
  if (c.gid !== null && typeof c.gid !== 'string') return { ok: false, reason: 'field gid is not a string' };
  const control = c as unknown as ControlPayload;
  const expected = createHmac('sha256', secret).update(canonicalControl(control)).digest();
  const given = Buffer.from(job.sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return {
      ok: false,
      reason: 'signature does not match (wrong cluster secret, or the message was altered or forged)',
    };
  return { ok: true, control };
}
