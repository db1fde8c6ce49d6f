import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import type { Config, ConfigInput } from '../../src/engine/config/schema.js';
import { createEngine, type Engine, type EngineDeps } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import { TestTmux } from './tmux.js';

export function tempDir(prefix = 'wht-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => removeDir(dir) };
}

/**
 * rm -rf that outlasts a process still writing into the dir as it goes (a pane's program, a child a test killed a
 * moment ago): ENOTEMPTY / EBUSY are retried for up to 2 s (CI saw ENOTEMPTY once under load).
 */
function removeDir(dir: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; ; i++) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (i >= 20 || (code !== 'ENOTEMPTY' && code !== 'EBUSY')) throw err;
      Atomics.wait(pause, 0, 0, 100);
    }
  }
}

/** Config for a test: data and spool in `dir`, the test's tmux server, no rate limit, fast retries. */
export function testConfig(dir: string, tmux: TestTmux, extra: ConfigInput = {}): Config {
  const base: ConfigInput = {
    dataDir: join(dir, 'data'),
    spool: { dir: join(dir, 'spool'), rescanMs: 500, ...extra.spool },
    tmux: { socketName: tmux.socket, ...extra.tmux },
    queue: { rateLimit: { perSecond: 0 }, retry: { attempts: 3, baseMs: 20, maxMs: 200, jitter: 0 }, ...extra.queue },
    targets: extra.targets ?? {},
    log: { level: 'debug' },
    // Tests that want HTTP turn it on (port 0); the default 8787 would collide between parallel tests.
    http: { enabled: false, port: 0, ...extra.http },
  };
  return resolveConfig({ ...extra, ...base }, {});
}

export async function startEngine(config: Config, deps: EngineDeps = {}): Promise<Engine> {
  const engine = await createEngine(config, { logger: silentLogger, tmuxPane: undefined, ...deps });
  try {
    await engine.start();
  } catch (err) {
    await engine.close();
    throw err;
  }
  return engine;
}
