/**
 * Real senders' libraries against the real server: GitHub signatures from @octokit/webhooks-methods, Standard
 * Webhooks from standardwebhooks, Svix from svix. What a user sees: the status code, the answer and the queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { jsonOf, postJson, startTestServer, type TestServer } from '../helpers/http-server.js';

let t: TestServer;
afterEach(async () => {
  await t?.stop();
});

/** GitHub's own example secret (docs: "Validating webhook deliveries"). */
const GITHUB_DOC_SECRET = "It's a Secret to Everybody";
const whsec = `whsec_${randomBytes(32).toString('base64')}`;
const push = JSON.stringify({ ref: 'refs/heads/main', repository: { name: 'web' } });

function sources(env: Record<string, string>, files: Record<string, string> = {}) {
  return {
    env,
    readFile: (p: string) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return f;
    },
  };
}

async function github(
  url: string,
  secret: string,
  event: string,
  body: string,
  delivery: string,
  type = 'application/json',
) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': type,
      'x-hub-signature-256': await githubSign(secret, body),
      'x-github-event': event,
      'x-github-delivery': delivery,
    },
    body,
  });
}

async function metric(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('secrets are whole values (GitHub, @octokit/webhooks-methods)', () => {
  it('a secret with spaces from secretEnv: the real sender passes, a one-letter key that is one of its words does not', async () => {
    t = await startTestServer({
      hooks: { gh: { command: 'pull {{repository.name}}', auth: { type: 'github', secretEnv: 'GH_SECRET' } } },
      deps: { secretSources: sources({ GH_SECRET: GITHUB_DOC_SECRET }) },
    });
    const ok = await github(`${t.url}/hooks/gh`, GITHUB_DOC_SECRET, 'push', push, 'd-1');
    expect(ok.status).toBe(202);
    const forged = await github(`${t.url}/hooks/gh`, 'a', 'push', push, 'd-2');
    expect(forged.status).toBe(401);
    const word = await github(`${t.url}/hooks/gh`, 'Secret', 'push', push, 'd-3');
    expect(word.status).toBe(401);
    expect(t.tasks().map((x) => x.text)).toEqual(['pull web']);
  });

  it('rotation: `secrets: [...]` or one secret per line in secretFile; each whole line is one secret', async () => {
    const old = 'old secret with spaces 1';
    const next = 'new secret with spaces 2';
    t = await startTestServer({
      hooks: {
        listed: { auth: { type: 'github', secrets: [old, next] } },
        filed: { auth: { type: 'github', secretFile: '/etc/gh.secret' } },
      },
      deps: { secretSources: sources({}, { '/etc/gh.secret': `${old}\n${next}\n` }) },
    });
    const body = JSON.stringify({ command: 'git status' });
    for (const hook of ['listed', 'filed']) {
      expect((await github(`${t.url}/hooks/${hook}`, old, 'push', body, `${hook}-1`)).status).toBe(202);
      expect((await github(`${t.url}/hooks/${hook}`, next, 'push', body, `${hook}-2`)).status).toBe(202);
      expect((await github(`${t.url}/hooks/${hook}`, 'old', 'push', body, `${hook}-3`)).status).toBe(401);
    }
    expect(t.tasks()).toHaveLength(4);
  });
});

describe('hooks.NAME.events (GitHub X-GitHub-Event, Standard Webhooks type)', () => {
  const hooks = {
    'github-pull': {
      command: 'git -C /srv/{{repository.name}} pull',
      events: ['push'],
      auth: { type: 'github', secret: GITHUB_DOC_SECRET },
    },
    'any-event': { command: 'echo {{repository.name}}', auth: { type: 'github', secret: GITHUB_DOC_SECRET } },
    deploy: { command: 'deploy {{data.ref}}', events: ['deploy.requested'], auth: { type: 'standard', secret: whsec } },
  };

  it("GitHub's ping (sent when the hook is saved) is answered 200 {pong: true} and never queued, with or without events", async () => {
    t = await startTestServer({ hooks });
    const ping = JSON.stringify({
      zen: 'Keep it logically awesome.',
      hook_id: 1,
      hook: { type: 'Repository', events: ['push'] },
    });
    for (const hook of ['github-pull', 'any-event']) {
      const r = await github(`${t.url}/hooks/${hook}`, GITHUB_DOC_SECRET, 'ping', ping, `ping-${hook}`);
      expect(r.status).toBe(200);
      expect(await jsonOf(r)).toEqual({ pong: true });
    }
    expect(t.tasks()).toHaveLength(0);
    expect(await metric(t.url, 'webhook_tui_hook_events_unqueued_total', 'hook="github-pull",outcome="ping"')).toBe(1);
  });

  it('issues and star events are answered 202 {ignored} and counted, never queued; push runs the command', async () => {
    t = await startTestServer({ hooks });
    const issue = JSON.stringify({ action: 'opened', issue: { title: 'x' }, repository: { name: 'web' } });
    for (const [event, body] of [
      ['issues', issue],
      ['star', JSON.stringify({ action: 'created', repository: { name: 'web' } })],
    ] as const) {
      const r = await github(`${t.url}/hooks/github-pull`, GITHUB_DOC_SECRET, event, body, `d-${event}`);
      expect(r.status).toBe(202);
      expect(await jsonOf(r)).toEqual({ ignored: event });
    }
    expect(t.tasks()).toHaveLength(0);
    const r = await github(`${t.url}/hooks/github-pull`, GITHUB_DOC_SECRET, 'push', push, 'd-push');
    expect(r.status).toBe(202);
    expect(t.tasks().map((x) => x.text)).toEqual(['git -C /srv/web pull']);
    expect(await metric(t.url, 'webhook_tui_hook_events_unqueued_total', 'hook="github-pull",outcome="ignored"')).toBe(
      2,
    );
  });

  it('a forged ping is still 401: the event is looked at only after the signature', async () => {
    t = await startTestServer({ hooks });
    const r = await github(`${t.url}/hooks/github-pull`, 'not the secret at all', 'ping', '{}', 'd-x');
    expect(r.status).toBe(401);
  });

  it("Standard Webhooks: the payload's type decides; another type is ignored, a payload without type is 400", async () => {
    t = await startTestServer({ hooks });
    const wh = new StandardWebhook(whsec);
    const send = (id: string, payload: unknown) => {
      const body = JSON.stringify(payload);
      const at = new Date();
      return postJson(`${t.url}/hooks/deploy`, body, {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': wh.sign(id, at, body),
      });
    };
    const run = await send('m1', { type: 'deploy.requested', data: { ref: 'v1.2' } });
    expect(run.status).toBe(202);
    const other = await send('m2', { type: 'invoice.paid', data: { ref: 'v9' } });
    expect(other.status).toBe(202);
    expect(await jsonOf(other)).toEqual({ ignored: 'invoice.paid' });
    const none = await send('m3', { data: { ref: 'v9' } });
    expect(none.status).toBe(400);
    expect((await jsonOf(none)).message).toContain('type');
    expect(t.tasks().map((x) => x.text)).toEqual(['deploy v1.2']);
  });
});

describe('other encodings real senders use', () => {
  it('svix-id / svix-timestamp / svix-signature from the svix library are accepted (and verify with svix itself)', async () => {
    t = await startTestServer({
      hooks: { deploy: { command: 'deploy {{ref}}', auth: { type: 'standard', secret: whsec } } },
    });
    const wh = new SvixWebhook(whsec);
    const body = JSON.stringify({ ref: 'main' });
    const at = new Date();
    const headers = {
      'svix-id': 'msg_svix_1',
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': wh.sign('msg_svix_1', at, body),
    };
    expect(() => wh.verify(body, headers)).not.toThrow();
    const r = await postJson(`${t.url}/hooks/deploy`, body, headers);
    expect(r.status).toBe(202);
    expect(t.tasks()[0]).toMatchObject({ text: 'deploy main', idemKey: 'hook:deploy:msg_svix_1' });
    const replay = await postJson(`${t.url}/hooks/deploy`, body, headers);
    expect(replay.status).toBe(401);
    const forged = await postJson(`${t.url}/hooks/deploy`, JSON.stringify({ ref: 'evil' }), headers);
    expect(forged.status).toBe(401);
    expect(t.tasks()).toHaveLength(1);
  });

  it('a GitHub delivery sent as application/x-www-form-urlencoded (payload=JSON) is accepted, signed over the form bytes', async () => {
    t = await startTestServer({
      hooks: {
        gh: {
          command: 'pull {{repository.name}}',
          events: ['push'],
          auth: { type: 'github', secret: GITHUB_DOC_SECRET },
        },
      },
    });
    const form = new URLSearchParams({ payload: JSON.stringify({ repository: { name: 'web app' } }) }).toString();
    const r = await github(
      `${t.url}/hooks/gh`,
      GITHUB_DOC_SECRET,
      'push',
      form,
      'f-1',
      'application/x-www-form-urlencoded',
    );
    expect(r.status).toBe(202);
    expect(t.tasks()[0]?.text).toBe(`pull 'web app'`);
    const ping = await github(
      `${t.url}/hooks/gh`,
      GITHUB_DOC_SECRET,
      'ping',
      new URLSearchParams({ payload: '{"zen":"x"}' }).toString(),
      'f-2',
      'application/x-www-form-urlencoded',
    );
    expect(await jsonOf(ping)).toEqual({ pong: true });
  });
});
