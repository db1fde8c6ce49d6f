/**
 * The embedded engine's thread (`webhook-tui` with `tui.engineThread`): runs the engine here, off the dashboard's
 * event loop, and tells the parent once it started (or why it could not). The dashboard talks to it through the
 * engine's control socket, as to a `serve`. Messages: parent -> here `{ type: 'close' }`; here -> parent
 * `{ type: 'ready', target }`, `{ type: 'failed', code, message, details }`, `{ type: 'closed' }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../engine/config/schema.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { toWhtError } from '../engine/errors.js';

export type FromEngineThread =
  | { type: 'ready'; target: string }
  | { type: 'failed'; code: string; message: string; details?: Record<string, unknown> | undefined }
  | { type: 'closed' };

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const config = (workerData as { config: Config }).config;
  const post = (m: FromEngineThread) => port.postMessage(m);
  let engine: Engine | undefined;
  try {
    engine = await createEngine(config);
    await engine.start();
  } catch (err) {
    await engine?.close().catch(() => {});
    const e = toWhtError(err);
    post({ type: 'failed', code: e.code, message: e.message, details: e.details });
    return;
  }
  const started = engine;
  port.on('message', (m: { type?: string }) => {
    if (m?.type !== 'close') return;
    void started.close().finally(() => {
      post({ type: 'closed' });
      port.close();
    });
  });
  post({ type: 'ready', target: await started.describeDefaultTarget() });
}

if (parentPort) void main(parentPort);
