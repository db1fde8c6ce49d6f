/**
 * While the dashboard owns the terminal nothing else may write to it: stderr writes and console output
 * are redirected to a sink (the log pane + log file). Returns a restore function.
 */
export type OutputSink = (stream: 'stderr' | 'console', text: string) => void;

export function redirectOutput(sink: OutputSink): () => void {
  const originalWrite = process.stderr.write;
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((m) => console[m]);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    sink('stderr', typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stderr.write;
  for (const m of methods) {
    console[m] = (...args: unknown[]): void =>
      sink(
        'console',
        args
          .map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a)))
          .join(' '),
      );
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    process.stderr.write = originalWrite;
    methods.forEach((m, i) => {
      const orig = originals[i];
      if (orig) console[m] = orig;
    });
  };
}
