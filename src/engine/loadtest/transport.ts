/**
 * How one request goes out: HTTP (node:http, keep-alive, no connection cap) or a spool file (maildir write + rename).
 * `send(seq)` resolves with the outcome; it never rejects.
 */
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { writeSpoolFile } from '../intake/spool-writer.js';
import { buildRequest, spoolContent } from './requests.js';
import type { SendTarget } from './types.js';

export interface SendOutcome {
  /** HTTP status; spool: 202 once the file is renamed into new/. */
  status?: number | undefined;
  /** Connection error code, or `timeout`. */
  error?: string | undefined;
}

export interface Transport {
  send(seq: number): Promise<SendOutcome>;
  close(): void;
}

export const epochNow = (): number => performance.timeOrigin + performance.now();

function httpTransport(
  target: Extract<SendTarget, { kind: 'v1' | 'hook' }>,
  runId: string,
  timeoutMs: number,
): Transport {
  const u = new URL(target.url);
  const tls = u.protocol === 'https:';
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' })
    : new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  const doRequest = tls ? httpsRequest : request;
  const send = (seq: number): Promise<SendOutcome> =>
    new Promise((resolve) => {
      const r = buildRequest(target, runId, seq, Date.now());
      const headers = { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
      let settled = false;
      const done = (o: SendOutcome): void => {
        if (!settled) {
          settled = true;
          resolve(o);
        }
      };
      const req = doRequest(
        {
          protocol: u.protocol,
          hostname: u.hostname,
          port: u.port,
          method: 'POST',
          path: `${u.pathname.replace(/\/$/, '')}${r.path}`,
          headers,
          agent,
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => done({ status: res.statusCode }));
          res.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? 'ERESPONSE' }));
        },
      );
      req.on('timeout', () => {
        req.destroy();
        done({ error: 'timeout' });
      });
      req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
      req.end(r.body);
    });
  return { send, close: () => agent.destroy() };
}

function spoolTransport(target: Extract<SendTarget, { kind: 'spool' }>, runId: string): Transport {
  return {
    send: (seq) => {
      try {
        writeSpoolFile(target.dir, spoolContent(target, runId, seq));
        return Promise.resolve({ status: 202 });
      } catch (err) {
        return Promise.resolve({ error: (err as NodeJS.ErrnoException).code ?? 'EWRITE' });
      }
    },
    close: () => {},
  };
}

export function createTransport(target: SendTarget, runId: string, timeoutMs: number): Transport {
  if (target.kind !== 'spool' && !/^https?:$/.test(new URL(target.url).protocol)) {
    throw new Error(`unsupported URL scheme in ${target.url}`);
  }
  return target.kind === 'spool' ? spoolTransport(target, runId) : httpTransport(target, runId, timeoutMs);
}
