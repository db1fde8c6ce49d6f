import { describe, expect, it } from 'vitest';
import { defaultNodeName } from '../../src/engine/cluster/config.js';
import { describeEndpoint } from '../../src/engine/cluster/redis-options.js';
import { gidOf, parseGid, sign, verify, type ForwardPayload } from '../../src/engine/cluster/signing.js';
import { resolveConfig } from '../../src/engine/config/resolve.js';

const SECRET = 'x'.repeat(40);
const task: ForwardPayload = {
  gid: 'alpha.17',
  origin: 'alpha',
  target: 'beta-shell',
  text: 'echo hi',
  priority: 5,
  category: 'default',
  receivedAt: 1700000000000,
};

describe('cluster config', () => {
  it('is off by default, and nothing else is required then', () => {
    const c = resolveConfig({}, {});
    expect(c.cluster.redis).toBeNull();
    expect(c.cluster.prefix).toBe('wht');
  });

  it('takes a URL, a socket path, or an object with a password file', () => {
    const base = { secretFile: '/s' };
    expect(resolveConfig({ cluster: { ...base, redis: 'redis://h:6380/2' } }, {}).cluster.redis).toEqual({
      url: 'redis://h:6380/2',
      passwordFile: null,
    });
    expect(resolveConfig({ cluster: { ...base, redis: '/run/r.sock' } }, {}).cluster.redis?.url).toBe('/run/r.sock');
    const obj = resolveConfig({ cluster: { ...base, redis: { url: 'rediss://h', passwordFile: '/p' } } }, {});
    expect(obj.cluster.redis).toEqual({ url: 'rediss://h', passwordFile: '/p' });
  });

  it.each([
    [{ redis: 'redis://h' }, 'cluster.secretFile: required when cluster.redis is set'],
    [{ redis: 'http://h', secretFile: '/s' }, 'cluster.redis'],
    [{ node: 'a.b' }, 'cluster.node: 1-64 letters, digits, _ and - only'],
    [{ redis: 'redis://h', secretFile: '/s', heartbeatMs: 5000, nodeTtlMs: 6000 }, 'cluster.nodeTtlMs'],
  ])('refuses %j naming the key', (cluster, message) => {
    expect(() => resolveConfig({ cluster }, {})).toThrow(message);
  });

  it('gives targets a pool', () => {
    const c = resolveConfig({ targets: { a: { pane: '%1', pool: 'reviewers' }, b: { pane: '%2' } } }, {});
    expect([c.targets.a?.pool, c.targets.b?.pool]).toEqual(['reviewers', null]);
  });

  it('names the node after the host name when not told', () => {
    expect(defaultNodeName('web-1.example.com')).toBe('web-1');
    expect(defaultNodeName('a_b+c')).toBe('a_b-c');
    expect(defaultNodeName('')).toBe('node');
  });

  it('never shows a password from the URL', () => {
    expect(describeEndpoint({ url: 'redis://user:hunter2@h:6379', passwordFile: null })).toBe(
      'redis://user:***@h:6379',
    );
    expect(describeEndpoint({ url: 'redis://:hunter2@h', passwordFile: null })).toBe('redis://***@h');
    expect(describeEndpoint({ url: '/run/r.sock', passwordFile: null })).toBe('unix:/run/r.sock');
  });
});

describe('forwarded task signatures', () => {
  it('verifies a job signed with the same secret, whatever its key order', () => {
    const job = sign(task, SECRET);
    const reordered = JSON.parse(JSON.stringify({ sig: job.sig, task: { ...task }, v: 1 })) as unknown;
    expect(verify(reordered, SECRET)).toEqual({ ok: true, task });
  });

  it.each<[string, (j: ReturnType<typeof sign>) => unknown]>([
    ['altered text', (j) => ({ ...j, task: { ...j.task, text: 'rm -rf ~' } })],
    ['altered target', (j) => ({ ...j, task: { ...j.task, target: 'other' } })],
    ['altered priority', (j) => ({ ...j, task: { ...j.task, priority: 100 } })],
    ['no signature', (j) => ({ ...j, sig: '' })],
    ['not hex', (j) => ({ ...j, sig: 'zz' })],
    ['a string', () => 'echo hi'],
    ['missing field', (j) => ({ ...j, task: { ...j.task, category: undefined } })],
  ])('refuses a job with %s', (_, change) => {
    const r = verify(change(sign(task, SECRET)), SECRET);
    expect(r.ok).toBe(false);
  });

  it('refuses a job signed with another secret', () => {
    const r = verify(sign(task, 'y'.repeat(40)), SECRET);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('signature does not match') });
  });

  it('round-trips global ids', () => {
    expect(parseGid(gidOf('alpha', 17))).toEqual({ node: 'alpha', id: 17 });
    expect(parseGid('alpha.0')).toBeUndefined();
    expect(parseGid('a.b.1')).toBeUndefined();
  });
});
