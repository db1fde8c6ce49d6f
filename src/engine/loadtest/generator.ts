/** Main-thread side of the generator: runs a phase in a worker thread, relays progress, stops it on request. */
import { Worker } from 'node:worker_threads';
import type { PhaseJob, PhaseProgress, PhaseResult, WorkerMessage } from './types.js';

const WORKER = new URL('./worker.js', import.meta.url);

export interface RunningPhase {
  result: Promise<PhaseResult>;
  /** Ask the worker to stop sending; `result` then resolves with what ran. Idempotent. */
  stop(): void;
}

export function startPhase(job: PhaseJob, onProgress: (p: PhaseProgress) => void = () => {}): RunningPhase {
  const worker = new Worker(WORKER, { workerData: job });
  let stopped = false;
  const result = new Promise<PhaseResult>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m);
      else if (m.type === 'result') resolve(m);
      else reject(new Error(`load generator: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load generator exited (${code}) before its result`)));
  }).finally(() => void worker.terminate());
  return {
    result,
    stop: () => {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
