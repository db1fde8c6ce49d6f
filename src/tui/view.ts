/**
 * The dashboard's widgets and one `draw(frame)` that maps plain data to them. No timers, no engine calls:
 * the runner decides when to draw (throttled) and what data a frame holds.
 */
import type blessed from 'blessed';
import type { EngineSnapshot, Task } from '../engine/types.js';
import { LineChart } from '../widgets/line-chart.js';
import { Panel } from '../widgets/panel.js';
import type { StyledLine, Theme } from '../widgets/styled.js';
import { KEY_BINDINGS } from './keys.js';
import { truncate, wordWrap } from './format.js';
import {
  computeLayout,
  tooSmallMessage,
  visiblePanels,
  type FocusPanel,
  type Layout,
  type PanelId,
  type Rect,
} from './layout.js';
import type { HistoryPointLike, MonitorView } from './monitor-view.js';
import type { UiState } from './state.js';
import { logView, type LogLine } from './vm-log.js';
import {
  alertLines,
  clusterLines,
  footerLine,
  historySeries,
  metricsLines,
  percentileLines,
  statusLines,
} from './vm-panels.js';
import { deadView, detailLines, queueView, type ListView } from './vm-tasks.js';

export interface Frame {
  now: number;
  mode: 'embedded' | 'attached';
  connected: boolean;
  snapshot: EngineSnapshot | null;
  monitor: MonitorView;
  e2eSeries: readonly number[];
  log: readonly LogLine[];
  history: readonly HistoryPointLike[];
  historyLabel: string;
  detailTask: Task | undefined;
  ui: UiState;
}

/** What the key reducer needs to know about the last drawn frame. */
export interface DrawnLists {
  queue: ListView | null;
  dead: ListView | null;
  alerts: number;
  log: number;
}

const TITLES: Record<FocusPanel, string> = {
  queue: '1 queue',
  dead: '2 dead letters',
  alerts: '3 alerts',
  percentiles: '4 latency',
  log: '5 log',
};

export class DashboardView {
  private readonly panels: Record<Exclude<PanelId, 'history'>, Panel>;
  private readonly throughputChart: LineChart;
  private readonly latencyChart: LineChart;
  private readonly overlay: Panel;
  private overlayKey = '';
  private readonly tooSmall: Panel;
  layout: Layout;

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly theme: Theme,
  ) {
    const bordered = (): Panel => new Panel(screen, theme, true);
    this.panels = {
      status: new Panel(screen, theme, false),
      metrics: bordered(),
      percentiles: bordered(),
      queue: bordered(),
      dead: bordered(),
      alerts: bordered(),
      log: bordered(),
      footer: new Panel(screen, theme, false),
    };
    this.throughputChart = new LineChart(screen, theme, 'delivered / min');
    this.latencyChart = new LineChart(screen, theme, 'p95 end-to-end ms');
    this.overlay = bordered();
    this.tooSmall = new Panel(screen, theme, false);
    this.layout = computeLayout(screen.width as number, screen.height as number);
  }

  /**
   * Optional mouse: wheel scrolls and a click focuses a list panel. Registering these listeners is what turns mouse
   * tracking on in blessed, so without `mouse` tmux keeps its own mouse bindings.
   */
  enableMouse(onMouse: (panel: FocusPanel, action: 'focus' | 'down' | 'up') => void): void {
    for (const id of ['queue', 'dead', 'alerts', 'percentiles', 'log'] as const) {
      const box = this.panels[id].box;
      box.on('click', () => onMouse(id, 'focus'));
      box.on('wheeldown', () => onMouse(id, 'down'));
      box.on('wheelup', () => onMouse(id, 'up'));
    }
  }

  relayout(): void {
    this.layout = computeLayout(this.screen.width as number, this.screen.height as number);
  }

  draw(f: Frame): DrawnLists {
    const drawn: DrawnLists = { queue: null, dead: null, alerts: 0, log: 0 };
    const layout = this.layout;
    if (layout.mode === 'too-small') {
      for (const p of Object.values(this.panels)) p.setVisible(false);
      this.throughputChart.setVisible(false);
      this.latencyChart.setVisible(false);
      this.overlay.setVisible(false);
      const msg = wordWrap(tooSmallMessage(layout.cols, layout.rows), Math.max(1, layout.cols - 2));
      this.tooSmall.setRect({
        top: Math.max(0, Math.floor((layout.rows - msg.length) / 2)),
        left: 1,
        width: Math.max(1, layout.cols - 2),
        height: msg.length,
      });
      this.tooSmall.setLines(msg.map((l) => [{ text: l, tone: 'warn', bold: true }]));
      this.tooSmall.setVisible(true);
      this.screen.render();
      return drawn;
    }
    this.tooSmall.setVisible(false);
    const visible = new Set(visiblePanels(layout, f.ui.focus));
    for (const [id, panel] of Object.entries(this.panels) as [Exclude<PanelId, 'history'>, Panel][]) {
      const rect = layout.panels[id];
      const show = rect !== undefined && visible.has(id);
      panel.setVisible(show);
      if (!show || !rect) continue;
      panel.setRect(rect);
      this.fill(id, panel, rect, f, drawn);
    }
    this.drawHistory(layout.panels.history, f);
    this.drawOverlay(f);
    this.screen.render();
    return drawn;
  }

  private fill(id: Exclude<PanelId, 'history'>, panel: Panel, rect: Rect, f: Frame, drawn: DrawnLists): void {
    const { width, height } = panel.inner(rect);
    const ui = f.ui;
    const focusTitle = (p: FocusPanel, extra = ''): void => {
      const filter = p === 'percentiles' ? '' : ui.filters[p];
      panel.setTitle(`${TITLES[p]}${extra}${filter ? ` /${filter}` : ''}`, ui.focus === p);
    };
    switch (id) {
      case 'status':
        panel.setLines(statusLines({ ...f, frozen: ui.frozen }, width, height));
        return;
      case 'footer':
        panel.setLines([footerLine(ui, width, f.now)]);
        return;
      case 'metrics':
        panel.setTitle(f.monitor.source === 'monitor' ? 'engine' : 'engine (local figures)', false);
        panel.setLines(metricsLines(f, width));
        return;
      case 'percentiles':
        focusTitle('percentiles');
        panel.setLines(percentileLines(f.monitor.latency, width));
        return;
      case 'queue': {
        const v = queueView(f.snapshot?.pending ?? [], ui.filters.queue, ui.selected.queue, height, width, f.now);
        drawn.queue = v;
        focusTitle(
          'queue',
          ` (${v.rows.length}${v.rows.length < (f.snapshot?.stats.pending ?? 0) ? `/${f.snapshot?.stats.pending}` : ''})`,
        );
        panel.setLines(listLines(v, 'Queue empty.'));
        return;
      }
      case 'dead': {
        const v = deadView(f.snapshot?.dead ?? [], ui.filters.dead, ui.selected.dead, height, width, f.now);
        drawn.dead = v;
        focusTitle('dead', ` (${f.snapshot?.stats.depth.dead ?? 0})`);
        panel.setLines(listLines(v, 'No dead tasks.'));
        return;
      }
      case 'alerts': {
        const lines = alertLines(f.monitor.alerts, ui.filters.alerts, width, f.now);
        drawn.alerts = lines.length;
        focusTitle('alerts', ` (${f.monitor.alerts.active.length} active)`);
        const start = Math.min(ui.selected.alerts, Math.max(0, lines.length - height));
        panel.setLines(lines.slice(start, start + height));
        return;
      }
      case 'log': {
        const v = logView(f.log, ui.filters.log, ui.selected.log, height, width);
        drawn.log = v.count;
        focusTitle('log', v.scroll > 0 ? ` (-${v.scroll})` : '');
        panel.setLines(v.lines);
        return;
      }
    }
  }

  private drawHistory(rect: Rect | undefined, f: Frame): void {
    if (!rect) {
      this.throughputChart.setVisible(false);
      this.latencyChart.setVisible(false);
      return;
    }
    const [tput, lat] = historySeries(f.history);
    const two = rect.height >= 14;
    const h1 = two ? Math.floor(rect.height / 2) : rect.height;
    this.throughputChart.setVisible(true);
    this.throughputChart.setRect({ ...rect, height: h1 });
    if (tput) this.throughputChart.setSeries([{ title: tput.title, x: tput.x, y: tput.y, color: 'cyan' }]);
    this.latencyChart.setVisible(two);
    if (two) {
      this.latencyChart.setRect({ ...rect, top: rect.top + h1, height: rect.height - h1 });
      if (lat) this.latencyChart.setSeries([{ title: lat.title, x: lat.x, y: lat.y, color: 'yellow' }]);
    }
  }

  private drawOverlay(f: Frame): void {
    const o = f.ui.overlay;
    const key = o ? `${o.kind}:${f.detailTask?.id ?? ''}` : '';
    // A terminal redraws a wide character's two cells as one: overwriting part of them in place can leave stale
    // cells beside the overlay. Opening or closing it repaints the whole screen once instead of diffing.
    if (key !== this.overlayKey) {
      this.overlayKey = key;
      (this.screen as unknown as { realloc(): void }).realloc();
    }
    if (!o) {
      this.overlay.setVisible(false);
      return;
    }
    const { cols, rows } = this.layout;
    const width = Math.min(cols - 2, 100);
    const lines: StyledLine[] =
      o.kind === 'help'
        ? [
            [{ text: 'Keys', bold: true }],
            ...helpRows(width - 2),
            [],
            [{ text: 'Esc or ? closes this help.', tone: 'dim' }],
          ]
        : o.kind === 'cluster'
          ? [...clusterLines(f.snapshot?.stats.cluster, width - 2), [], [{ text: 'Esc or c closes.', tone: 'dim' }]]
          : [...detailLines(f.detailTask, width - 2, f.now), [], [{ text: 'Esc closes.', tone: 'dim' }]];
    const height = Math.min(rows - 2, lines.length + 2);
    this.overlay.setRect({
      top: Math.max(0, Math.floor((rows - height) / 2)),
      left: Math.floor((cols - width) / 2),
      width,
      height,
    });
    this.overlay.setTitle(o.kind === 'help' ? 'help' : o.kind === 'cluster' ? 'cluster' : 'task detail', true);
    this.overlay.setLines(
      lines.slice(0, height - 2).map((l) => l.map((s) => ({ ...s, text: truncate(s.text, width - 2) }))),
    );
    this.overlay.setVisible(true);
    this.overlay.box.setFront();
  }
}

function helpRows(width: number): StyledLine[] {
  const labelW = Math.max(...KEY_BINDINGS.map((b) => b.label.length)) + 2;
  return KEY_BINDINGS.flatMap((b) =>
    wordWrap(b.description, Math.max(10, width - labelW)).map((l, i): StyledLine => [
      { text: (i === 0 ? b.label : '').padEnd(labelW), bold: true, tone: 'accent' },
      { text: l },
    ]),
  );
}

function listLines(v: ListView, empty: string): StyledLine[] {
  if (v.rows.length === 0)
    return [v.header, [{ text: v.total > 0 ? 'No rows match the filter.' : empty, tone: 'dim' }]];
  return [v.header, ...v.lines];
}
