/**
 * Start the embedded engine in a worker thread (engine-worker.ts) and wait until it runs. A start that fails rejects
 * with the engine's own WhtError (same code, same exit status as on the dashboard's thread); a thread that dies
 * later is reported through `onExit`.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../engine/config/schema.js';
import { WhtError, type ErrorCode } from '../engine/errors.js';
import type { FromEngineThread } from './engine-worker.js';

export interface EngineThread {
  /** The default target, described (for `--split`'s report). */
  target: string;
  /** Close the engine (in-flight deliveries finish) and end the thread; idempotent. */
  close(): Promise<void>;
  /** Called once if the thread ends without being asked to (crash): the reason. */
  onExit(fn: (reason: string) => void): void;
}

export function startEngineThread(config: Config): Promise<EngineThread> {
  const worker = new Worker(new URL('./engine-worker.js', import.meta.url), { workerData: { config } });
  let closing: Promise<void> | null = null;
  let exitListener: ((reason: string) => void) | null = null;
  let lastError: Error | null = null;
  let failure: WhtError | null = null;
  worker.on('error', (err) => (lastError = err));
  let ended = false;
  const exited = new Promise<number>((r) =>
    worker.once('exit', (code) => {
      ended = true;
      r(code);
    }),
  );
  return new Promise<EngineThread>((resolve, reject) => {
    const onMessage = (m: FromEngineThread) => {
      if (m.type === 'failed') {
        failure = new WhtError(m.code as ErrorCode, m.message, m.details);
        void worker.terminate();
        return;
      }
      if (m.type !== 'ready') return;
      worker.off('message', onMessage);
      void exited.then((code) => {
        if (!closing) exitListener?.(lastError?.message ?? `the engine's thread ended (exit code ${code})`);
      });
      resolve({
        target: m.target,
        close: () =>
          (closing ??= (async () => {
            if (ended) return;
            const closed = new Promise<void>((done) =>
              worker.on('message', (c: FromEngineThread) => c.type === 'closed' && done()),
            );
            worker.postMessage({ type: 'close' });
            await Promise.race([closed, exited]);
            // the engine closed everything it owns; a handle left behind must not keep the thread (and us) alive
            const grace = setTimeout(() => void worker.terminate(), 2000);
            await exited;
            clearTimeout(grace);
          })()),
        onExit: (fn) => (exitListener = fn),
      });
    };
    worker.on('message', onMessage);
    void exited.then((code) =>
      reject(failure ?? lastError ?? new Error(`the engine's thread ended at start (exit code ${code})`)),
    );
  });
}
