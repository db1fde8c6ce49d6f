/**
 * blessed-contrib line chart that survives resizes (contrib canvases size themselves once on `attach`:
 * yaronn/blessed-contrib#10; re-emitting `attach` after a move is gtop's fix) and takes plain series.
 */
import type blessed from 'blessed';
import type contrib from 'blessed-contrib';
import line from 'blessed-contrib/lib/widget/charts/line.js';
import type { PanelRect } from './panel.js';
import type { Theme } from './styled.js';

export interface LineSeries {
  title: string;
  x: string[];
  y: number[];
  color: 'cyan' | 'yellow' | 'green' | 'red';
}

interface LineWidget extends blessed.Widgets.BoxElement {
  setData(data: { title: string; x: string[]; y: number[]; style?: { line: string } }[]): void;
}

interface CanvasLike {
  ctx?: { _canvas: { frame(): string } };
  clearPos(force: boolean): void;
  setContent(text: string): void;
  _render(): unknown;
  render(): unknown;
}

/**
 * contrib's Canvas.render re-sets (and blessed re-parses) its whole braille frame on every screen render, even when
 * nothing changed: ~10 ms a frame at 120x40. Only re-set the content when the frame text differs.
 */
function cacheCanvasContent(widget: unknown): void {
  const w = widget as CanvasLike;
  let last: string | null = null;
  w.render = function render(this: CanvasLike): unknown {
    this.clearPos(true);
    const inner = this.ctx ? this.ctx._canvas.frame() : '';
    if (inner !== last) {
      last = inner;
      this.setContent(inner);
    }
    return this._render();
  };
}

export class LineChart {
  private readonly widget: LineWidget;
  private data: LineSeries[] = [];
  private key = '';

  constructor(
    screen: blessed.Widgets.Screen,
    private readonly theme: Theme,
    label: string,
  ) {
    const plainStyle = theme.noColor
      ? { line: 'normal', text: 'normal', baseline: 'normal' }
      : { line: 'cyan', text: 'white', baseline: 'white' };
    this.widget = line({
      label: ` ${label} `,
      showLegend: false,
      wholeNumbersOnly: false,
      xLabelPadding: 3,
      xPadding: 5,
      style: plainStyle,
      border: { type: 'line' },
    } as unknown as contrib.Widgets.LineOptions) as unknown as LineWidget;
    screen.append(this.widget);
    cacheCanvasContent(this.widget);
    if (theme.border) (this.widget.style as { border?: { fg?: string } }).border = { fg: theme.border };
    this.widget.hide();
  }

  setVisible(visible: boolean): void {
    if (visible) this.widget.show();
    else this.widget.hide();
  }

  setRect(rect: PanelRect): void {
    const w = this.widget;
    if (w.top === rect.top && w.left === rect.left && w.width === rect.width && w.height === rect.height) return;
    w.top = rect.top;
    w.left = rect.left;
    w.width = rect.width;
    w.height = rect.height;
    w.emit('attach');
    this.key = '';
    this.setSeries(this.data);
  }

  setSeries(series: LineSeries[]): void {
    this.data = series;
    const usable = series.filter((s) => s.y.length > 0);
    const key = JSON.stringify(usable);
    if (
      key === this.key ||
      usable.length === 0 ||
      (this.widget.width as number) < 16 ||
      (this.widget.height as number) < 5
    )
      return;
    this.key = key;
    this.widget.setData(
      usable.map((s) => ({
        title: s.title,
        // contrib's line chart needs at least two points to draw a segment
        x: s.x.length === 1 ? [s.x[0] ?? '', s.x[0] ?? ''] : s.x,
        y: s.y.length === 1 ? [s.y[0] ?? 0, s.y[0] ?? 0] : s.y,
        style: { line: this.theme.noColor ? 'normal' : s.color },
      })),
    );
  }
}
