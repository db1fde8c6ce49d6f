/**
 * The one fixture of the integration and e2e tests: per test, a private tmux server (`tmux -L`), a temp dir, and
 * the engines, child processes and mounts the test starts, all removed afterwards in reverse order of creation.
 *
 *   const fx = useFixture();
 *   it('types it', async () => {
 *     const { pane, file } = await fx.recorder('work');
 *     const engine = await fx.start(fx.config({ targets: { default: { pane } } }));
 *     ...
 *   });
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach } from 'vitest';
import type { Config, ConfigInput } from '../../src/engine/config/schema.js';
import type { Engine, EngineDeps } from '../../src/engine/engine.js';
import { startEngine, tempDir, testConfig } from './engine.js';
import { TestTmux } from './tmux.js';

export interface Fixture {
  /** This test's tmux server. */
  readonly tmux: TestTmux;
  /** This test's temp dir (removed afterwards). */
  readonly dir: string;
  /** A test config in `dir` on this test's tmux server (see testConfig). */
  config(extra?: ConfigInput): Config;
  /** Starts an engine that is closed after the test (closing it earlier is fine: close is idempotent). */
  start(config?: Config, deps?: EngineDeps): Promise<Engine>;
  /** A session whose pane runs the recorder (test/fixtures/recorder.mjs); resolves once it reads. */
  recorder(name: string): Promise<{ pane: string; file: string }>;
  /** A child process killed (SIGKILL) after the test if it is still running; returns it. */
  track<C extends ChildProcess>(child: C): C;
  /** Runs `fn` after the test, before the tmux server and the temp dir go (last deferred runs first). */
  defer(fn: () => unknown): void;
}

export interface FixtureOptions {
  /** Prefix of the temp dir's name. */
  tmpPrefix?: string;
  /** Prefix of the tmux socket's name. */
  tmuxPrefix?: string;
  /** The tmux server's config file (`-f`), e.g. /dev/null for the dashboard tests. */
  tmuxConfig?: string;
}

/** Registers beforeEach/afterEach in the calling describe (or file) and returns the current test's fixture. */
export function useFixture(options: FixtureOptions = {}): Fixture {
  let current: { tmux: TestTmux; tmp: ReturnType<typeof tempDir>; deferred: Array<() => unknown> } | undefined;
  const now = () => {
    if (!current) throw new Error('the fixture is only there inside a test (beforeEach has not run)');
    return current;
  };

  beforeEach(() => {
    current = {
      tmp: tempDir(options.tmpPrefix),
      tmux: new TestTmux(options.tmuxPrefix, options.tmuxConfig),
      deferred: [],
    };
  });
  afterEach(async () => {
    const c = current;
    current = undefined;
    if (!c) return;
    let first: unknown;
    for (const fn of c.deferred.reverse()) {
      try {
        await fn();
      } catch (err) {
        first ??= err;
      }
    }
    c.tmux.kill();
    c.tmp.cleanup();
    if (first !== undefined) throw first;
  });

  const fx: Fixture = {
    get tmux() {
      return now().tmux;
    },
    get dir() {
      return now().tmp.dir;
    },
    config: (extra) => testConfig(fx.dir, fx.tmux, extra),
    async start(config, deps) {
      const engine = await startEngine(config ?? fx.config(), deps);
      fx.defer(() => engine.close());
      return engine;
    },
    recorder: (name) => fx.tmux.recorderPane(name, fx.dir),
    track(child) {
      fx.defer(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      return child;
    },
    defer: (fn) => now().deferred.push(fn),
  };
  return fx;
}
