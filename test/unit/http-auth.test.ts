import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { randomBytes } from 'node:crypto';
import { verifyBearer, verifyGithub, verifyStandard, safeEqual } from '../../src/engine/intake/http/auth.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const other = `whsec_${randomBytes(32).toString('base64')}`;
const body = Buffer.from('{"type":"deploy","data":{"ref":"main"}}');
const NOW = 1_800_000_000_000;

function signed(s: string, id = 'msg_1', atMs = NOW, payload: Buffer = body): Record<string, string> {
  const wh = new Webhook(s);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(atMs / 1000)),
    'webhook-signature': wh.sign(id, new Date(atMs), payload.toString()),
  };
}
const opts = { toleranceSec: 300, nowMs: NOW };

describe('verifyStandard', () => {
  it('accepts a signature made by the standardwebhooks reference library and returns the webhook-id and timestamp', () => {
    expect(verifyStandard(signed(secret), body, [secret], opts)).toEqual({
      ok: true,
      id: 'msg_1',
      timestamp: String(NOW / 1000),
    });
  });

  it("accepts Svix's header names (svix-id, svix-timestamp, svix-signature) as the same scheme, never a mix of both sets", () => {
    const h = signed(secret);
    const svix = {
      'svix-id': h['webhook-id']!,
      'svix-timestamp': h['webhook-timestamp']!,
      'svix-signature': h['webhook-signature']!,
    };
    expect(verifyStandard(svix, body, [secret], opts)).toMatchObject({ ok: true, id: 'msg_1' });
    const mixed = {
      'webhook-id': 'msg_1',
      'svix-timestamp': h['webhook-timestamp']!,
      'svix-signature': h['webhook-signature']!,
    };
    expect(verifyStandard(mixed, body, [secret], opts)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('missing'),
    });
  });

  it('accepts when any of several signatures matches (sender rotating keys)', () => {
    const a = signed(other);
    const b = signed(secret);
    const headers = { ...b, 'webhook-signature': `${a['webhook-signature']} ${b['webhook-signature']}` };
    expect(verifyStandard(headers, body, [secret], opts).ok).toBe(true);
  });

  it('accepts when the receiver holds old and new secrets (receiver rotating keys)', () => {
    expect(verifyStandard(signed(other), body, [secret, other], opts).ok).toBe(true);
  });

  it.each([
    [
      'a forged signature',
      { 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` },
      'no matching signature',
    ],
    [
      'a truncated signature (unequal length must not throw)',
      { 'webhook-signature': 'v1,AAAA' },
      'no matching signature',
    ],
    ['only an unknown version', { 'webhook-signature': 'v2,abc' }, 'no v1 signature'],
    ['a malformed timestamp', { 'webhook-timestamp': '12.5' }, 'malformed webhook-timestamp'],
    ['a webhook-id with a dot', { 'webhook-id': 'a.b' }, 'malformed webhook-id'],
  ])('refuses %s', (_name, override, reason) => {
    const r = verifyStandard({ ...signed(secret), ...override }, body, [secret], opts);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('refuses a body changed after signing', () => {
    const r = verifyStandard(signed(secret), Buffer.from('{"type":"deploy","data":{"ref":"evil"}}'), [secret], opts);
    expect(r.ok).toBe(false);
  });

  it('refuses a signature by the wrong secret', () => {
    expect(verifyStandard(signed(other), body, [secret], opts).ok).toBe(false);
  });

  it('refuses stale and future timestamps outside +-5 min, accepts inside', () => {
    expect(verifyStandard(signed(secret, 'm', NOW - 301_000), body, [secret], opts)).toEqual({
      ok: false,
      reason: 'webhook-timestamp too old',
    });
    expect(verifyStandard(signed(secret, 'm', NOW + 301_000), body, [secret], opts)).toEqual({
      ok: false,
      reason: 'webhook-timestamp too far in the future',
    });
    expect(verifyStandard(signed(secret, 'm', NOW - 299_000), body, [secret], opts).ok).toBe(true);
    expect(verifyStandard(signed(secret, 'm', NOW + 299_000), body, [secret], opts).ok).toBe(true);
  });

  it('refuses missing headers', () => {
    const { 'webhook-signature': _drop, ...rest } = signed(secret);
    expect(verifyStandard(rest, body, [secret], opts).ok).toBe(false);
  });
});

describe('verifyGithub', () => {
  it('accepts a signature made by @octokit/webhooks-methods and returns X-GitHub-Delivery', async () => {
    const sig = await githubSign('gh-secret', body.toString());
    const r = verifyGithub({ 'x-hub-signature-256': sig, 'x-github-delivery': 'guid-1' }, body, ['gh-secret']);
    expect(r).toEqual({ ok: true, id: 'guid-1' });
  });

  it('refuses a wrong secret, a forged or short signature, and a missing header', async () => {
    const sig = await githubSign('other', body.toString());
    expect(verifyGithub({ 'x-hub-signature-256': sig }, body, ['gh-secret']).ok).toBe(false);
    expect(verifyGithub({ 'x-hub-signature-256': 'sha256=abcd' }, body, ['gh-secret']).ok).toBe(false);
    expect(verifyGithub({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body, ['gh-secret']).ok).toBe(false);
    expect(verifyGithub({}, body, ['gh-secret'])).toEqual({ ok: false, reason: 'missing X-Hub-Signature-256 header' });
  });
});

describe('verifyBearer', () => {
  it('accepts the right token and refuses wrong, short, missing or non-Bearer credentials', () => {
    expect(verifyBearer({ authorization: 'Bearer s3cr3t-token' }, ['s3cr3t-token']).ok).toBe(true);
    expect(verifyBearer({ authorization: 'bearer s3cr3t-token' }, ['s3cr3t-token']).ok).toBe(true);
    expect(verifyBearer({ authorization: 'Bearer s3cr3t' }, ['s3cr3t-token']).ok).toBe(false);
    expect(verifyBearer({ authorization: 'Basic czNjcjN0' }, ['s3cr3t-token']).ok).toBe(false);
    expect(verifyBearer({}, ['s3cr3t-token']).ok).toBe(false);
  });

  it('safeEqual compares values of different lengths without throwing', () => {
    expect(safeEqual('a', 'abc')).toBe(false);
    expect(safeEqual('abc', 'abc')).toBe(true);
  });
});
