/**
 * A pass that coalesces its callers: `run()` while a pass runs asks for one more pass after it (however many calls
 * came meanwhile) and returns the running one's promise; passes never overlap. `more()` decides, after each pass that
 * was asked for again, whether to run it (closed, failing: no).
 */
export class Coalesced {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly more: () => boolean = () => true,
  ) {}

  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.pass();
      } while (this.#again && this.more());
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Resolves when no pass runs (a failed one included). */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }
}
