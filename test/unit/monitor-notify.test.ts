import { describe, expect, it } from 'vitest';
import { Notifier } from '../../src/engine/monitor/notify.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import type { AlertTransition } from '../../src/engine/monitor/types.js';

const alert = (i: number): AlertTransition => ({
  at: i,
  rule: 'cpu',
  state: 'firing',
  severity: 'warning',
  value: i,
  threshold: 80,
  message: `m${i}`,
});

function fakeFetch(statuses: number[]) {
  const calls: string[] = [];
  const fn = (async (_url: string, init?: RequestInit) => {
    calls.push(String(init?.body));
    return new Response('x', { status: statuses.shift() ?? 200 });
  }) as typeof fetch;
  return { fn, calls };
}

describe('Notifier', () => {
  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    const f = fakeFetch([500, 429, 200]);
    const n = new Notifier({
      logger: silentLogger,
      webhookUrl: 'http://x/h',
      timeoutMs: 100,
      attempts: 3,
      backoffMs: 1,
      tmuxDisplay: false,
      fetch: f.fn,
    });
    n.notify(alert(1));
    await n.idle();
    expect(f.calls).toHaveLength(3);
    expect(n.stats).toEqual({ sent: 1, failed: 0, dropped: 0 });
  });

  it('does not retry a 4xx other than 429', async () => {
    const f = fakeFetch([404]);
    const n = new Notifier({
      logger: silentLogger,
      webhookUrl: 'http://x/h',
      timeoutMs: 100,
      attempts: 3,
      backoffMs: 1,
      tmuxDisplay: false,
      fetch: f.fn,
    });
    n.notify(alert(1));
    await n.idle();
    expect(f.calls).toHaveLength(1);
    expect(n.stats.failed).toBe(1);
  });

  it('keeps a bounded queue, dropping the oldest, and sends in order', async () => {
    const f = fakeFetch([]);
    const n = new Notifier({
      logger: silentLogger,
      webhookUrl: 'http://x/h',
      timeoutMs: 100,
      attempts: 1,
      tmuxDisplay: false,
      fetch: f.fn,
      maxQueue: 2,
    });
    for (let i = 1; i <= 5; i++) n.notify(alert(i));
    await n.idle();
    // The first is taken by the worker at once; of the 4 queued behind it, the 2 oldest are dropped.
    expect(f.calls.map((b) => (JSON.parse(b) as { alert: { value: number } }).alert.value)).toEqual([1, 4, 5]);
    expect(n.stats.dropped).toBe(2);
  });

  it('shows each transition with tmux display-message even without a webhook', async () => {
    const calls: string[][] = [];
    const n = new Notifier({
      logger: silentLogger,
      timeoutMs: 100,
      attempts: 1,
      tmuxDisplay: true,
      tmux: async (a) => calls.push([...a]),
    });
    n.notify(alert(1));
    await n.close();
    expect(calls).toEqual([['display-message', '🟠 webhook-tui alert cpu FIRING: m1']]);
  });
});
