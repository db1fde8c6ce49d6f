import { afterEach, describe, expect, it } from 'vitest';
import { auth, json, postJson, startTestServer, type TestServer } from '../helpers/http-server.js';
import { jsonOf } from '../helpers/http-server.js';
import { startHttpServer } from '../../src/engine/intake/http/server.js';
import { hooksConfigSchema, httpConfigSchema } from '../../src/engine/intake/http/config.js';
import { createFakeApi } from '../helpers/http-fake-api.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import { openEngineStore } from '../../src/engine/sqlite/open-store.js';
import type { Config } from '../../src/engine/config/schema.js';

let t: TestServer;
afterEach(async () => {
  await t?.stop();
});

describe('HTTP /v1 API (real server on port 0)', () => {
  it('202 after enqueue, then the task is readable, listable, droppable; retry of a live task is 409', async () => {
    t = await startTestServer();
    const r = await postJson(`${t.url}/v1/tasks`, { command: 'echo hi', priority: 5, category: 'ci' }, auth);
    expect(r.status).toBe(202);
    const created = await jsonOf(r);
    expect(created).toEqual({ id: 1, state: 'queued' });
    expect(t.tasks()[0]).toMatchObject({ text: 'echo hi', priority: 5, category: 'ci', source: 'api' });

    const got = await fetch(`${t.url}/v1/tasks/1`, { headers: auth });
    expect(got.status).toBe(200);
    expect(await jsonOf(got)).toMatchObject({ id: 1, text: 'echo hi' });

    const list = await fetch(`${t.url}/v1/tasks?state=queued`, { headers: auth });
    expect((await jsonOf(list)).tasks).toHaveLength(1);

    const retry = await fetch(`${t.url}/v1/tasks/1/retry`, { method: 'POST', headers: auth });
    expect(retry.status).toBe(409);
    expect(await jsonOf(retry)).toEqual({ error: 'WHT_ERR_TASK_STATE', message: expect.stringContaining('queued') });

    const drop = await fetch(`${t.url}/v1/tasks/1`, { method: 'DELETE', headers: auth });
    expect(drop.status).toBe(200);
    expect(t.tasks()[0]?.state).toBe('dropped');
  });

  it('200 with the same id for a repeated idempotency key (body id or Idempotency-Key header)', async () => {
    t = await startTestServer();
    const a = await postJson(`${t.url}/v1/tasks`, { command: 'x', id: 'job-1' }, auth);
    const b = await postJson(`${t.url}/v1/tasks`, { command: 'x' }, { ...auth, 'idempotency-key': 'job-1' });
    expect(a.status).toBe(202);
    expect(b.status).toBe(200);
    expect(await jsonOf(b)).toEqual({ id: (await jsonOf(a)).id, state: 'queued', duplicate: true });
  });

  it('pause, resume and stats', async () => {
    t = await startTestServer();
    const p = await fetch(`${t.url}/v1/queue/pause`, { method: 'POST', headers: auth });
    expect(await jsonOf(p)).toEqual({ paused: true });
    expect(t.api.isPaused()).toBe(true);
    const s = await fetch(`${t.url}/v1/stats`, { headers: auth });
    expect((await jsonOf(s)).stats.paused).toBe(true);
    const r = await fetch(`${t.url}/v1/queue/resume`, { method: 'POST', headers: auth });
    expect(await jsonOf(r)).toEqual({ paused: false });
  });

  it('401 without the token, with a wrong one, and with a non-Bearer scheme; nothing enqueued', async () => {
    t = await startTestServer();
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    ]) {
      const r = await postJson(`${t.url}/v1/tasks`, { command: 'x' }, headers);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      const body = await jsonOf(r);
      expect(body.error).toBe('WHT_ERR_AUTH_FAILED');
      expect(JSON.stringify(body)).not.toContain('test-token');
    }
    expect((await fetch(`${t.url}/v1/stats`)).status).toBe(401);
    expect(t.tasks()).toHaveLength(0);
  });

  it('404 for an unknown task, an unknown endpoint; 405 with Allow for a wrong method', async () => {
    t = await startTestServer();
    const r = await fetch(`${t.url}/v1/tasks/999`, { headers: auth });
    expect(r.status).toBe(404);
    expect((await jsonOf(r)).error).toBe('WHT_ERR_TASK_NOT_FOUND');
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
    const m = await fetch(`${t.url}/v1/tasks/1`, { method: 'PUT', headers: auth });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET, DELETE');
  });

  it.each([
    ['malformed JSON', '{"command": "x"', 'body is not valid JSON'],
    ['an array', '[1,2]', 'field body'],
    ['a missing command', '{}', 'field command'],
    ['an unknown field', '{"command":"x","comand":"y"}', 'field comand: not a known field'],
    ['a non-integer priority', '{"command":"x","priority":1.5}', 'field priority'],
    [
      'an escape sequence in command',
      JSON.stringify({ command: 'ls \u001b[2J' }),
      'command: escape (ESC) U+001B at position 3',
    ],
    ['a newline in command', JSON.stringify({ command: 'ls\nrm -rf /' }), 'command: newline (LF) U+000A at position 2'],
    [
      'a bidi override in command',
      JSON.stringify({ command: 'ls \u202e' }),
      'command: bidi override (RLO) U+202E at position 3',
    ],
    ['a control character in id', JSON.stringify({ command: 'ls', id: 'a\u0000b' }), 'field id'],
    ['a space in target', JSON.stringify({ command: 'ls', target: 'a b' }), 'field target'],
    ['a priority out of range', JSON.stringify({ command: 'ls', priority: 101 }), 'field priority'],
  ])('400 for %s, naming the field', async (_n, body, message) => {
    t = await startTestServer();
    const r = await postJson(`${t.url}/v1/tasks`, body, auth);
    expect(r.status).toBe(400);
    const err = await jsonOf(r);
    expect(err.message).toContain(message);
    expect(t.tasks()).toHaveLength(0);
  });

  it('400 for bytes that are not UTF-8', async () => {
    t = await startTestServer();
    const r = await fetch(`${t.url}/v1/tasks`, {
      method: 'POST',
      headers: { ...json, ...auth },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(r.status).toBe(400);
    expect((await jsonOf(r)).message).toBe('body is not valid UTF-8');
  });

  it('accepts unicode text unchanged', async () => {
    t = await startTestServer();
    const command = 'echo "héllo wörld 🚀 日本語 ✓"';
    const r = await postJson(`${t.url}/v1/tasks`, { command }, auth);
    expect(r.status).toBe(202);
    expect(t.tasks()[0]?.text).toBe(command);
  });

  it.each([['text/html'], ['application/x-www-form-urlencoded'], ['application/json; charset=latin1'], ['']])(
    '415 for Content-Type %j',
    async (type) => {
      t = await startTestServer();
      const headers: Record<string, string> = { ...auth };
      if (type !== '') headers['content-type'] = type;
      const r = await fetch(`${t.url}/v1/tasks`, { method: 'POST', headers, body: Buffer.from('{"command":"x"}') });
      expect(r.status).toBe(415);
      expect((await jsonOf(r)).error).toBe('WHT_ERR_UNSUPPORTED_TYPE');
    },
  );

  it('429 with Retry-After when the queue is full, 503 when storage fails', async () => {
    t = await startTestServer({ queue: { capacity: 1 }, http: { queueFullRetryAfterSec: 7 } });
    expect((await postJson(`${t.url}/v1/tasks`, { command: 'a' }, auth)).status).toBe(202);
    const full = await postJson(`${t.url}/v1/tasks`, { command: 'b' }, auth);
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('7');
    expect((await jsonOf(full)).error).toBe('WHT_ERR_QUEUE_FULL');
    await t.stop();
    let store: { close(): void } | undefined;
    t = await startTestServer({ engineDeps: { openStore: (c: Config) => (store = openEngineStore(c)) } });
    store!.close(); // the database goes away under the running server
    const down = await postJson(`${t.url}/v1/tasks`, { command: 'c' }, auth);
    expect(down.status).toBe(503);
    expect(await jsonOf(down)).toEqual({ error: 'WHT_ERR_STORAGE', message: 'internal error; see the engine log' });
  });

  it("503 with the engine's storage error code (fake engine)", async () => {
    const fake = createFakeApi();
    fake.failStorage = true;
    t = await startTestServer({ fake });
    const down = await postJson(`${t.url}/v1/tasks`, { command: 'c' }, auth);
    expect(down.status).toBe(503);
    expect(await jsonOf(down)).toEqual({ error: 'WHT_ERR_STORAGE', message: 'disk I/O error' });
  });

  it('livez 200; readyz 200 when ready and 503 with the failing check when not', async () => {
    t = await startTestServer();
    expect(await jsonOf(await fetch(`${t.url}/livez`))).toEqual({ ok: true });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    t.ready.report = { ok: false, checks: { database: 'ok', tmux: 'no server running on /tmp/tmux-0/x' } };
    const r = await fetch(`${t.url}/readyz`);
    expect(r.status).toBe(503);
    expect((await jsonOf(r)).checks.tmux).toContain('no server');
  });

  it('metrics in Prometheus text format with queue depth and request counts', async () => {
    t = await startTestServer();
    await postJson(`${t.url}/v1/tasks`, { command: 'a' }, auth);
    await fetch(`${t.url}/nope`);
    const r = await fetch(`${t.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await r.text();
    expect(text).toContain('webhook_tui_queue_depth{state="queued"} 1');
    expect(text).toContain('webhook_tui_http_requests_total{route="v1",code="202"} 1');
    expect(text).toContain('webhook_tui_http_requests_total{route="unmatched",code="404"} 1');
  });

  it('metrics can require the token', async () => {
    t = await startTestServer({ http: { metricsRequireToken: true } });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: auth })).status).toBe(200);
  });

  it('refuses to start on a non-loopback address while a hook has no secret, naming the host and hook', async () => {
    const start = startHttpServer({
      api: createFakeApi(),
      config: httpConfigSchema.parse({ host: '0.0.0.0', port: 0 }),
      hooks: hooksConfigSchema.parse({ deploy: {}, safe: { auth: { type: 'token', secret: 'tok-0123456789abcdef' } } }),
      token: 't',
      ready: async () => ({ ok: true, checks: {} }),
      clock: systemClock,
      logger: silentLogger,
    });
    await expect(start).rejects.toThrow(/refusing to listen on 0\.0\.0\.0.*deploy/);
  });

  it('close() is idempotent and the port stops answering', async () => {
    t = await startTestServer();
    const url = t.url;
    await Promise.all([t.server.close(), t.server.close()]);
    await t.server.close();
    await expect(fetch(`${url}/livez`)).rejects.toThrow();
  });
});
