/**
 * Generator worker thread: runs one phase (phase.ts) off the main thread, so a stall of the main thread (the report,
 * the progress line, an embedded engine) never delays a send. Messages: progress now and then, then one result.
 * The parent posts 'stop' to end the phase early (Ctrl-C); the result then covers what ran.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runPhase } from './phase.js';
import type { PhaseJob, WorkerMessage } from './types.js';

const port = parentPort;
if (port) {
  let stopped = false;
  port.on('message', (m: unknown) => {
    if (m === 'stop') stopped = true;
  });
  const post = (m: WorkerMessage): void => port.postMessage(m);
  runPhase(workerData as PhaseJob, { stopped: () => stopped, progress: post }).then(
    (result) => post(result),
    (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
}
