import { describe, expect, it } from 'vitest';
import { explainConfig, maskSecrets } from '../../src/engine/config/explain.js';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import { buildInitConfig, pruneDefaults } from '../../src/engine/setup/init.js';
import { buildUnit, parseExecStart, quoteSystemdWord, stopTimeoutSec } from '../../src/engine/service/unit.js';

describe('systemd unit text', () => {
  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['/home/a b/cli', '"/home/a b/cli"'],
    ['100%', '100%%'],
    ['$HOME', '$$HOME'],
    ['say "hi"', '"say \\"hi\\""'],
  ])('quotes %s as %s', (word, quoted) => {
    expect(quoteSystemdWord(word)).toBe(quoted);
  });

  it('ExecStart reads back as the words it was built from', () => {
    const words = [
      '/opt/my node/bin/node',
      '/srv/wht/bin/webhook-tui',
      '--config',
      '/home/u/x 100%.json',
      '--queue.capacity',
      '5',
    ];
    const unit = buildUnit({
      node: words[0]!,
      cli: words[1]!,
      serveArgs: words.slice(2),
      env: { PATH: '/usr/bin' },
      drainMs: 1000,
      version: '1',
    });
    expect(parseExecStart(unit)).toEqual([words[0], words[1], 'serve', ...words.slice(2)]);
  });

  it('gives systemd more time to stop than the engine needs to drain', () => {
    expect(stopTimeoutSec(1000)).toBe(30);
    expect(stopTimeoutSec(60_000)).toBe(75);
  });
});

describe('init config', () => {
  it('keeps only what differs from the defaults', () => {
    expect(
      pruneDefaults({ queue: { capacity: 1000, workers: 5 }, http: { port: 8787 }, log: { level: 'debug' } }),
    ).toEqual({ queue: { workers: 5 }, log: { level: 'debug' } });
  });

  it('writes the target with its preset and a $schema reference', () => {
    const { file } = buildInitConfig({ target: 'work:1.0', preset: 'codex', overrides: [['http.port', '9000']] }, {});
    expect(file).toEqual({
      $schema: './config.schema.json',
      targets: { default: { pane: '=work:1.0', preset: 'codex' } },
      http: { port: 9000 },
    });
  });
});

describe('config show', () => {
  it('names the source of each value and masks secrets', () => {
    const file = {
      queue: { capacity: 5 },
      hooks: { h: { auth: { type: 'token', secrets: ['s1-long-secret', 's2-long-secret'] } } },
    };
    const overrides: Array<[string, string]> = [['queue.workers', '4']];
    const config = resolveConfig({ ...file, queue: { ...file.queue, workers: 4 } }, { XDG_RUNTIME_DIR: '/run/user/1' });
    const rows = explainConfig(config, file, overrides, { XDG_RUNTIME_DIR: '/run/user/1' });
    const by = (k: string) => rows.find((r) => r.key === k);
    expect(by('queue.capacity')?.source).toBe('file');
    expect(by('queue.workers')).toMatchObject({ source: 'flag', from: '--queue.workers' });
    expect(by('spool.dir')).toMatchObject({
      value: '/run/user/1/webhook-tui/spool',
      source: 'env',
      from: 'XDG_RUNTIME_DIR',
    });
    expect(by('dataDir')?.source).toBe('default');
    expect(by('hooks.h.auth.secrets')?.value).toEqual(['***', '***']);
    expect(maskSecrets({ notify: { webhookUrl: 'https://hooks.example/T0/B0/x' } })).toEqual({
      notify: { webhookUrl: '***' },
    });
  });
});

describe('doctor system checks', () => {
  it('needs Node 20.19 and reads tmux versions such as 3.3a', async () => {
    const { checkNode, versionParts, atLeast, TMUX_MIN } = await import('../../src/engine/preflight/system-checks.js');
    expect(checkNode('v20.19.0').status).toBe('ok');
    expect(checkNode('v20.18.3')).toMatchObject({ status: 'fail', fix: expect.stringContaining('20.19') });
    expect(checkNode('v22.1.0').status).toBe('ok');
    expect(versionParts('tmux 3.3a')).toEqual([3, 3, 0]);
    expect(atLeast(versionParts('tmux 3.1c'), TMUX_MIN)).toBe(false);
    expect(atLeast(versionParts('tmux next-3.5'), TMUX_MIN)).toBe(true);
  });

  it('warns when the tmux server lives in the service cgroup', async () => {
    const { checkTmuxCgroup } = await import('../../src/engine/preflight/tmux-checks.js');
    const inside = checkTmuxCgroup(
      { socket: '/tmp/tmux-0/default', pid: 42 },
      () => '0::/user.slice/user-1000.slice/user@1000.service/app.slice/webhook-tui.service\n',
    );
    expect(inside).toMatchObject({ status: 'warn', message: expect.stringContaining('PID 42') });
    expect(
      checkTmuxCgroup({ socket: 's', pid: 42 }, () => '0::/user.slice/user@1000.service/app.slice/tmux-spawn-1.scope\n')
        .status,
    ).toBe('ok');
  });
});
