import { describe, expect, it } from 'vitest';
import { extractOverrides } from '../../src/cli/context.js';
import { applyOverrides, defaultConfigPath, resolveConfig } from '../../src/engine/config/resolve.js';

const env = { HOME: '/home/u' };

function problemsOf(input: unknown): string[] {
  try {
    resolveConfig(input, env);
  } catch (e) {
    expect(e).toMatchObject({ code: 'WHT_ERR_CONFIG_INVALID' });
    return (e as { details: { problems: string[] } }).details.problems;
  }
  throw new Error('config was accepted');
}

describe('resolveConfig', () => {
  it('applies every default to an empty config', () => {
    const c = resolveConfig({}, env);
    expect(c.queue).toEqual({
      workers: 3,
      capacity: 1000,
      retry: { attempts: 3, baseMs: 1000, maxMs: 60_000, jitter: 0.2 },
      rateLimit: { perSecond: 10 },
      categories: {},
      dedupeWindowMs: 86_400_000,
      retainDays: 7,
      defaultPriority: 0,
      defaultCategory: 'default',
      synchronous: 'NORMAL',
      walLimitBytes: 8_388_608,
    });
    expect(c.spool).toMatchObject({ maxBytes: 65_536, rescanMs: 5000, batchSize: 500, legacyTriggerFile: null });
    expect(c.tmux).toEqual({
      socketName: null,
      socketPath: null,
      defaultSession: 'webhook-tui',
      commandTimeoutMs: 5000,
      controlMode: { enabled: true, startTimeoutMs: 3000, reconnectMinMs: 100, reconnectMaxMs: 5000 },
    });
    expect(c.targets).toEqual({});
    expect(c.log).toEqual({
      level: 'info',
      maxBytes: 52_428_800,
      rotateAt: '02:00',
      retainDays: 30,
      maxTotalBytes: 5_368_709_120,
      importantLevel: 'warn',
      collapseWindowMs: 10_000,
      stderrLevel: 'warn',
      gzipLevel: 6,
    });
    expect(resolveConfig(undefined, env)).toEqual(c);
  });

  it('resolves paths from XDG variables, falling back to HOME', () => {
    expect(resolveConfig({}, env)).toMatchObject({
      dataDir: '/home/u/.local/state/webhook-tui',
      spool: { dir: '/home/u/.local/state/webhook-tui/spool' },
    });
    const xdg = { HOME: '/home/u', XDG_STATE_HOME: '/st', XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(resolveConfig({}, xdg)).toMatchObject({
      dataDir: '/st/webhook-tui',
      spool: { dir: '/run/user/1000/webhook-tui/spool' },
    });
    expect(defaultConfigPath({ HOME: '/home/u' })).toBe('/home/u/.config/webhook-tui/config.json');
    expect(defaultConfigPath({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/webhook-tui/config.json');
  });

  it('makes relative paths absolute and keeps explicit ones', () => {
    const c = resolveConfig({ dataDir: 'rel/data', spool: { dir: '/abs/spool' } }, env);
    expect(c.dataDir).toBe(`${process.cwd()}/rel/data`);
    expect(c.spool.dir).toBe('/abs/spool');
  });

  it('lists every problem in one error, each naming the key and the value it got', () => {
    const problems = problemsOf({
      queue: { workers: 0, capacity: 'lots', retry: { jitter: 2 } },
      tmux: { defaultSession: 'a b' },
      targets: { build: { pane: 'work:1' } },
    });
    const expected: Array<[string, string]> = [
      ['queue.workers', '0'],
      ['queue.capacity', '"lots"'],
      ['queue.retry.jitter', '2'],
      ['tmux.defaultSession', '"a b"'],
      ['targets.build.pane', '"work:1"'],
    ];
    expect(problems).toHaveLength(expected.length);
    for (const [key, got] of expected) {
      expect(
        problems.some((p) => p.startsWith(`${key}:`) && p.includes(`(got ${got})`)),
        `${key} in ${JSON.stringify(problems)}`,
      ).toBe(true);
    }
  });

  it('names unknown keys, nested ones with their path', () => {
    const problems = problemsOf({ qeueu: {}, queue: { wrokers: 2 }, targets: { a: { pane: '%1', prio: 1 } } });
    expect(problems).toEqual(
      expect.arrayContaining(['qeueu: unknown key', 'queue.wrokers: unknown key', 'targets.a.prio: unknown key']),
    );
  });

  it('says "nothing" for a missing required value', () => {
    expect(problemsOf({ targets: { a: {} } })).toEqual([
      expect.stringMatching(/^targets\.a\.pane: .*\(got nothing\)$/),
    ]);
  });

  it('puts the problems in the error message', () => {
    expect(() => resolveConfig({ queue: { workers: 'x' } }, env)).toThrow(/queue\.workers: .*\(got "x"\)/);
  });

  it('returns a deeply frozen config', () => {
    const c = resolveConfig({ targets: { a: { pane: '%1' } }, queue: { categories: { ci: { perSecond: 1 } } } }, env);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.queue)).toBe(true);
    expect(Object.isFrozen(c.queue.retry)).toBe(true);
    expect(Object.isFrozen(c.queue.categories.ci)).toBe(true);
    expect(Object.isFrozen(c.targets.a)).toBe(true);
    expect(() => {
      (c.queue as { workers: number }).workers = 9;
    }).toThrow(TypeError);
  });

  it('does not change its input', () => {
    const input = { queue: { workers: 2 } };
    resolveConfig(input, env);
    expect(input).toEqual({ queue: { workers: 2 } });
  });

  it('accepts targets as %id or =exact and gives them the shell profile', () => {
    const c = resolveConfig({ targets: { a: { pane: '%3' }, b: { pane: '=work:1.0', profile: 'agent' } } }, env);
    expect(c.targets.a).toMatchObject({
      pane: '%3',
      profile: 'shell',
      enterDelayMs: 0,
      multiline: false,
      confirm: false,
    });
    expect(c.targets.b).toMatchObject({ pane: '=work:1.0', profile: 'agent', enterDelayMs: 150, multiline: false });
  });

  it('fills an agent target from its preset under the explicit keys', () => {
    const c = resolveConfig({ targets: { claude: { pane: '%7', preset: 'claude-code', enterDelayMs: 300 } } }, env);
    expect(c.targets.claude).toMatchObject({
      profile: 'agent',
      multiline: true,
      enterDelayMs: 300,
      busyPattern: '(?i)esc to interrupt',
    });
  });

  it('names a target pattern that is not a valid regular expression', () => {
    expect(() => resolveConfig({ targets: { a: { pane: '%1', readyPattern: '(' } } }, env)).toThrow(
      /targets\.a\.readyPattern: is not a valid regular expression/,
    );
  });
});

describe('applyOverrides', () => {
  it('sets dotted keys, parsing values as JSON when they parse', () => {
    const out = applyOverrides({ queue: { workers: 2 } }, [
      ['queue.capacity', '5000'],
      ['tmux.socketName', 'test'],
      ['spool.legacyTriggerFile', 'null'],
      ['queue.retry.jitter', '0.5'],
      ['targets.a.pane', '%1'],
      ['queue.categories', '{"ci":{"perSecond":2}}'],
      ['log.level', '"debug"'],
    ]);
    expect(out).toEqual({
      queue: { workers: 2, capacity: 5000, retry: { jitter: 0.5 }, categories: { ci: { perSecond: 2 } } },
      tmux: { socketName: 'test' },
      spool: { legacyTriggerFile: null },
      targets: { a: { pane: '%1' } },
      log: { level: 'debug' },
    });
  });

  it('later overrides win and the input is not changed', () => {
    const input = { queue: { workers: 2 } };
    expect(
      applyOverrides(input, [
        ['queue.workers', '4'],
        ['queue.workers', '5'],
      ]),
    ).toEqual({ queue: { workers: 5 } });
    expect(input).toEqual({ queue: { workers: 2 } });
  });

  it.each(['__proto__.polluted', 'queue.__proto__.x', 'constructor.prototype.x', 'queue..workers', 'queue.'])(
    'refuses key %j',
    (key) => {
      expect(() => applyOverrides({}, [[key, '1']])).toThrow(
        expect.objectContaining({ code: 'WHT_ERR_CONFIG_INVALID', message: expect.stringContaining(`--${key}`) }),
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    },
  );

  it('feeds resolveConfig: a wrong override is reported with its key', () => {
    expect(() => resolveConfig(applyOverrides({}, [['queue.workers', 'many']]), env)).toThrow(
      /queue\.workers: .*\(got "many"\)/,
    );
  });
});

describe('extractOverrides', () => {
  it('pulls dotted config flags out of argv in order, in both --k v and --k=v forms', () => {
    expect(
      extractOverrides([
        'status',
        '--queue.capacity',
        '5000',
        '--tmux.socketName=x',
        '--json',
        '--dataDir',
        '/d',
        '--dataDir=/e',
      ]),
    ).toEqual({
      rest: ['status', '--json'],
      overrides: [
        ['queue.capacity', '5000'],
        ['tmux.socketName', 'x'],
        ['dataDir', '/d'],
        ['dataDir', '/e'],
      ],
    });
  });

  it('keeps a value with = and spaces after the first =', () => {
    expect(extractOverrides(['--targets.a.pane==s:1.0']).overrides).toEqual([['targets.a.pane', '=s:1.0']]);
    expect(extractOverrides(['--spool.dir=/a b/c']).overrides).toEqual([['spool.dir', '/a b/c']]);
  });

  it('leaves other flags and everything after -- alone', () => {
    expect(extractOverrides(['send', '--target', 'a', '--priority', '5', '--', '--queue.capacity', '1'])).toEqual({
      rest: ['send', '--target', 'a', '--priority', '5', '--', '--queue.capacity', '1'],
      overrides: [],
    });
    expect(extractOverrides(['--config', 'c.json', '--foo.bar', '1']).rest).toEqual([
      '--config',
      'c.json',
      '--foo.bar',
      '1',
    ]);
    // A bare root like --queue is not a config override.
    expect(extractOverrides(['--queue', '1']).overrides).toEqual([]);
  });

  it('refuses a dotted flag without a value', () => {
    expect(() => extractOverrides(['status', '--queue.capacity'])).toThrow(
      expect.objectContaining({ code: 'WHT_ERR_CONFIG_INVALID', message: expect.stringContaining('--queue.capacity') }),
    );
  });
});

describe('names in config', () => {
  it('refuses category and target names that no task could use', () => {
    const long = 'x'.repeat(65);
    expect(() => resolveConfig({ queue: { categories: { [long]: { perSecond: 1 } } } }, {})).toThrow(
      /queue\.categories\.x+: invalid name: 1-64 letters/,
    );
    expect(() => resolveConfig({ targets: { 'bad name': { pane: '%1' } } }, {})).toThrow(
      /targets\.bad name: invalid name: 1-64 letters/,
    );
  });
});
