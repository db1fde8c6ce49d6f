import { describe, expect, it } from 'vitest';
import { LOOP_RESOLUTION_MS, ResourceSampler, loopDelayMs } from '../../src/engine/monitor/resources.js';

function sampler(): ResourceSampler {
  return new ResourceSampler({ now: () => Date.now(), watchedPids: async () => [], dataDirs: [] });
}
const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop delay', () => {
  it('a sample is the time beyond the timer interval, never below 0', () => {
    expect(loopDelayMs((LOOP_RESOLUTION_MS + 3) * 1e6)).toBeCloseTo(3);
    expect(loopDelayMs(LOOP_RESOLUTION_MS * 1e6 - 5)).toBe(0);
  });

  it('an idle engine reads near 0 ms (the 100 ms resolution used to read about 101 ms)', async () => {
    const s = sampler();
    s.start();
    await idle(1000);
    const usage = s.engine();
    s.close();
    // the old figure could not go below the 100 ms resolution; the machine running tests is shared, so allow noise
    expect(usage.eventLoopDelayP99Ms).toBeLessThan(50);
  });

  it('a 200 ms block still shows (the figure is not just lowered)', async () => {
    const s = sampler();
    s.start();
    await idle(50);
    const until = performance.now() + 200;
    while (performance.now() < until) {
      /* block the loop */
    }
    await idle(50);
    const usage = s.engine();
    s.close();
    expect(usage.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(180);
  });
});
