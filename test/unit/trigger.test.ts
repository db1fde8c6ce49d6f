import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import { parseTrigger } from '../../src/engine/intake/trigger.js';
import { toTaskRow } from '../../src/engine/queue/task-row.js';
import type { NewTask } from '../../src/engine/types.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const config = resolveConfig({ dataDir: '/tmp/wht-unit' }, {});

describe('parseTrigger', () => {
  it.each([
    ['echo hi\n', 'echo hi'],
    ['echo hi', 'echo hi'],
    ['echo hi\r\n', 'echo hi'],
    ['echo hi\n\n', 'echo hi\n'],
    ['  indented  \n', '  indented  '],
    ['[1,2]\n', '[1,2]'],
  ])('reads plain text %j as %j (one trailing newline dropped)', (raw, text) => {
    expect(parseTrigger(bytes(raw), 'spool', 123)).toEqual({
      ok: true,
      task: { text, source: 'spool', receivedAt: 123 },
    });
  });

  it('reads a JSON object with every field', () => {
    const raw = JSON.stringify({ command: 'make test', target: 'build', priority: 7, category: 'ci', id: 'evt-1' });
    expect(parseTrigger(bytes(`${raw}\n`), 'spool', 5)).toEqual({
      ok: true,
      task: {
        text: 'make test',
        target: 'build',
        priority: 7,
        category: 'ci',
        idemKey: 'evt-1',
        source: 'spool',
        receivedAt: 5,
      },
    });
  });

  it('reads JSON with only a command (leading whitespace allowed)', () => {
    const r = parseTrigger(bytes('  {"command": "ls;"}'), 'legacy', 1);
    expect(r.ok && r.task).toMatchObject({ text: 'ls;', source: 'legacy', target: undefined, priority: undefined });
  });

  it.each([
    ['invalid JSON', '{"command": "x"', /invalid JSON/],
    ['an object without command', '{}', /field "command" must be a string/],
    ['unknown field', '{"command":"x","cmd":"y","extra":1}', /unknown field\(s\): cmd, extra/],
    ['command not a string', '{"command": 5}', /field "command" must be a string/],
    ['target not a string', '{"command": "x", "target": 1}', /field "target" must be a string/],
    ['category not a string', '{"command": "x", "category": null}', /field "category" must be a string/],
    ['id not a string', '{"command": "x", "id": 42}', /field "id" must be a string/],
    ['priority not a number', '{"command": "x", "priority": "9"}', /field "priority" must be a number/],
  ])('refuses %s with a reason', (_name, raw, reason) => {
    const r = parseTrigger(bytes(raw), 'spool', 1);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('WHT_ERR_BAD_TRIGGER');
      expect(r.reason).toMatch(reason);
    }
  });

  it('refuses JSON followed by trailing garbage', () => {
    const r = parseTrigger(bytes('{"command": "x"} trailing'), 'spool', 1);
    expect(r).toMatchObject({ ok: false, code: 'WHT_ERR_BAD_TRIGGER', reason: expect.stringMatching(/invalid JSON/) });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(parseTrigger(new Uint8Array([0x65, 0x63, 0xff, 0x0a]), 'spool', 1)).toEqual({
      ok: false,
      code: 'WHT_ERR_BAD_TRIGGER',
      reason: 'not valid UTF-8',
    });
  });
});

describe('toTaskRow', () => {
  const base: NewTask = { text: 'echo hi', source: 'api' };

  it('applies defaults: target default, config priority and category, no key, receivedAt = now', () => {
    expect(toTaskRow(base, config, 77)).toEqual({
      text: 'echo hi',
      target: 'default',
      priority: 0,
      category: 'default',
      idemKey: null,
      source: 'api',
      receivedAt: 77,
    });
    const custom = resolveConfig({ dataDir: '/tmp/x', queue: { defaultPriority: 5, defaultCategory: 'misc' } }, {});
    expect(toTaskRow(base, custom, 1)).toMatchObject({ priority: 5, category: 'misc' });
  });

  it('keeps given fields', () => {
    expect(
      toTaskRow(
        { ...base, target: 'w.1', priority: -100, category: 'a_b-c.d', idemKey: 'k', receivedAt: 3 },
        config,
        9,
      ),
    ).toEqual({
      text: 'echo hi',
      target: 'w.1',
      priority: -100,
      category: 'a_b-c.d',
      idemKey: 'k',
      source: 'api',
      receivedAt: 3,
    });
  });

  const rejects = (input: Partial<NewTask>, code: string, field: string, message?: RegExp) => {
    try {
      toTaskRow({ ...base, ...input }, config, 1);
    } catch (e) {
      expect(e).toMatchObject({ code, details: { field } });
      if (message) expect((e as Error).message).toMatch(message);
      return;
    }
    throw new Error(`accepted ${JSON.stringify(input)}`);
  };

  it.each([101, -101, 1.5, Number.NaN, Infinity])('refuses priority %s, naming the value', (priority) => {
    rejects({ priority }, 'WHT_ERR_BAD_TRIGGER', 'priority', new RegExp(`got ${String(priority)}`));
  });

  it.each(['', 'a b', 'a/b', 'x'.repeat(65), 'ünï', 'a:b', '=s:1.0'])('refuses target and category %j', (name) => {
    rejects({ target: name }, 'WHT_ERR_BAD_TRIGGER', 'target');
    rejects({ category: name }, 'WHT_ERR_BAD_TRIGGER', 'category');
  });

  it('accepts 64-character names', () => {
    expect(toTaskRow({ ...base, target: 't'.repeat(64), category: 'c'.repeat(64) }, config, 1).target).toHaveLength(64);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(257)],
    ['control chars', 'a\u0000b'],
    ['escape', '\u001b[0m'],
  ])('refuses an id that is %s', (_n, idemKey) => {
    rejects({ idemKey }, 'WHT_ERR_BAD_TRIGGER', 'id');
  });

  it('accepts a 256-character id', () => {
    expect(toTaskRow({ ...base, idemKey: 'k'.repeat(256) }, config, 1).idemKey).toHaveLength(256);
  });

  it('refuses unsafe text as WHT_ERR_TEXT_UNSAFE and empty text as WHT_ERR_TEXT_EMPTY', () => {
    rejects({ text: 'rm -rf /\u001b[A' }, 'WHT_ERR_TEXT_UNSAFE', 'command', /ESC/);
    rejects({ text: 'a\nb' }, 'WHT_ERR_TEXT_UNSAFE', 'command', /newline/);
    rejects({ text: '' }, 'WHT_ERR_TEXT_EMPTY', 'command');
  });
});
