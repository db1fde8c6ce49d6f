import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  assertSafeBind,
  hooksConfigSchema,
  httpConfigSchema,
  isLoopbackHost,
  resolveHooks,
} from '../../src/engine/intake/http/config.js';
import { matchRoute } from '../../src/engine/intake/http/router.js';

const whsec = `whsec_${randomBytes(32).toString('base64')}`;
const noFiles = {
  env: {},
  readFile: () => {
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  },
};

describe('httpConfigSchema', () => {
  it('defaults to a loopback bind on 8787 with a 64 KiB body limit and timeouts', () => {
    const c = httpConfigSchema.parse({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      bodyLimit: 65536,
      timeouts: { headersMs: 5000, requestMs: 10000 },
    });
    expect(c.rateLimit).toMatchObject({ enabled: true, perSecond: 20, burst: 60 });
  });

  it('names the key of a bad value', () => {
    const r = httpConfigSchema.safeParse({ timeouts: { headersMs: 'x' }, bogus: 1 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('timeouts.headersMs');
  });
});

describe('hooksConfigSchema / resolveHooks', () => {
  it('fills hook defaults and reads secrets from env and files; a secret is one whole value, a file line per secret', () => {
    const hooks = hooksConfigSchema.parse({
      a: { auth: { type: 'token', secretEnv: 'HOOK_A' } },
      b: { target: 'agent', priority: 5, command: 'deploy {{ref}}', auth: { type: 'github', secretFile: '/s/b' } },
      c: {},
      d: { auth: { type: 'github', secretEnv: 'HOOK_D' } },
      e: {
        events: ['push', 'release'],
        auth: { type: 'github', secrets: ["It's a Secret to Everybody", 'second secret, rotated in'] },
      },
    });
    const env = { HOOK_A: 'tok1-0123456789abcdef', HOOK_D: "It's a Secret to Everybody" };
    const r = resolveHooks(hooks, {
      env,
      readFile: (p) => (p === '/s/b' ? 'gh secret number one\r\ngh secret number two\n\n' : ''),
    });
    expect(r.get('a')).toMatchObject({
      target: 'default',
      priority: 0,
      category: 'default',
      quote: 'shell',
      auth: { type: 'token', secrets: ['tok1-0123456789abcdef'] },
      events: null,
    });
    expect(r.get('b')).toMatchObject({
      target: 'agent',
      priority: 5,
      auth: { type: 'github', secrets: ['gh secret number one', 'gh secret number two'] },
    });
    expect(r.get('c')?.auth).toBeNull();
    expect(r.get('d')?.auth?.secrets).toEqual(["It's a Secret to Everybody"]);
    expect(r.get('e')?.auth?.secrets).toHaveLength(2);
    expect([...(r.get('e')?.events ?? [])]).toEqual(['push', 'release']);
  });

  it.each([
    [
      { a: { auth: { type: 'github', secret: 'a' } } },
      'hooks.a.auth: the github secret from auth.secret is shorter than 16 characters',
    ],
    [
      { a: { auth: { type: 'github', secrets: ['long enough secret 1', 'short'] } } },
      'hooks.a.auth: the github secret from auth.secrets (entry 2 of 2) is shorter than 16 characters',
    ],
    [
      { a: { auth: { type: 'token', secret: 'two words but long enough' } } },
      'hooks.a.auth: the token secret from auth.secret must be one word of visible ASCII characters (a bearer token cannot hold spaces)',
    ],
    [
      { a: { auth: { type: 'token', secretEnv: 'TOK' } } },
      'hooks.a.auth: the token secret from environment variable TOK must be one word',
    ],
    [
      { a: { auth: { type: 'github', secretFile: '/s/short' } } },
      'hooks.a.auth: the github secret from file /s/short (entry 2 of 2) is shorter than 16 characters',
    ],
    [
      { a: { auth: { type: 'github', secretFile: '/s/empty' } } },
      'hooks.a.auth: /s/empty holds no secret (one secret per line)',
    ],
    [
      { a: { auth: { type: 'github', secretEnv: 'NL' } } },
      'hooks.a.auth: the github secret from environment variable NL holds a line break or control character',
    ],
    [
      { a: { auth: { type: 'standard', secret: `whsec_${randomBytes(16).toString('base64')}` } } },
      'hooks.a.auth: the standard secret from auth.secret must be whsec_<base64 of 24-64 bytes>',
    ],
  ])('refuses at start %j, naming the hook and the source but not the secret', (input, message) => {
    const src = {
      env: { TOK: 'abcdefghijklmnop qrstuvwxyz', NL: 'a long enough secret\n' },
      readFile: (p: string) => ({ '/s/short': 'a long enough secret\nshort\n', '/s/empty': '\n\n' })[p] ?? '',
    };
    const err = (() => {
      try {
        resolveHooks(hooksConfigSchema.parse(input), src);
      } catch (e) {
        return e as Error & { code: string };
      }
      return null;
    })();
    expect(err?.code).toBe('WHT_ERR_CONFIG_INVALID');
    expect(err?.message).toContain(message);
    expect(err?.message).not.toMatch(/two words|abcdefgh|a long enough secret/);
  });

  it('refuses events on a hook that has no event source (token or no auth)', () => {
    for (const auth of [undefined, { type: 'token', secret: 'tok-0123456789abcdef' }]) {
      const r = hooksConfigSchema.safeParse({ a: { events: ['push'], auth } });
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toContain('events needs auth.type github');
    }
  });

  it.each([
    [{ '../x': {} }, 'hook names'],
    [{ 'a/b': {} }, 'hook names'],
    [{ a: { auth: { type: 'token' } } }, 'exactly one of secret, secrets, secretEnv, secretFile'],
    [
      { a: { auth: { type: 'token', secret: 'x', secretEnv: 'Y' } } },
      'exactly one of secret, secrets, secretEnv, secretFile',
    ],
    [{ a: { auth: { type: 'token', secret: ['a-long-token-0123456789'] } } }, 'secret'],
  ])('rejects %j', (input, message) => {
    const r = hooksConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it.each([
    [
      { a: { auth: { type: 'token', secretEnv: 'UNSET' } } },
      'hooks.a.auth: environment variable UNSET is empty or unset',
    ],
    [{ a: { auth: { type: 'github', secretFile: '/nope' } } }, 'hooks.a.auth.secretFile: cannot read /nope (ENOENT)'],
    [
      { a: { auth: { type: 'standard', secret: 'whsec_c2hvcnQ=' } } },
      'hooks.a.auth: the standard secret from auth.secret must be whsec_',
    ],
    [{ a: { command: 'x {{a b}}' } }, 'hooks.a.command: placeholder'],
  ])('fails start-up on %j naming the key, without echoing secrets', (input, message) => {
    expect(() => resolveHooks(hooksConfigSchema.parse(input), noFiles)).toThrow(message);
  });

  it('accepts a whsec_ secret', () => {
    const r = resolveHooks(hooksConfigSchema.parse({ a: { auth: { type: 'standard', secret: whsec } } }), noFiles);
    expect(r.get('a')?.auth?.secrets).toEqual([whsec]);
  });
});

describe('assertSafeBind', () => {
  const hooks = resolveHooks(
    hooksConfigSchema.parse({
      open1: {},
      signed: { auth: { type: 'token', secret: 'tok-0123456789abcdef' } },
      open2: {},
    }),
    noFiles,
  );

  it('allows open hooks on loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h)).toBe(true);
      expect(() => assertSafeBind(h, hooks)).not.toThrow();
    }
  });

  it('refuses a non-loopback bind, naming the host and every hook without a secret', () => {
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.org']) expect(isLoopbackHost(h)).toBe(false);
    expect(() => assertSafeBind('0.0.0.0', hooks)).toThrow(/refusing to listen on 0\.0\.0\.0.*open1, open2/);
    const signedOnly = new Map([...hooks].filter(([n]) => n === 'signed'));
    expect(() => assertSafeBind('0.0.0.0', signedOnly)).not.toThrow();
  });
});

describe('matchRoute', () => {
  it.each([
    ['POST', '/hooks/deploy', 'hook', 'deploy'],
    ['POST', '/hooks/deploy?x=1', 'hook', 'deploy'],
    ['GET', '/v1/tasks?state=dead', 'tasks.list', undefined],
    ['GET', '/v1/tasks/42', 'tasks.get', '42'],
    ['HEAD', '/livez', 'livez', undefined],
    ['POST', '/v1/tasks/7/retry', 'tasks.retry', '7'],
    ['DELETE', '/v1/tasks/7', 'tasks.drop', '7'],
  ])('%s %s -> %s', (method, url, name, param) => {
    expect(matchRoute(method, url)).toMatchObject({ kind: 'route', name, param });
  });

  it.each([
    '/hooks/..%2fv1%2ftasks',
    '/hooks/%2e%2e',
    '/hooks/a%2fb',
    '/hooks/a/b',
    '/hooks/',
    '/hooks/deploy/',
    '//hooks/deploy',
    '/v1/../hooks/deploy',
    '/hooks/dep%6coy',
    'http://evil/hooks/deploy',
    '/hooks/a.b',
    '/v1/tasks/0',
    '/v1/tasks/01',
    '/v1/tasks/-1',
  ])('does not route %s', (url) => {
    const m = matchRoute(url.startsWith('/v1/tasks/') ? 'GET' : 'POST', url);
    expect(m.kind).toBe('not-found');
  });

  it('reports the allowed methods for a known path', () => {
    expect(matchRoute('GET', '/hooks/deploy')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(matchRoute('PUT', '/v1/tasks/3')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'DELETE'] });
  });
});
