import { describe, expect, it } from 'vitest';
import {
  computeLayout,
  MIN_COLS,
  MIN_ROWS,
  tooSmallMessage,
  visiblePanels,
  type Layout,
  type Rect,
} from '../../src/tui/layout.js';

function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

function checkFits(l: Layout): void {
  const shown = visiblePanels(l, 'queue').map((id) => [id, l.panels[id]!] as const);
  for (const [id, r] of shown) {
    expect(r.left, id).toBeGreaterThanOrEqual(0);
    expect(r.top, id).toBeGreaterThanOrEqual(0);
    expect(r.left + r.width, id).toBeLessThanOrEqual(l.cols);
    expect(r.top + r.height, id).toBeLessThanOrEqual(l.rows);
    expect(r.width, id).toBeGreaterThan(0);
    expect(r.height, id).toBeGreaterThan(0);
  }
  for (const [a, ra] of shown)
    for (const [b, rb] of shown) if (a < b) expect(overlaps(ra, rb), `${a} vs ${b}`).toBe(false);
}

describe('computeLayout', () => {
  it.each([
    [120, 40, 'wide'],
    [200, 60, 'wide'],
    [100, 30, 'normal'],
    [80, 24, 'normal'],
    [60, 24, 'compact'],
    [79, 40, 'compact'],
    [MIN_COLS, MIN_ROWS, 'compact'],
    [MIN_COLS - 1, 24, 'too-small'],
    [80, MIN_ROWS - 1, 'too-small'],
  ])('%ix%i is %s, panels inside the screen and not overlapping', (cols, rows, mode) => {
    const l = computeLayout(cols, rows);
    expect(l.mode).toBe(mode);
    if (mode !== 'too-small') checkFits(l);
  });

  it('wide shows the history chart; 80x24 keeps every list panel but drops the chart', () => {
    expect(computeLayout(120, 40).panels.history).toBeDefined();
    const n = computeLayout(80, 24);
    expect(n.panels.history).toBeUndefined();
    for (const id of ['status', 'metrics', 'percentiles', 'queue', 'dead', 'alerts', 'log', 'footer'] as const)
      expect(n.panels[id], id).toBeDefined();
  });

  it('compact shows the focused one of log/alerts/latency in the shared slot (log by default)', () => {
    const c = computeLayout(60, 24);
    expect(visiblePanels(c, 'queue')).toContain('log');
    expect(visiblePanels(c, 'queue')).not.toContain('alerts');
    expect(visiblePanels(c, 'alerts')).toContain('alerts');
    expect(visiblePanels(c, 'alerts')).not.toContain('log');
    expect(visiblePanels(c, 'percentiles')).toContain('percentiles');
  });

  it('says what size is needed', () => {
    expect(tooSmallMessage(40, 12)).toContain(`40x12, need at least ${MIN_COLS}x${MIN_ROWS}`);
  });
});
