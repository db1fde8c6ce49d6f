import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, lockHolder } from '../../src/engine/lock.js';

describe('engine lock', () => {
  let dir: string;
  let path: string;
  let child: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wht-lock-'));
    path = join(dir, 'engine.pid');
  });
  afterEach(() => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A live process other than this one: a `sleep` child. */
  const liveOtherPid = (): number => {
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    if (!child.pid) throw new Error('could not spawn sleep');
    return child.pid;
  };

  /** The PID of a process that has exited. */
  const deadPid = (): number => {
    const r = spawnSync('true');
    expect(r.status).toBe(0);
    return r.pid;
  };

  it('writes our PID and releases the file, idempotently', () => {
    const release = acquireLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    expect(lockHolder(path)).toBe(process.pid);
    release();
    expect(existsSync(path)).toBe(false);
    expect(() => release()).not.toThrow();
    expect(lockHolder(path)).toBeNull();
  });

  it('refuses a second engine while the holder lives, naming its PID', () => {
    const pid = liveOtherPid();
    writeFileSync(path, `${pid}\n`);
    expect(() => acquireLock(path)).toThrow(expect.objectContaining({ code: 'WHT_ERR_ENGINE_RUNNING', message: expect.stringContaining(`PID ${pid}`) }));
    expect(readFileSync(path, 'utf8').trim()).toBe(String(pid));
    expect(lockHolder(path)).toBe(pid);
  });

  it('takes over a lock left by a dead process (kill -9)', () => {
    writeFileSync(path, `${deadPid()}\n`);
    expect(lockHolder(path)).toBeNull();
    const release = acquireLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it.each(['', 'garbage', '-5', '0', '1.5'])('takes over a lock file holding %j', (content) => {
    writeFileSync(path, content);
    const release = acquireLock(path);
    expect(lockHolder(path)).toBe(process.pid);
    release();
  });

  it('release does not remove a lock another engine took over', () => {
    const release = acquireLock(path);
    const pid = liveOtherPid();
    writeFileSync(path, `${pid}\n`);
    release();
    expect(readFileSync(path, 'utf8').trim()).toBe(String(pid));
  });
});
