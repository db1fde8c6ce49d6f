/**
 * The dashboard (built CLI in a pty, engine on its own thread) in cluster mode: the status line shows the cluster,
 * `c` opens the cluster panel with this node and its targets, and a task for another node's target is forwarded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { secretFile, startNode, type TestNode } from '../helpers/cluster.js';
import { useFixture } from '../helpers/fixture.js';
import { PtyScreen } from '../helpers/pty.js';
import { TestRedis } from '../helpers/redis.js';
import { recorded, waitFor } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('the dashboard in cluster mode (pty, real Redis)', () => {
  let screen: PtyScreen | undefined;
  let other: TestNode | undefined;
  let redis: TestRedis | undefined;
  const fx = useFixture();

  afterEach(async () => {
    if (screen && !screen.exit) screen.proc.kill('SIGKILL');
    screen = undefined;
    await other?.engine.close();
    other?.tmux.kill();
    other = undefined;
    await redis?.stop();
  });

  it('shows the cluster on the status line and in the c panel, and forwards to the other node', async () => {
    redis = new TestRedis(fx.dir);
    await redis.start();
    const secret = secretFile(fx.dir);
    other = await startNode('far', join(fx.dir, 'far'), redis.socket, { 'far-shell': null }, { secret });
    const { pane } = await fx.recorder('near-rec');
    const configFile = join(fx.dir, 'config.json');
    const spool = join(fx.dir, 'spool');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(fx.dir, 'data'),
        spool: { dir: spool },
        tmux: { socketName: fx.tmux.socket },
        targets: { 'near-shell': { pane } },
        queue: { rateLimit: { perSecond: 0 } },
        http: { port: 0 },
        cluster: { redis: redis.socket, node: 'near', secretFile: secret, heartbeatMs: 200, nodeTtlMs: 3000 },
      }),
    );
    screen = new PtyScreen({
      args: [BIN, '--config', configFile],
      cols: 160,
      rows: 40,
      env: { TMUX: undefined, TMUX_PANE: undefined },
    });
    await screen.waitFor((t) => t.includes('RUNNING') && t.includes('cluster near 2/2 up'), 30_000);
    await screen.waitFor('far-shell@far:', 15_000);
    writeSpoolFile(spool, JSON.stringify({ command: 'echo across', target: 'far-shell' }));
    await waitFor(() => recorded(other!.panes['far-shell']!.file).length === 1, 30_000, 'typed on far');
    expect(recorded(other.panes['far-shell']!.file)).toEqual(['echo across']);
    screen.write('c');
    await screen.waitFor((t) => t.includes('this node near') && t.includes('forwarded far 1'), 15_000);
    const text = screen.text();
    expect(text).toMatch(/far +up +health HEALTHY +backlog 0/);
    expect(text).toContain('near-shell: ');
    screen.write('c');
    await screen.waitFor((t) => !t.includes('this node near'), 10_000);
    screen.write('q');
    await screen.exited;
  }, 120_000);
});
