import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { auth, json, postJson, rawRequest, startTestServer, type TestServer } from '../helpers/http-server.js';
import { createFakeApi } from '../helpers/http-fake-api.js';
import { jsonOf } from '../helpers/http-server.js';

const whsec = `whsec_${randomBytes(32).toString('base64')}`;
const newSec = `whsec_${randomBytes(32).toString('base64')}`;
const hooks = {
  deploy: {
    target: 'default',
    priority: 7,
    category: 'deploys',
    command: 'deploy {{repository.name}} {{ref}}',
    auth: { type: 'standard', secrets: [whsec, newSec] },
  },
  gh: { command: 'git -C /srv/{{repository.name}} pull', auth: { type: 'github', secret: 'gh-secret-0123456789' } },
  phone: { auth: { type: 'token', secret: 'phone-token-0123456789' } },
  local: {},
};

let t: TestServer;
afterEach(async () => {
  await t?.stop();
});

function standardHeaders(secret: string, id: string, body: string, at = new Date()): Record<string, string> {
  return {
    ...json,
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

const payload = JSON.stringify({ repository: { name: 'web' }, ref: 'main' });

describe('POST /hooks/:name with Standard Webhooks', () => {
  it('202 for a request signed by the reference library; the task carries the hook settings and rendered command', async () => {
    t = await startTestServer({ hooks });
    const r = await postJson(`${t.url}/hooks/deploy`, payload, standardHeaders(whsec, 'msg_1', payload));
    expect(r.status).toBe(202);
    expect(await jsonOf(r)).toEqual({ id: 1, state: 'queued' });
    expect(t.tasks()[0]).toMatchObject({
      text: 'deploy web main',
      priority: 7,
      category: 'deploys',
      source: 'http',
      idemKey: 'hook:deploy:msg_1',
    });
  });

  it('accepts the new secret during rotation', async () => {
    t = await startTestServer({ hooks });
    const r = await postJson(`${t.url}/hooks/deploy`, payload, standardHeaders(newSec, 'msg_2', payload));
    expect(r.status).toBe(202);
  });

  it('a sender retry (same webhook-id, new timestamp) gets 200 with the same id and no second task', async () => {
    t = await startTestServer({ hooks });
    const first = await postJson(
      `${t.url}/hooks/deploy`,
      payload,
      standardHeaders(whsec, 'msg_r', payload, new Date(Date.now() - 5000)),
    );
    const retry = await postJson(`${t.url}/hooks/deploy`, payload, standardHeaders(whsec, 'msg_r', payload));
    expect(first.status).toBe(202);
    expect(retry.status).toBe(200);
    expect((await jsonOf(retry)).id).toBe((await jsonOf(first)).id);
    expect(t.tasks()).toHaveLength(1);
  });

  it('401 for a byte-for-byte replay of an accepted request', async () => {
    t = await startTestServer({ hooks });
    const headers = standardHeaders(whsec, 'msg_3', payload);
    expect((await postJson(`${t.url}/hooks/deploy`, payload, headers)).status).toBe(202);
    const replay = await postJson(`${t.url}/hooks/deploy`, payload, headers);
    expect(replay.status).toBe(401);
    expect((await jsonOf(replay)).message).toContain('replay');
    expect(t.tasks()).toHaveLength(1);
  });

  it.each([
    [
      'a forged signature',
      (h: Record<string, string>) => ({ ...h, 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` }),
      'no matching signature',
    ],
    [
      'a stale timestamp (6 min old)',
      () => standardHeaders(whsec, 'm', payload, new Date(Date.now() - 360_000)),
      'too old',
    ],
    [
      'a future timestamp (6 min ahead)',
      () => standardHeaders(whsec, 'm', payload, new Date(Date.now() + 360_000)),
      'future',
    ],
    [
      'a signature by an unknown secret',
      () => standardHeaders(`whsec_${randomBytes(32).toString('base64')}`, 'm', payload),
      'no matching signature',
    ],
    ['no signature headers', () => ({ ...json }), 'missing webhook-id'],
  ])('401 for %s, nothing enqueued', async (_n, make, reason) => {
    t = await startTestServer({ hooks });
    const r = await postJson(`${t.url}/hooks/deploy`, payload, make(standardHeaders(whsec, 'm', payload)));
    expect(r.status).toBe(401);
    const body = await jsonOf(r);
    expect(body).toEqual({ error: 'WHT_ERR_AUTH_FAILED', message: expect.stringContaining(reason) });
    expect(JSON.stringify(body)).not.toContain(whsec.slice(6, 20));
    expect(t.tasks()).toHaveLength(0);
  });

  it('401 for a body changed after signing', async () => {
    t = await startTestServer({ hooks });
    const evil = JSON.stringify({ repository: { name: 'web' }, ref: 'evil' });
    expect((await postJson(`${t.url}/hooks/deploy`, evil, standardHeaders(whsec, 'm', payload))).status).toBe(401);
  });

  it('400 naming the payload field for missing values or control characters; values with shell syntax stay quoted data', async () => {
    t = await startTestServer({ hooks });
    const send = (obj: unknown, id: string) => {
      const b = JSON.stringify(obj);
      return postJson(`${t.url}/hooks/deploy`, b, standardHeaders(whsec, id, b));
    };
    const missing = await send({ repository: { name: 'web' } }, 'a');
    expect(missing.status).toBe(400);
    expect((await jsonOf(missing)).message).toBe('field ref is missing from the payload');
    const ctl = await send({ repository: { name: 'web\u001b]0;x\u0007' }, ref: 'main' }, 'b');
    expect(ctl.status).toBe(400);
    expect(await jsonOf(ctl)).toEqual({
      error: 'WHT_ERR_TEXT_UNSAFE',
      message: 'field repository.name: escape (ESC) U+001B at position 3 is not allowed',
    });
    const nl = await send({ repository: { name: 'web' }, ref: 'main\nreboot' }, 'c');
    expect((await jsonOf(nl)).message).toContain('field ref');
    const sh = await send({ repository: { name: 'web' }, ref: '$(reboot); echo pwned' }, 'd');
    expect(sh.status).toBe(202);
    expect(t.tasks().at(-1)?.text).toBe(`deploy web '$(reboot); echo pwned'`);
  });

  it('400 for malformed JSON that is correctly signed; 415 for a template hook sent as text/plain', async () => {
    t = await startTestServer({ hooks });
    const bad = '{"repository":';
    const r = await postJson(`${t.url}/hooks/deploy`, bad, standardHeaders(whsec, 'x', bad));
    expect(r.status).toBe(400);
    const plain = await postJson(`${t.url}/hooks/deploy`, payload, {
      ...standardHeaders(whsec, 'y', payload),
      'content-type': 'text/plain',
    });
    expect(plain.status).toBe(415);
  });
});

describe('POST /hooks/:name with GitHub signatures and tokens', () => {
  it('202 for a request signed by @octokit/webhooks-methods; X-GitHub-Delivery is the idempotency key', async () => {
    t = await startTestServer({ hooks });
    const sig = await githubSign('gh-secret-0123456789', payload);
    const headers = { 'x-hub-signature-256': sig, 'x-github-delivery': 'd-1', 'x-github-event': 'push' };
    const r = await postJson(`${t.url}/hooks/gh`, payload, headers);
    expect(r.status).toBe(202);
    expect(t.tasks()[0]?.text).toBe('git -C /srv/web pull');
    expect((await postJson(`${t.url}/hooks/gh`, payload, headers)).status).toBe(200);
    expect(t.tasks()).toHaveLength(1);
  });

  it('401 for a GitHub signature made with another secret', async () => {
    t = await startTestServer({ hooks });
    const r = await postJson(`${t.url}/hooks/gh`, payload, {
      'x-hub-signature-256': await githubSign('nope', payload),
    });
    expect(r.status).toBe(401);
  });

  it('token hook: text/plain body is the command; JSON {command} too; wrong token is 401', async () => {
    t = await startTestServer({ hooks });
    const ok = await fetch(`${t.url}/hooks/phone`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer phone-token-0123456789' },
      body: 'git status\n',
    });
    expect(ok.status).toBe(202);
    expect(t.tasks()[0]?.text).toBe('git status');
    const j = await postJson(
      `${t.url}/hooks/phone`,
      { command: 'ls -la' },
      { authorization: 'Bearer phone-token-0123456789' },
    );
    expect(j.status).toBe(202);
    const bad = await postJson(
      `${t.url}/hooks/phone`,
      { command: 'ls' },
      { authorization: 'Bearer phone-token-012345678' },
    );
    expect(bad.status).toBe(401);
    const ctl = await fetch(`${t.url}/hooks/phone`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer phone-token-0123456789' },
      body: 'ls\u0003',
    });
    expect(ctl.status).toBe(400);
    expect(await jsonOf(ctl)).toEqual({
      error: 'WHT_ERR_TEXT_UNSAFE',
      message: 'command: control character U+0003 at position 2 is not allowed',
    });
  });

  it('404 for unknown hooks and path tricks, without reaching any hook', async () => {
    t = await startTestServer({ hooks });
    for (const path of [
      '/hooks/nope',
      '/hooks/..%2fv1%2ftasks',
      '/hooks/%2e%2e/v1/tasks',
      '/hooks/local%2f..',
      '/hooks/local/',
      '/hooks//local',
      '/hooks/loc%61l',
      '/hooks/local/../phone',
      '/hooks/__proto__',
      '/hooks/constructor',
    ]) {
      const r = await rawRequest(t.url, 'POST', path, '{"command":"x"}', json);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(r.body).error).toBe('WHT_ERR_NOT_FOUND');
    }
    expect(t.tasks()).toHaveLength(0);
  });
});

describe.each([
  ['real engine, one commit per request', () => undefined],
  ['fake engine with group commit', () => createFakeApi({ groupCommit: true })],
])('concurrent identical idempotency keys (%s)', (_name, makeFake) => {
  it('exactly one task, one 202, the rest 200 with the same id', async () => {
    t = await startTestServer({ hooks, fake: makeFake() });
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => {
        const at = new Date(now - i * 1000); // distinct timestamps: sender retries, not replays
        return postJson(`${t.url}/hooks/deploy`, payload, standardHeaders(whsec, 'same-id', payload, at));
      }),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(24);
    const ids = new Set(await Promise.all(results.map(async (r) => (await jsonOf(r)).id)));
    expect(ids.size).toBe(1);
    expect(t.tasks()).toHaveLength(1);
  });

  it('the same signed request sent 10 times at once: one 202, nine 401 replays, one task', async () => {
    t = await startTestServer({ hooks, fake: makeFake() });
    const headers = standardHeaders(whsec, 'replayed', payload);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => postJson(`${t.url}/hooks/deploy`, payload, headers)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, ...Array(9).fill(401)]);
    expect(t.tasks()).toHaveLength(1);
  });

  it('/v1/tasks with one Idempotency-Key from 25 clients at once: one task', async () => {
    t = await startTestServer({ fake: makeFake() });
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        postJson(`${t.url}/v1/tasks`, { command: 'once' }, { ...auth, 'idempotency-key': 'k-1' }),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s === 202)).toHaveLength(1);
    expect(t.tasks()).toHaveLength(1);
  });
});
