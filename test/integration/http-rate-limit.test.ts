/**
 * The per-address rate limit (default 20/s, burst 60) guards against floods and brute force, never against a sender
 * that authenticates: such senders are limited by the queue. Real server, real engine, the default limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { auth, jsonOf, postJson, startTestServer, type TestServer } from '../helpers/http-server.js';

let t: TestServer;
afterEach(async () => {
  await t?.stop();
});

const defaultLimit = { rateLimit: { enabled: true } };
const GH = 'github secret of 26 chars!';

/** Start `n` requests at `perSecond` (scheduled, not waiting for answers); resolves with every answer in order. */
async function paced<T>(n: number, perSecond: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const started: Promise<T>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    started.push(send(i));
  }
  return Promise.all(started);
}

describe('per-address rate limit', () => {
  it('200 token-authenticated requests at 500/s from one address are all accepted (202), none 429', async () => {
    t = await startTestServer({ http: defaultLimit });
    const statuses = await paced(
      200,
      500,
      async (i) => (await postJson(`${t.url}/v1/tasks`, { command: `job ${i}` }, auth)).status,
    );
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    expect(t.tasks()).toHaveLength(200);
  });

  it('signed GitHub deliveries are not limited by address either', async () => {
    t = await startTestServer({ http: defaultLimit, hooks: { gh: { auth: { type: 'github', secret: GH } } } });
    const statuses = await paced(120, 500, async (i) => {
      const body = JSON.stringify({ command: `echo ${i}` });
      const r = await fetch(`${t.url}/hooks/gh`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': await githubSign(GH, body),
          'x-github-delivery': `d${i}`,
        },
      });
      return r.status;
    });
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
  });

  it('a bad-token flood from 127.0.0.1 gets 429 after the burst, while a good client on the same address is never refused', async () => {
    // burst 60 as by default; a slow refill (one token per 10 s), so a loaded machine answering the flood slowly does not refill the bucket
    t = await startTestServer({ http: { rateLimit: { enabled: true, perSecond: 0.1, burst: 60 } } });
    const bad = await Promise.all(
      Array.from({ length: 100 }, () =>
        postJson(`${t.url}/v1/tasks`, { command: 'x' }, { authorization: 'Bearer guess' }),
      ),
    );
    const badStatuses = bad.map((r) => r.status);
    expect(badStatuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    // burst 60, plus what refills at 0.1/s while the flood is answered
    expect(badStatuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    const refused = bad.find((r) => r.status === 429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await jsonOf(refused)).error).toBe('WHT_ERR_RATE_LIMITED');
    const good: number[] = [];
    for (let i = 0; i < 14; i++) good.push((await postJson(`${t.url}/v1/tasks`, { command: `ok ${i}` }, auth)).status);
    expect(good).toEqual(Array(14).fill(202));
    // the good requests did not refill the flood's bucket: more bad guesses at once are refused again
    const again = await Promise.all(
      Array.from({ length: 60 }, () =>
        postJson(`${t.url}/v1/tasks`, { command: 'x' }, { authorization: 'Bearer guess2' }),
      ),
    );
    expect(again.some((r) => r.status === 429)).toBe(true);
  });

  it('/livez and /readyz are never limited; unauthenticated routes share the bucket', async () => {
    t = await startTestServer({
      http: { rateLimit: { enabled: true, perSecond: 0.01, burst: 3 } }, // one token per 100 s: none refills during the test
      hooks: { open: {} },
    });
    const open: number[] = [];
    for (let i = 0; i < 5; i++) open.push((await postJson(`${t.url}/hooks/open`, { command: `n${i}` })).status);
    expect(open).toEqual([202, 202, 202, 429, 429]);
    expect((await fetch(`${t.url}/nope`)).status).toBe(429);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(429);
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${t.url}/livez`)).status).toBe(200);
      expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    }
    expect((await postJson(`${t.url}/v1/tasks`, { command: 'still fine' }, auth)).status).toBe(202);
    expect(t.tasks()).toHaveLength(4);
  });
});
