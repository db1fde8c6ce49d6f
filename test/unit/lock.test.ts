import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, lockHolder } from '../../src/engine/lock.js';

const BUILT_LOCK = fileURLToPath(new URL('../../dist/engine/lock.js', import.meta.url));

/** A child process that takes the lock with the built code, prints a verdict and holds it until killed. */
function lockingChild(path: string): { child: ChildProcess; verdict: Promise<string> } {
  const script = `import(${JSON.stringify(BUILT_LOCK)}).then((m) => {
    try { m.acquireLock(${JSON.stringify(path)}); process.stdout.write('won\\n'); setInterval(() => {}, 1e6); }
    catch (e) { process.stdout.write('lost ' + e.code + ' ' + e.message + '\\n'); process.exit(0); }
  });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const verdict = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return { child, verdict };
}

describe('engine lock', () => {
  let dir: string;
  let path: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wht-lock-'));
    path = join(dir, 'engine.pid');
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes our PID, and release removes it, idempotently', () => {
    const release = acquireLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    expect(lockHolder(path)).toBe(process.pid);
    release();
    expect(existsSync(path)).toBe(false);
    expect(() => release()).not.toThrow();
    expect(lockHolder(path)).toBeNull();
    acquireLock(path)();
  });

  it('refuses a second engine while another process holds the lock, naming its PID', async () => {
    const { child, verdict } = lockingChild(path);
    children.push(child);
    expect(await verdict).toBe('won');
    expect(() => acquireLock(path)).toThrow(
      expect.objectContaining({ code: 'WHT_ERR_ENGINE_RUNNING', message: expect.stringContaining(`PID ${child.pid}`) }),
    );
  });

  it('is free again once the holder is killed with SIGKILL, although its PID file stays', async () => {
    const { child, verdict } = lockingChild(path);
    children.push(child);
    expect(await verdict).toBe('won');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readFileSync(path, 'utf8').trim()).toBe(String(child.pid));
    const release = acquireLock(path);
    expect(lockHolder(path)).toBe(process.pid);
    release();
  });

  it('lets exactly one of several engines racing for a stale lock win', async () => {
    writeFileSync(path, '999999\n');
    const racers = Array.from({ length: 4 }, () => lockingChild(path));
    children.push(...racers.map((r) => r.child));
    const verdicts = await Promise.all(racers.map((r) => r.verdict));
    expect(verdicts.filter((v) => v === 'won')).toHaveLength(1);
    expect(verdicts.filter((v) => v.startsWith('lost WHT_ERR_ENGINE_RUNNING'))).toHaveLength(3);
  });
});
