/**
 * The generator's phases (in-process, no worker) against a real HTTP server on 127.0.0.1 port 0 that records each
 * request and can stall. Shows the coordinated-omission difference: the open model keeps sending through a stall and
 * measures from intended send times; the closed model sends nothing while it waits.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runPhase } from '../../src/engine/loadtest/phase.js';
import type { LoadModel, PhaseJob } from '../../src/engine/loadtest/types.js';

interface Seen {
  seq: number;
  at: number;
}

/** A server that answers 202 and records (seq, arrival); `hold(seq, ms)`: from that request on, answer nothing for ms. */
async function recordingServer(opts: { stallAt?: number; stallMs?: number; delayMs?: number } = {}) {
  const seen: Seen[] = [];
  let stallUntil = 0;
  let stallFrom = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const seq = Number(/lt-[a-z0-9]+-(\d+)/.exec(body)?.[1]);
      const at = performance.now();
      seen.push({ seq, at });
      if (seq === opts.stallAt) {
        stallFrom = at;
        stallUntil = at + (opts.stallMs ?? 0);
      }
      // Answer no earlier than due (timers may fire a little early; re-arm until the time has come).
      const due = Math.max(at + (opts.delayMs ?? 0), stallUntil);
      const answer = (): void => {
        if (performance.now() < due) {
          setTimeout(answer, due - performance.now() + 0.5);
          return;
        }
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":1,"state":"queued"}');
      };
      answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    stallWindow: () => ({ from: stallFrom, to: stallUntil }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const job = (url: string, model: LoadModel, extra: Partial<PhaseJob> = {}): PhaseJob => ({
  model,
  target: { kind: 'v1', url, token: 'x'.repeat(20) },
  runId: 'test',
  seqStart: 0,
  warmupMs: 0,
  maxRequests: 100_000,
  maxInflight: 1000,
  timeoutMs: 10_000,
  lateMs: 5,
  progressMs: 100,
  ...extra,
});
const hooks = { stopped: () => false, progress: () => {} };

describe('load generator phases', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('open model: sends every scheduled request once and records when each was acknowledged', async () => {
    const srv = await recordingServer();
    servers.push(srv);
    const r = await runPhase(
      job(srv.url, { kind: 'open', stages: [{ durationMs: 1000, fromRate: 150, toRate: 150 }] }),
      hooks,
    );
    expect(r.sent).toBe(150);
    expect(r.ok).toBe(150);
    expect(r.statuses).toEqual({ '202': 150 });
    expect(srv.seen.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect([...r.acceptedAt].every((t) => Number.isFinite(t))).toBe(true);
    expect(r.latency.count).toBe(150);
    expect(r.timeline.reduce((a, s) => a + s.sent, 0)).toBe(150);
  });

  it('open model keeps sending through a server stall and counts the stall in latency from the intended send time', async () => {
    const srv = await recordingServer({ stallAt: 50, stallMs: 500 });
    servers.push(srv);
    const r = await runPhase(
      job(srv.url, { kind: 'open', stages: [{ durationMs: 2000, fromRate: 100, toRate: 100 }] }),
      hooks,
    );
    const { from, to } = srv.stallWindow();
    const during = srv.seen.filter((s) => s.at > from && s.at < to).length;
    expect(during).toBeGreaterThan(20); // nothing waited for the stalled answers
    // Requests due in the first 400 ms of the stall (41 of 200) waited >= 100 ms from their intended time.
    expect(r.latency.percentile(90) / 1000).toBeGreaterThanOrEqual(100);
  });

  it('closed model (one user) sends nothing while it waits for the stalled answer', async () => {
    const srv = await recordingServer({ stallAt: 20, stallMs: 500 });
    servers.push(srv);
    const r = await runPhase(
      job(srv.url, { kind: 'closed', users: 1, requestsPerUser: 60, rampUpMs: 0, durationMs: 20_000 }),
      hooks,
    );
    const { from, to } = srv.stallWindow();
    expect(r.sent).toBe(60);
    expect(srv.seen.filter((s) => s.at > from && s.at < to)).toEqual([]);
    expect(r.latency.max / 1000).toBeGreaterThanOrEqual(500); // the stall, seen once
  });

  it('with one request in flight at most and a slow server, due requests wait and are counted late', async () => {
    const srv = await recordingServer({ delayMs: 50 });
    servers.push(srv);
    const r = await runPhase(
      job(srv.url, { kind: 'open', stages: [{ durationMs: 500, fromRate: 100, toRate: 100 }] }, { maxInflight: 1 }),
      hooks,
    );
    expect(r.sent).toBe(50);
    // At most one answer per 50 ms: by the time request n leaves, n * 50 ms have passed against n * 10 ms scheduled.
    expect(r.late).toBeGreaterThanOrEqual(45);
    expect(r.lateness.max / 1000).toBeGreaterThan(1000);
  });

  it('stops when asked and reports what was not sent', async () => {
    const srv = await recordingServer();
    servers.push(srv);
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 300);
    const r = await runPhase(
      job(srv.url, { kind: 'open', stages: [{ durationMs: 10_000, fromRate: 50, toRate: 50 }] }),
      { stopped: () => stop, progress: () => {} },
    );
    expect(r.stopped).toBe(true);
    expect(r.sent).toBeLessThan(500);
    expect(r.sent + r.skipped).toBe(500);
    expect(srv.seen.length).toBe(r.sent);
  });
});
