/** A bordered (or bare) text panel: plain styled lines in, blessed box out. Only re-sets content when it changed. */
import blessed from 'blessed';
import { toTags, type StyledLine, type Theme } from './styled.js';

export interface PanelRect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export class Panel {
  readonly box: blessed.Widgets.BoxElement;
  private content = '';
  private title = '';
  private focused = false;

  constructor(
    screen: blessed.Widgets.Screen,
    private readonly theme: Theme,
    readonly bordered = true,
  ) {
    this.box = blessed.box({
      parent: screen,
      tags: true,
      wrap: false,
      ...(bordered ? { border: { type: 'line' } } : {}),
      style: bordered
        ? { border: theme.border ? { fg: theme.border } : {}, label: theme.label ? { fg: theme.label } : {} }
        : {},
    });
    this.box.hide();
  }

  /** Columns and rows inside the border. */
  inner(rect: PanelRect): { width: number; height: number } {
    const b = this.bordered ? 2 : 0;
    return { width: Math.max(0, rect.width - b), height: Math.max(0, rect.height - b) };
  }

  setRect(rect: PanelRect): void {
    this.box.top = rect.top;
    this.box.left = rect.left;
    this.box.width = rect.width;
    this.box.height = rect.height;
  }

  setVisible(visible: boolean): void {
    if (visible) this.box.show();
    else this.box.hide();
  }

  setTitle(title: string, focused: boolean): void {
    if (!this.bordered || (title === this.title && focused === this.focused)) return;
    this.title = title;
    this.focused = focused;
    const mark = focused ? '>' : ' ';
    this.box.setLabel(` ${mark}${title}${focused ? '<' : ' '}`);
    const border = focused ? this.theme.focusBorder : this.theme.border;
    const style = this.box.style as { border?: { fg?: string; bold?: boolean } };
    style.border = { ...(border ? { fg: border } : {}), bold: focused };
  }

  setLines(lines: readonly StyledLine[]): void {
    const next = lines.map((l) => toTags(l, this.theme)).join('\n');
    if (next === this.content) return;
    this.content = next;
    this.box.setContent(next);
  }
}
