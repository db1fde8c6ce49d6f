import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { Engine } from '../../src/engine/engine.js';
import { hooksConfigSchema, httpConfigSchema } from '../../src/engine/intake/http/config.js';
import { httpEnqueue } from '../../src/engine/intake/http/client.js';
import { startHttpServer, type RunningHttpServer } from '../../src/engine/intake/http/server.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import { isWhtError } from '../../src/engine/errors.js';
import { useFixture } from '../helpers/fixture.js';
import { holdsFor, recorded, waitFor } from '../helpers/tmux.js';

const whsec = `whsec_${randomBytes(32).toString('base64')}`;

function post(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP into a real tmux pane (engine, SQLite, tmux on a private socket)', () => {
  let engine: Engine | undefined;
  let server: RunningHttpServer | undefined;

  const fx = useFixture({ tmpPrefix: 'wht-http-e2e-' });
  afterEach(async () => {
    await server?.close(500);
    server = undefined;
  });

  it('signed hooks and /v1 tasks reach the pane in order, each once, with payload values as quoted data', async () => {
    const { pane, file } = await fx.recorder('rec');
    engine = await fx.start(fx.config({ targets: { default: { pane } } }));
    server = await startHttpServer({
      api: engine,
      config: httpConfigSchema.parse({ port: 0 }),
      hooks: hooksConfigSchema.parse({
        deploy: { command: 'deploy {{ref}}', auth: { type: 'standard', secret: whsec } },
      }),
      token: 'tok-0123456789abcdef',
      ready: async () => ({ ok: true, checks: {} }),
      clock: systemClock,
      logger: silentLogger,
    });
    const wh = new Webhook(whsec);
    const want: string[] = [];
    for (let i = 0; i < 10; i++) {
      const body = JSON.stringify({ ref: i % 2 ? `main; echo ${i}` : `v${i}` });
      const at = new Date();
      const headers = {
        'content-type': 'application/json',
        'webhook-id': `m${i}`,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': wh.sign(`m${i}`, at, body),
      };
      const r = await fetch(`${server.url}/hooks/deploy`, { method: 'POST', headers, body });
      expect(r.status).toBe(202);
      want.push(i % 2 ? `deploy 'main; echo ${i}'` : `deploy v${i}`);
      const sent = await httpEnqueue({
        url: server.url,
        token: 'tok-0123456789abcdef',
        task: { command: `api ${i}`, id: `k${i}` },
      });
      expect(sent).toMatchObject({ state: 'queued', duplicate: false });
      want.push(`api ${i}`);
    }
    const again = await httpEnqueue({
      url: server.url,
      token: 'tok-0123456789abcdef',
      task: { command: 'api 0', id: 'k0' },
    });
    expect(again.duplicate).toBe(true);
    await waitFor(() => recorded(file).length >= want.length, 20_000, `${want.length} lines`);
    await holdsFor(() => recorded(file).length === want.length, 300, 'no duplicate line in the pane');
    expect(recorded(file)).toEqual(want);
  });

  it('a burst of 2,000 token-authenticated requests at 500/s under the default per-address limit: all accepted, typed once each, in order', async () => {
    const { pane, file } = await fx.recorder('rec');
    // room for the whole burst: this is about the per-address limit, not the queue's capacity (1,000 by default)
    engine = await fx.start(fx.config({ targets: { default: { pane } }, queue: { capacity: 10_000 } }));
    server = await startHttpServer({
      api: engine,
      config: httpConfigSchema.parse({ port: 0 }),
      hooks: {},
      token: 'tok-0123456789abcdef',
      ready: async () => ({ ok: true, checks: {} }),
      clock: systemClock,
      logger: silentLogger,
    });
    const url = `${server.url}/v1/tasks`;
    const headers = { 'content-type': 'application/json', authorization: 'Bearer tok-0123456789abcdef' };
    // a sender's connection pool (50 keep-alive connections), not one new connection per request
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const answers: Promise<{ status: number; id: number; error?: string; command: string }>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) {
      const wait = t0 + i * 2 - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const command = `burst ${i}`;
      answers.push(
        post(agent, url, JSON.stringify({ command, id: `b${i}` }), headers).then((r) => ({
          status: r.status,
          ...(JSON.parse(r.body) as { id: number; error?: string }),
          command,
        })),
      );
    }
    const results = await Promise.all(answers);
    agent.destroy();
    expect(results.filter((r) => r.status !== 202).map((r) => `${r.status} ${r.error}`)).toEqual([]);
    // concurrent connections have no arrival order of their own: the order is the queue's (commit order = id order)
    const want = results.sort((a, b) => a.id - b.id).map((r) => r.command);
    expect(new Set(want).size).toBe(2000);
    await waitFor(() => recorded(file).length >= want.length, 60_000, '2000 lines');
    await waitFor(() => engine!.stats().pending === 0, 5_000, 'queue drained');
    expect(recorded(file)).toEqual(want);
  }, 90_000);

  it('httpEnqueue maps refusals and an absent server to error codes', async () => {
    engine = await fx.start(fx.config({}));
    engine.pause();
    server = await startHttpServer({
      api: engine,
      config: httpConfigSchema.parse({ port: 0 }),
      hooks: {},
      token: 'tok-0123456789abcdef',
      ready: async () => ({ ok: true, checks: {} }),
      clock: systemClock,
      logger: silentLogger,
    });
    await expect(httpEnqueue({ url: server.url, token: 'wrong', task: { command: 'x' } })).rejects.toMatchObject({
      code: 'WHT_ERR_AUTH_FAILED',
    });
    await expect(
      httpEnqueue({ url: server.url, token: 'tok-0123456789abcdef', task: { command: 'a\u001bb' } }),
    ).rejects.toMatchObject({
      code: 'WHT_ERR_TEXT_UNSAFE',
      message: expect.stringContaining('escape (ESC) U+001B at position 1'),
    });
    const url = server.url;
    await server.close();
    const err = await httpEnqueue({ url, token: 'x', task: { command: 'x' } }).catch((e: unknown) => e);
    expect(isWhtError(err, 'WHT_ERR_ENGINE_UNREACHABLE')).toBe(true);
  });
});
