import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlModeTmux } from '../../src/engine/delivery/control-mode.js';
import { ResilientTmux } from '../../src/engine/delivery/resilient-tmux.js';
import { sendLiteralArgs } from '../../src/engine/delivery/tmux-args.js';
import { isWhtError } from '../../src/engine/errors.js';
import { RecorderServer, waitFor } from './control-helpers.js';

describe('ResilientTmux: control mode with exec fallback', () => {
  let rec: RecorderServer;
  let tmux: ResilientTmux;

  beforeEach(async () => {
    rec = new RecorderServer();
    await rec.start();
    tmux = new ResilientTmux(rec.server, { reconnectMinMs: 20, reconnectMaxMs: 200 });
    await tmux.start();
  });

  afterEach(async () => {
    await tmux.close();
    rec.kill();
  });

  async function type(text: string): Promise<void> {
    for (const argv of sendLiteralArgs(rec.pane, text)) await tmux.run(argv);
  }

  it('uses control mode once started', async () => {
    expect(tmux.status().mode).toBe('control');
    await type('one|');
    expect(tmux.status().controlCalls).toBe(1);
    expect(await rec.waitRecorded(4)).toBe('one|');
  });

  it('keeps delivering after the control client is killed, then returns to control mode', async () => {
    const pid = controlPid(rec);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => tmux.status().mode === 'exec', 5000, 'exec mode');
    await type('during|');
    expect(tmux.status().execCalls).toBeGreaterThanOrEqual(1);
    await waitFor(() => tmux.status().mode === 'control', 5000, 'control mode again');
    expect(controlPid(rec)).not.toBe(pid);
    const before = tmux.status().controlCalls;
    await type('after|');
    expect(tmux.status().controlCalls).toBe(before + 1);
    expect(await rec.waitRecorded('during|after|'.length)).toBe('during|after|');
  });

  it('reconnects after the tmux server is killed and started again', async () => {
    rec.killServer();
    await waitFor(() => tmux.status().mode === 'exec', 5000, 'exec mode');
    const err = await tmux.run(['display-message', '-p', 'x']).catch((e: unknown) => e);
    expect(isWhtError(err, 'WHT_ERR_TMUX_FAILED')).toBe(true);
    await rec.start();
    await waitFor(() => tmux.status().mode === 'control', 5000, 'control mode after restart');
    await type('back|');
    expect(await rec.waitRecorded(5)).toBe('back|');
    expect(tmux.status().connects).toBe(2);
  });

  it('passes stdin calls (load-buffer -) to the exec path', async () => {
    const calls = tmux.status();
    await tmux.run(['load-buffer', '-b', 'wht', '-'], { input: 'line 1\nline 2;' });
    expect((await tmux.run(['show-buffer', '-b', 'wht'])).stdout).toBe('line 1\nline 2;');
    expect(tmux.status().execCalls).toBe(calls.execCalls + 1);
    expect(tmux.status().controlCalls).toBe(calls.controlCalls + 1);
  });
});

describe('ResilientTmux when control mode is unavailable or wedged', () => {
  let rec: RecorderServer;
  let dir: string;

  beforeEach(async () => {
    rec = new RecorderServer();
    dir = mkdtempSync(join(tmpdir(), 'wht-cc-fake-'));
  });

  afterEach(() => {
    rec.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts in exec mode with no server, and switches to control mode when one appears', async () => {
    const tmux = new ResilientTmux(rec.server, { reconnectMinMs: 20, reconnectMaxMs: 100 });
    try {
      await tmux.start();
      expect(tmux.status().mode).toBe('exec');
      await rec.start();
      await waitFor(() => tmux.status().mode === 'control', 5000, 'control mode');
      await tmux.run(['send-keys', '-t', rec.pane, '-l', '--', 'late|']);
      expect(await rec.waitRecorded(5)).toBe('late|');
    } finally {
      await tmux.close();
    }
  });

  function fakeTmux(name: string, script: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('stays on exec when the control client attaches but never answers (the tmux 3.6 wedge)', async () => {
    await rec.start();
    const wedged = fakeTmux('wedged', "echo '%begin 1 1 0'; echo '%end 1 1 0'; exec cat >/dev/null");
    const tmux = new ResilientTmux(rec.server, {
      reconnectMinMs: 60_000,
      createControl: (opts) =>
        new ControlModeTmux(rec.server, { ...opts, binary: wedged, session: 'any', startTimeoutMs: 300 }),
    });
    try {
      await tmux.start();
      expect(tmux.status().mode).toBe('exec');
      await tmux.run(['send-keys', '-t', rec.pane, '-l', '--', 'via exec|']);
      expect(await rec.waitRecorded(9)).toBe('via exec|');
    } finally {
      await tmux.close();
    }
  });

  it('on a reply timeout repeats a safe command via exec but never repeats send-keys', async () => {
    await rec.start();
    // Answers the start-up probe, then never again.
    const wedgesLater = fakeTmux(
      'wedges-later',
      [
        "echo '%begin 1 1 0'; echo '%end 1 1 0'",
        "read line; echo '%begin 1 2 1'; echo 'wht-probe'; echo '%end 1 2 1'",
        'exec cat >/dev/null',
      ].join('\n'),
    );
    const tmux = new ResilientTmux(rec.server, {
      commandTimeoutMs: 200,
      reconnectMinMs: 20,
      createControl: (opts) => new ControlModeTmux(rec.server, { ...opts, binary: wedgesLater, session: 'any' }),
    });
    try {
      await tmux.start();
      expect(tmux.status().mode).toBe('control');
      const shown = await tmux.run(['display-message', '-p', '-t', rec.pane, '#{pane_id}']);
      expect(shown.stdout).toBe(rec.pane);
      expect(tmux.status().failovers).toBe(1);
      await waitFor(() => tmux.status().mode === 'control', 5000, 'reconnect');
      const execCalls = tmux.status().execCalls;
      const err = await tmux.run(['send-keys', '-t', rec.pane, '-l', '--', 'x']).catch((e: unknown) => e);
      expect(isWhtError(err, 'WHT_ERR_TMUX_FAILED')).toBe(true);
      expect((err as { details: unknown }).details).toMatchObject({ transport: 'timeout', sent: true });
      expect(tmux.status().execCalls).toBe(execCalls);
    } finally {
      await tmux.close();
    }
  });
});

function controlPid(rec: RecorderServer): number {
  const lines = rec.tmux('list-clients', '-F', '#{client_pid} #{client_control_mode}').split('\n');
  const control = lines.find((l) => l.endsWith(' 1'));
  if (!control) throw new Error('no control client attached');
  return Number(control.split(' ')[0]);
}
