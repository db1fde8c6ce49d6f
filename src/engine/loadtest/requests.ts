/**
 * Requests of a load test: `POST /v1/tasks` with the bearer token, or `POST /hooks/NAME` signed the way that hook's
 * auth expects (Standard Webhooks, GitHub X-Hub-Signature-256, bearer token). Each carries a unique command text and
 * a unique idempotency key / webhook id, so nothing is deduplicated by accident. Pure apart from the clock passed in.
 */
import { createHmac } from 'node:crypto';
import { standardKey } from '../intake/http/auth.js';
import { commandText, type HookSigning, type SendTarget } from './types.js';

export interface BuiltRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

function signHook(auth: HookSigning, id: string, body: string, nowMs: number): Record<string, string> {
  switch (auth.type) {
    case 'none':
      return {};
    case 'token':
      return { authorization: `Bearer ${auth.secret}` };
    case 'github': {
      const sig = createHmac('sha256', auth.secret).update(body).digest('hex');
      return { 'x-hub-signature-256': `sha256=${sig}`, 'x-github-delivery': id, 'x-github-event': 'push' };
    }
    case 'standard': {
      const ts = String(Math.floor(nowMs / 1000));
      const sig = createHmac('sha256', standardKey(auth.secret)).update(`${id}.${ts}.${body}`).digest('base64');
      return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` };
    }
  }
}

/** The HTTP request for sequence number `seq` (throws for a spool target: it has no request). */
export function buildRequest(target: SendTarget, runId: string, seq: number, nowMs: number): BuiltRequest {
  const text = commandText(runId, seq);
  const base = { 'content-type': 'application/json' };
  if (target.kind === 'v1') {
    const body = JSON.stringify({ command: text, id: text, ...(target.target ? { target: target.target } : {}) });
    return { path: '/v1/tasks', headers: { ...base, authorization: `Bearer ${target.token}` }, body };
  }
  if (target.kind === 'hook') {
    const body = JSON.stringify({ command: text });
    return {
      path: `/hooks/${encodeURIComponent(target.hook)}`,
      headers: { ...base, ...signHook(target.auth, text, body, nowMs) },
      body,
    };
  }
  throw new Error('a spool target has no HTTP request');
}

/** The spool file content for sequence number `seq`. */
export function spoolContent(target: Extract<SendTarget, { kind: 'spool' }>, runId: string, seq: number): string {
  const text = commandText(runId, seq);
  return JSON.stringify({ command: text, id: text, ...(target.target ? { target: target.target } : {}) });
}
