/**
 * Start-up and shutdown as one ordered list of steps. `start()` runs each step's start in order; `close()` runs
 * every step's close in reverse order (each close is idempotent and safe when its start never ran), once, even
 * after a failed start. A step may have only a start (a one-off action) or only a close (a resource opened by the
 * composition root).
 */
export interface LifecycleStep {
  name: string;
  start?: () => Promise<void> | void;
  close?: () => Promise<void> | void;
}

export class Lifecycle {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly steps: readonly LifecycleStep[],
    private readonly onCloseError: (step: string, err: unknown) => void,
  ) {}

  get closed(): boolean {
    return this.closing !== undefined;
  }

  async start(): Promise<void> {
    for (const step of this.steps) {
      if (this.closing) return;
      await step.start?.();
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.close?.();
        } catch (err) {
          this.onCloseError(step.name, err);
        }
      }
    })();
    return this.closing;
  }
}
