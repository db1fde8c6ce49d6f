import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { useFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));

interface SseEvent {
  id: string;
  event: string;
  data: { type: string; at: number; data: Record<string, unknown> };
}

/** A GET /v1/events stream read with fetch, parsed into events as they arrive. */
class SseClient {
  readonly events: SseEvent[] = [];
  private readonly aborter = new AbortController();
  status = 0;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  async open(): Promise<void> {
    const res = await fetch(this.url, { headers: this.headers, signal: this.aborter.signal });
    this.status = res.status;
    if (!res.ok || !res.body) return;
    void this.read(res.body.getReader()).catch(() => undefined);
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const field = (name: string) => block.match(new RegExp(`^${name}: ?(.*)$`, 'm'))?.[1];
        const data = field('data');
        if (data)
          this.events.push({
            id: field('id') ?? '',
            event: field('event') ?? '',
            data: JSON.parse(data) as SseEvent['data'],
          });
      }
    }
  }

  close(): void {
    this.aborter.abort();
  }
}

describe('GET /v1/events (Server-Sent Events)', () => {
  const fx = useFixture();

  async function agentEngine(extra: Record<string, unknown> = {}): Promise<{ engine: Engine; token: string }> {
    const file = join(fx.dir, 'agent.jsonl');
    const opts = JSON.stringify({ answer: 'sse: {prompt}' });
    const pane = fx.tmux.session('agent', [process.execPath, FAKE_AGENT, file, '300', '0', opts], { x: 100, y: 40 });
    const engine = await fx.start(
      fx.config({ targets: { claude: { pane, preset: 'claude-code' } }, http: { enabled: true, port: 0 }, ...extra }),
    );
    const token = readFileSync(join(engine.config.dataDir, 'token'), 'utf8').trim();
    return { engine, token };
  }

  function client(engine: Engine, token: string, headers: Record<string, string> = {}, query = ''): SseClient {
    const c = new SseClient(`${engine.httpUrl()}/v1/events${query}`, { authorization: `Bearer ${token}`, ...headers });
    fx.defer(() => c.close());
    return c;
  }

  const types = (c: SseClient, id: number) =>
    c.events.filter((e) => e.event === 'task' && e.data.data.id === id).map((e) => e.data.type);

  it('streams a task’s state changes live, in order, and resumes from Last-Event-ID out of the database', async () => {
    const { engine, token } = await agentEngine();
    const live = client(engine, token);
    await live.open();
    expect(live.status).toBe(200);
    const { task } = engine.enqueue({ text: 'stream me', target: 'claude', source: 'api' });
    const all = ['queued', 'delivering', 'delivered', 'working', 'completed'].map((s) => `task.${s}`);
    await waitFor(() => types(live, task.id).length >= all.length, 20_000, 'five events');
    expect(types(live, task.id)).toEqual(all);
    const ids = live.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(live.events.at(-1)!.data.data).toMatchObject({ state: 'completed', output: 'sse: stream me' });

    // a client that saw up to `delivered` gets the rest, from the log
    const delivered = live.events.find((e) => e.data.type === 'task.delivered')!;
    const resumed = client(engine, token, { 'last-event-id': delivered.id });
    await resumed.open();
    await waitFor(() => types(resumed, task.id).length >= 2, 10_000, 'the missed events');
    expect(types(resumed, task.id)).toEqual(['task.working', 'task.completed']);
    const fromStart = client(engine, token, {}, '?since=0');
    await fromStart.open();
    await waitFor(() => types(fromStart, task.id).length >= all.length, 10_000, 'the whole log');
    expect(types(fromStart, task.id)).toEqual(all);
  });

  it('streams the monitor’s alerts, and needs the token', async () => {
    const { engine, token } = await agentEngine({
      queue: { capacity: 10, rateLimit: { perSecond: 0 } },
      monitor: { sampleMs: 1000, alerts: { queueDepth: { percent: 10, forMs: 0 } } },
    });
    const denied = client(engine, 'wrong-token');
    await denied.open();
    expect(denied.status).toBe(401);
    const c = client(engine, token);
    await c.open();
    engine.pause();
    for (const n of [1, 2, 3]) engine.enqueue({ text: `held ${n}`, target: 'claude', source: 'api' });
    await waitFor(() => c.events.some((e) => e.event === 'alert'), 20_000, 'an alert event');
    const alert = c.events.find((e) => e.event === 'alert')!;
    expect(alert.data).toMatchObject({ type: 'alert.firing', data: { rule: 'queueDepth', state: 'firing' } });
  });
});
