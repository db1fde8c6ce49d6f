import type { Config } from '../engine/config/schema.js';
import { createEngine, type Engine } from '../engine/engine.js';
import type { Out } from './output.js';

/**
 * Start the engine, close it cleanly on SIGINT/SIGTERM (deliveries in flight finish first), and resolve with the
 * exit code once it has closed.
 */
export async function runEngineUntilSignal(
  config: Config,
  out: Out,
  onStarted?: (engine: Engine) => Promise<void> | void,
  opts: { echo?: boolean } = {},
): Promise<number> {
  // A start that fails (refused by preflight, or later in start()) is logged by the engine itself (engine.log).
  const engine = await createEngine(config, opts.echo === false ? {} : { logEcho: (line) => out.err(line) });
  let closed!: () => void;
  const done = new Promise<void>((resolve) => {
    closed = resolve;
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    out.err(`received ${signal}: finishing deliveries in flight, then closing`);
    void engine.close().then(closed);
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  // The engine's own handles (watchers, sockets) keep the process alive; this keeps it alive in any case.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  try {
    await engine.start();
    out.err(
      `webhook-tui engine ${process.pid}: spool ${config.spool.dir}, data ${config.dataDir}, default target ${await engine.describeDefaultTarget()}${engine.isPaused() ? ' (PAUSED)' : ''}`,
    );
    await onStarted?.(engine);
    await done;
    return 0;
  } catch (err) {
    await engine.close();
    throw err;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
