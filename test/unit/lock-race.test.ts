import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireLock } from '../../src/engine/lock.js';

/** Lets a test run "another process" right after the lock code reads the PID file. */
const hook = vi.hoisted(() => ({ afterRead: null as null | (() => void) }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((...args: Parameters<typeof real.readFileSync>) => {
    const out = real.readFileSync(...args);
    const run = hook.afterRead;
    hook.afterRead = null;
    run?.();
    return out;
  }) as typeof real.readFileSync;
  return { ...real, readFileSync, default: { ...real, readFileSync } };
});

describe('engine lock under a race', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    hook.afterRead = null;
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never lets two engines hold the lock: a stale file taken over by another engine first is not stolen', () => {
    dir = fs.mkdtempSync(join(tmpdir(), 'wht-lock-race-'));
    const path = join(dir, 'engine.pid');
    const stale = spawnSync('true').pid;
    fs.writeFileSync(path, `${stale}\n`);
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const other = child.pid!;
    // Engine B reads the stale PID; before it acts, engine A (the `sleep` child stands in) takes the stale lock over.
    let raced = false;
    hook.afterRead = () => {
      raced = true;
      fs.unlinkSync(path);
      fs.writeFileSync(path, `${other}\n`, { flag: 'wx' });
    };
    let release: (() => void) | undefined;
    let error: unknown;
    try {
      release = acquireLock(path);
    } catch (e) {
      error = e;
    }
    const holder = fs.readFileSync(path, 'utf8').trim();
    release?.();
    expect(raced).toBe(true);
    expect(holder).toBe(String(other));
    expect(error).toMatchObject({ code: 'WHT_ERR_ENGINE_RUNNING' });
  });
});
