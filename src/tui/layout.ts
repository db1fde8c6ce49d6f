/**
 * Pure layout: terminal size -> rectangles. Three layouts plus a "too small" screen:
 * - wide (>= 110x34): everything, with the history chart;
 * - normal (>= 80x22, e.g. 80x24): no history chart;
 * - compact (narrow tmux splits, e.g. 60x24): stacked; alerts/latency/log share the bottom slot (the focused one shows).
 */

export type PanelId = 'status' | 'metrics' | 'percentiles' | 'queue' | 'dead' | 'alerts' | 'history' | 'log' | 'footer';
export type FocusPanel = 'queue' | 'dead' | 'alerts' | 'percentiles' | 'log';
/** Order used by Tab and the number keys 1-5. */
export const FOCUS_ORDER: readonly FocusPanel[] = ['queue', 'dead', 'alerts', 'percentiles', 'log'];

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export type LayoutMode = 'wide' | 'normal' | 'compact' | 'too-small';

export interface Layout {
  mode: LayoutMode;
  cols: number;
  rows: number;
  /** Panels shown; a panel missing here is hidden. In compact mode alerts, percentiles and log share one rect. */
  panels: Partial<Record<PanelId, Rect>>;
  /** Panels that share a rect with others: only the focused one (default: log) is shown. */
  shared: readonly PanelId[];
}

export const MIN_COLS = 48;
export const MIN_ROWS = 18;

export function computeLayout(cols: number, rows: number): Layout {
  if (cols < MIN_COLS || rows < MIN_ROWS) return { mode: 'too-small', cols, rows, panels: {}, shared: [] };
  if (cols >= 110 && rows >= 34) return wide(cols, rows);
  if (cols >= 80 && rows >= 22) return normal(cols, rows);
  return compact(cols, rows);
}

function rect(top: number, left: number, width: number, height: number): Rect {
  return { top, left, width, height };
}

function wide(cols: number, rows: number): Layout {
  const band = 7;
  const pctW = Math.min(64, Math.floor(cols / 2));
  const logH = Math.max(6, Math.floor(rows * 0.2));
  const midTop = 1 + band;
  const midH = rows - 1 - midTop - logH;
  const leftW = Math.floor(cols * 0.58);
  const queueH = Math.ceil(midH / 2);
  const alertsH = Math.min(7, Math.floor(midH / 3));
  return {
    mode: 'wide',
    cols,
    rows,
    shared: [],
    panels: {
      status: rect(0, 0, cols, 1),
      metrics: rect(1, 0, cols - pctW, band),
      percentiles: rect(1, cols - pctW, pctW, band),
      queue: rect(midTop, 0, leftW, queueH),
      dead: rect(midTop + queueH, 0, leftW, midH - queueH),
      alerts: rect(midTop, leftW, cols - leftW, alertsH),
      history: rect(midTop + alertsH, leftW, cols - leftW, midH - alertsH),
      log: rect(midTop + midH, 0, cols, logH),
      footer: rect(rows - 1, 0, cols, 1),
    },
  };
}

function normal(cols: number, rows: number): Layout {
  const band = 7;
  const metricsW = Math.floor(cols * 0.48);
  const midTop = 1 + band;
  const bottomH = Math.max(5, Math.floor((rows - 1 - midTop) * 0.45));
  const midH = rows - 1 - midTop - bottomH;
  const half = Math.floor(cols / 2);
  const logW = Math.floor(cols * 0.62);
  return {
    mode: 'normal',
    cols,
    rows,
    shared: [],
    panels: {
      status: rect(0, 0, cols, 1),
      metrics: rect(1, 0, metricsW, band),
      percentiles: rect(1, metricsW, cols - metricsW, band),
      queue: rect(midTop, 0, half, midH),
      dead: rect(midTop, half, cols - half, midH),
      log: rect(midTop + midH, 0, logW, bottomH),
      alerts: rect(midTop + midH, logW, cols - logW, bottomH),
      footer: rect(rows - 1, 0, cols, 1),
    },
  };
}

function compact(cols: number, rows: number): Layout {
  const statusH = rows >= 22 ? 2 : 1;
  const metricsH = 6;
  const body = rows - statusH - metricsH - 1;
  const slotH = Math.max(3, Math.floor(body * 0.3));
  const deadH = Math.max(3, Math.floor(body * 0.3));
  const queueH = body - slotH - deadH;
  const slot = rect(statusH + metricsH + queueH + deadH, 0, cols, slotH);
  return {
    mode: 'compact',
    cols,
    rows,
    shared: ['log', 'alerts', 'percentiles'],
    panels: {
      status: rect(0, 0, cols, statusH),
      metrics: rect(statusH, 0, cols, metricsH),
      queue: rect(statusH + metricsH, 0, cols, queueH),
      dead: rect(statusH + metricsH + queueH, 0, cols, deadH),
      log: slot,
      alerts: slot,
      percentiles: slot,
      footer: rect(rows - 1, 0, cols, 1),
    },
  };
}

/** Which panels are visible given the focus (compact mode shows one of the shared panels). */
export function visiblePanels(layout: Layout, focus: FocusPanel): PanelId[] {
  const ids = Object.keys(layout.panels) as PanelId[];
  if (layout.shared.length === 0) return ids;
  const shown: PanelId = layout.shared.includes(focus) ? focus : 'log';
  return ids.filter((id) => !layout.shared.includes(id) || id === shown);
}

/** The message shown below the minimum size. */
export function tooSmallMessage(cols: number, rows: number): string {
  return `Terminal too small: ${cols}x${rows}, need at least ${MIN_COLS}x${MIN_ROWS}. Resize, or press q to quit.`;
}
