import { describe, expect, it } from 'vitest';
import { callbacksConfigSchema } from '../../src/engine/callbacks-config.js';
import { callbackBody, checkCallbackUrl, nextCallbackTry, taskCallback } from '../../src/engine/callbacks/policy.js';
import { parseCallbackField } from '../../src/engine/intake/trigger.js';

const cfg = callbacksConfigSchema.parse({ retryBaseMs: 1000, retryMaxMs: 60_000, giveUpAfterMs: 86_400_000 });
const half = () => 0.5;

describe('callback URLs', () => {
  it.each([
    ['http://127.0.0.1:9/cb', []],
    ['http://localhost/cb', []],
    ['http://[::1]:8080/x', []],
    ['https://hooks.example.com/a', ['hooks.example.com']],
  ] as const)('allows %s', (url, allow) => {
    expect(() => checkCallbackUrl(url, allow)).not.toThrow();
  });

  it.each([
    ['https://example.com/a', [], /host example\.com is not loopback and not in callbacks\.allow/],
    ['http://10.0.0.1/a', ['example.com'], /host 10\.0\.0\.1 is not loopback/],
    ['file:///etc/passwd', [], /file: URLs are not allowed/],
    ['http://user:pw@127.0.0.1/a', [], /credentials in the URL/],
    ['not a url', [], /is not a URL/],
  ] as const)('refuses %s', (url, allow, why) => {
    expect(() => checkCallbackUrl(url, allow)).toThrow(why);
  });

  it('a task callback takes the default events and the global secret; a hook its own', () => {
    const setup = {
      callbacks: { ...cfg, secretFile: '/s' },
      hooks: { ci: { callback: { url: 'http://127.0.0.1/h', secretEnv: 'X' } } },
    };
    expect(taskCallback({ url: 'http://127.0.0.1/a' }, setup)).toEqual({
      url: 'http://127.0.0.1/a',
      events: ['delivered', 'completed', 'stalled', 'dead'],
      secret: 'callbacks',
    });
    expect(taskCallback({ url: 'http://127.0.0.1/h', events: ['completed'], secret: 'hooks.ci' }, setup)).toEqual({
      url: 'http://127.0.0.1/h',
      events: ['completed'],
      secret: 'hooks.ci',
    });
  });
});

describe('callback retries', () => {
  const at = (attempts: number, now = 10_000, extra = {}) =>
    nextCallbackTry({ attempts, createdAt: 0, now, status: 503, retryAfterSec: null, ...extra }, cfg, half);

  it('backs off exponentially up to retryMaxMs, with jitter', () => {
    expect(at(1)).toBe(10_000 + 900);
    expect(at(3)).toBe(10_000 + 3600);
    expect(at(20)).toBe(10_000 + 54_000);
  });

  it('honours Retry-After (capped at retryMaxMs)', () => {
    expect(at(1, 10_000, { retryAfterSec: 30 })).toBe(40_000);
    expect(at(1, 10_000, { retryAfterSec: 100_000 })).toBe(70_000);
  });

  it('gives up on 410 Gone, and once the next try would be past giveUpAfterMs', () => {
    expect(at(1, 10_000, { status: 410 })).toBeNull();
    expect(at(30, 86_390_000)).toBeNull();
  });

  it('the body follows the Standard Webhooks shape: type, timestamp, data', () => {
    expect(JSON.parse(callbackBody('completed', Date.UTC(2026, 0, 2), { id: 7 }))).toEqual({
      type: 'task.completed',
      timestamp: '2026-01-02T00:00:00.000Z',
      data: { id: 7 },
    });
  });
});

describe('the callback field of a JSON trigger', () => {
  it('takes a URL or {url, events}', () => {
    expect(parseCallbackField('http://127.0.0.1/x')).toEqual({ url: 'http://127.0.0.1/x' });
    expect(parseCallbackField({ url: 'http://127.0.0.1/x', events: ['dead'] })).toEqual({
      url: 'http://127.0.0.1/x',
      events: ['dead'],
    });
    expect(parseCallbackField(undefined)).toBeUndefined();
  });

  it('says what is wrong', () => {
    expect(parseCallbackField(3)).toBe('field "callback" must be a URL or {"url", "events"}');
    expect(parseCallbackField({ url: 'x', secret: 'y' })).toBe('unknown field(s) in callback: secret');
    expect(parseCallbackField({ url: 'x', events: ['finished'] })).toMatch(
      /^field "callback.events" must list task states/,
    );
  });
});
