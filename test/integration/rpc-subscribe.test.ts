import { describe, expect, it } from 'vitest';
import { dataPaths } from '../../src/engine/data-dir.js';
import { connectRpc } from '../../src/engine/rpc/client.js';
import type { Task } from '../../src/engine/task.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

describe('control socket: subscribing to some events', () => {
  const fx = useFixture();

  it('sends only the events asked for, in order, and refuses an unknown name without closing the connection', async () => {
    const { pane, file } = await fx.recorder('rec');
    const config = fx.config({ targets: { default: { pane } } });
    const engine = await fx.start(config);
    const client = await connectRpc(dataPaths(config.dataDir).socket);
    fx.defer(() => client.close());

    await expect(client.subscribe(['task:delivered', 'task:nonsense' as 'task:delivered'])).rejects.toMatchObject({
      code: 'WHT_ERR_USAGE',
      message: expect.stringContaining('task:nonsense'),
    });
    const seen: string[] = [];
    for (const name of ['task:queued', 'task:started', 'task:delivered', 'log'] as const)
      client.events.on(name, (...args: unknown[]) => seen.push(`${name} ${(args[0] as Task).id ?? ''}`));
    await client.subscribe(['task:delivered']);

    const ids: number[] = [];
    for (const text of ['echo one', 'echo two']) {
      ids.push(engine.enqueue({ text, source: 'api' }).task.id);
    }
    await waitFor(() => recorded(file).length === 2, 15_000, 'both lines in the pane');
    // Events of one engine arrive in the order they happened: once the second delivery is here, any queued,
    // started or log event (all emitted before it) would have arrived too.
    await waitFor(() => seen.length >= 2, 15_000, 'two delivered events');
    expect(seen).toEqual(ids.map((id) => `task:delivered ${id}`));
  });
});
