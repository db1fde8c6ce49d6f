import { getEventListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deliver } from '../../src/engine/delivery/deliverer.js';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import { resolveTarget, targetSchema } from '../../src/engine/delivery/profiles.js';
import { ReadinessBook } from '../../src/engine/delivery/readiness.js';
import type { Task } from '../../src/engine/types.js';
import { useFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/tmux.js';

const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));

describe('a delivery leaves no listeners behind', () => {
  const fx = useFixture();

  it('a long readiness wait on a busy agent adds no abort listener that outlives it', async () => {
    const file = join(fx.dir, 'agent.jsonl');
    // The fake agent is busy for 1.5 s at start: about 100 readiness polls at 15 ms.
    const pane = fx.tmux.session('agent', [process.execPath, FAKE_AGENT, file, '100', '1500']);
    const target = resolveTarget(
      targetSchema.parse({ pane, preset: 'claude-code', readyPollMs: 15, readyTimeoutMs: 20_000 }),
    );
    const exec = new ExecTmux({ socketName: fx.tmux.socket });
    const engineLifetime = new AbortController(); // as the engine's: one signal for all its deliveries
    const task = { id: 1, text: 'patient message' } as Task;
    let marked = false;
    await deliver(
      exec,
      task,
      target,
      {
        beforeSend: () => {
          marked = true;
        },
        signal: engineLifetime.signal,
        book: new ReadinessBook(),
        name: 'agent',
      },
      5000,
    );
    await waitFor(
      () => existsSync(file) && readFileSync(file, 'utf8').includes('patient message'),
      10_000,
      'the message in the agent',
    );
    expect(marked).toBe(true);
    expect(getEventListeners(engineLifetime.signal, 'abort')).toHaveLength(0);
    await exec.close();
  });
});
