import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, shellQuote } from '../../src/engine/intake/http/template.js';

const payload = {
  repository: { name: 'web' },
  ref: 'refs/heads/main',
  n: 3,
  ok: true,
  list: [{ x: 'first' }],
  obj: {},
  nul: null,
};

describe('renderTemplate', () => {
  it.each([
    ['deploy {{repository.name}} {{ ref }}', 'deploy web refs/heads/main'],
    ['n={{n}} ok={{ok}} first={{list.0.x}}', 'n=3 ok=true first=first'],
  ])('fills %s', (tpl, want) => {
    expect(renderTemplate(parseTemplate(tpl), payload, 'shell')).toEqual({ ok: true, text: want });
  });

  it('single-quotes values for the shell, so payload text stays data', () => {
    const t = parseTemplate('echo {{msg}}');
    expect(renderTemplate(t, { msg: "hi'; rm -rf ~ #" }, 'shell')).toEqual({
      ok: true,
      text: `echo 'hi'\\''; rm -rf ~ #'`,
    });
    expect(renderTemplate(t, { msg: '$(reboot)' }, 'shell')).toEqual({ ok: true, text: `echo '$(reboot)'` });
    expect(renderTemplate(t, { msg: 'a b' }, 'none')).toEqual({ ok: true, text: 'echo a b' });
  });

  it.each([
    ['{{missing}}', 'field missing is missing from the payload'],
    ['{{obj}}', 'field obj must be a string, number or boolean'],
    ['{{nul}}', 'field nul must be a string, number or boolean'],
    ['{{list.5.x}}', 'field list.5.x is missing from the payload'],
    ['{{constructor}}', 'field constructor is missing from the payload'],
    ['{{__proto__}}', 'field __proto__ is missing from the payload'],
  ])('refuses %s naming the field', (tpl, message) => {
    const r = renderTemplate(parseTemplate(tpl), payload, 'shell');
    expect(r).toMatchObject({ ok: false, message });
  });

  it.each([['\n'], ['\r'], ['\u001b[31m'], ['\u0007'], ['\u009b'], ['\u202e'], ['\u2028']])(
    'refuses a value holding %j, naming the field',
    (bad) => {
      const r = renderTemplate(parseTemplate('x {{a.b}}'), { a: { b: `ok${bad}` } }, 'none');
      expect(r).toMatchObject({
        ok: false,
        field: 'a.b',
        code: 'WHT_ERR_TEXT_UNSAFE',
        message: expect.stringMatching(/^field a\.b: .* U\+[0-9A-F]{4} at position 2 is not allowed/),
      });
    },
  );

  it('passes unicode text through', () => {
    expect(renderTemplate(parseTemplate('say {{m}}'), { m: 'héllo wörld 🚀 日本' }, 'none')).toEqual({
      ok: true,
      text: 'say héllo wörld 🚀 日本',
    });
  });
});

describe('parseTemplate', () => {
  it.each([['{{a b}}'], ['{{a..b}}'], ['{{}}'], ['x }} y'], ['{{a}'], ['{{a | shell}}'], ['x\ny']])(
    'refuses %j',
    (tpl) => {
      expect(() => parseTemplate(tpl)).toThrow();
    },
  );
});

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shellQuote('main')).toBe('main');
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('a b')).toBe(`'a b'`);
  });
});
