/**
 * Load generator for bench/http.ts, run in a worker thread so it does not share the server's event loop.
 * Closed loop: `concurrency` keep-alive clients, each sending its next request when the last one is answered,
 * until `requests` have been sent. Requests are built before the clock starts (signing is not measured).
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { Webhook } from 'standardwebhooks';
import { newHistogram, recordMs, type RecordableHistogram } from '../src/engine/loadtest/histogram.js';

export type LoadMode =
  | { kind: 'v1'; token: string }
  | { kind: 'standard-hook'; hook: string; secret: string }
  | { kind: 'plain-hook'; path: string };

export interface LoadJob {
  url: string;
  concurrency: number;
  requests: number;
  mode: LoadMode;
  tag: string;
  /** Open loop instead: send request i at start + i/ratePerSec, without waiting for answers. */
  ratePerSec?: number | undefined;
}

export interface LoadResult {
  sent: number;
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
  /** Per-request latency (µs HDR histogram, the shipped module; crosses the worker boundary by structured clone). */
  latency: RecordableHistogram;
  /** Open loop only: epoch ms at which request i was due (scheduled). */
  sendTimes: number[];
  /** Open loop only: epoch ms at which request i got its connection and went on the wire. */
  wireTimes: number[];
}

interface Req {
  path: string;
  headers: Record<string, string>;
  body: string;
}

function build(job: LoadJob): Req[] {
  const out: Req[] = [];
  const wh = job.mode.kind === 'standard-hook' ? new Webhook(job.mode.secret) : null;
  const now = new Date();
  for (let i = 0; i < job.requests; i++) {
    const command = `echo ${job.tag} ${i}`;
    const body = JSON.stringify({ command });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    };
    if (job.mode.kind === 'v1') {
      out.push({ path: '/v1/tasks', headers: { ...headers, authorization: `Bearer ${job.mode.token}` }, body });
    } else if (job.mode.kind === 'standard-hook' && wh) {
      const id = `${job.tag}-${i}`;
      headers['webhook-id'] = id;
      headers['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
      headers['webhook-signature'] = wh.sign(id, now, body);
      out.push({ path: `/hooks/${job.mode.hook}`, headers, body });
    } else if (job.mode.kind === 'plain-hook') {
      out.push({ path: job.mode.path, headers, body });
    }
  }
  return out;
}

const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function run(job: LoadJob): Promise<LoadResult> {
  const reqs = build(job);
  const u = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  // the load generator only ever talks to 127.0.0.1
  if (u.hostname !== '127.0.0.1') throw new Error('bench targets 127.0.0.1 only');
  const statuses: Record<string, number> = {};
  const latency = newHistogram();
  let errors = 0;
  let next = 0;
  const wireTimes: number[] = [];
  const one = (r: Req, i = -1): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(
        { host: u.hostname, port: u.port, method: 'POST', path: r.path, headers: r.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            recordMs(latency, performance.now() - t0);
            statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      if (i >= 0)
        req.once('socket', () => {
          wireTimes[i] = epochNow();
        });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(r.body);
    });
  const client = async (): Promise<void> => {
    while (next < reqs.length) {
      const r = reqs[next++];
      if (r) await one(r);
    }
  };
  const sendTimes: number[] = [];
  const paced = async (rate: number): Promise<void> => {
    const inflight: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < reqs.length; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > performance.now() + 1) await sleep(due - performance.now());
      sendTimes[i] = epochNow();
      const r = reqs[i];
      if (r) inflight.push(one(r, i));
    }
    await Promise.all(inflight);
  };
  const start = performance.now();
  if (job.ratePerSec) await paced(job.ratePerSec);
  else await Promise.all(Array.from({ length: job.concurrency }, client));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { sent: reqs.length, statuses, errors, elapsedMs, latency, sendTimes, wireTimes };
}

if (parentPort && workerData) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    (r) => port.postMessage(r),
    (err: unknown) => port.postMessage({ error: String(err) }),
  );
}
