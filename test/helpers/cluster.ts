/**
 * Nodes of a test cluster: each an engine with its own data dir and its own tmux server (`-L` socket), all on one
 * private redis-server (test/helpers/redis.ts). Fast heartbeats so liveness and recovery show within a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/engine/config/schema.js';
import type { Engine, EngineDeps } from '../../src/engine/engine.js';
import { readToken } from '../../src/engine/intake/http/token.js';
import { startEngine, testConfig } from './engine.js';
import { TestTmux } from './tmux.js';

export const CLUSTER_SECRET = 'cluster-secret-for-tests-0123456789abcdef';

/** The shared secret file (0600) in `dir`. */
export function secretFile(dir: string, secret = CLUSTER_SECRET): string {
  const path = join(dir, `cluster-secret-${secret.length}`);
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return path;
}

export interface TestNode {
  name: string;
  dir: string;
  tmux: TestTmux;
  engine: Engine;
  /** Recorder panes by target name, and the files they write. */
  panes: Record<string, { pane: string; file: string }>;
}

/** The cluster section of a node's config, for a given socket and secret file. */
export function clusterInput(node: string, socket: string, secret: string, extra: object = {}): ConfigInput['cluster'] {
  return { redis: socket, node, secretFile: secret, heartbeatMs: 200, nodeTtlMs: 1500, timeoutMs: 1000, ...extra };
}

/** Start one node: recorder panes for `targets` (name -> pool or null), then the engine with HTTP on port 0. */
export async function startNode(
  name: string,
  dir: string,
  socket: string,
  targets: Record<string, string | null>,
  opts: { secret?: string; extra?: ConfigInput; deps?: EngineDeps; tmux?: TestTmux } = {},
): Promise<TestNode> {
  mkdirSync(dir, { recursive: true });
  const tmux = opts.tmux ?? new TestTmux(`wht-cl-${name}`);
  const panes: TestNode['panes'] = {};
  for (const t of Object.keys(targets)) panes[t] = await tmux.recorderPane(t, dir);
  const config = testConfig(dir, tmux, {
    ...opts.extra,
    targets: Object.fromEntries(Object.entries(targets).map(([t, pool]) => [t, { pane: panes[t]!.pane, pool }])),
    http: { enabled: true, port: 0 },
    cluster: clusterInput(name, socket, opts.secret ?? secretFile(dir)),
  });
  try {
    const engine = await startEngine(config, opts.deps);
    return { name, dir, tmux, engine, panes };
  } catch (err) {
    if (!opts.tmux) tmux.kill();
    throw err;
  }
}

/** POST /v1/tasks on a node's HTTP with its bearer token; the parsed answer. */
export async function postTask(
  node: { engine: Engine; dir: string },
  body: Record<string, unknown>,
): Promise<{ status: number; body: { id?: number; state?: string; error?: string } }> {
  const token = await readToken(join(node.dir, 'data'));
  const res = await fetch(`${node.engine.httpUrl()}/v1/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { id?: number; state?: string; error?: string } };
}
