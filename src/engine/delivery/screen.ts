/**
 * A pane's screen as `capture-pane -p -e` prints it: plain text per line, plus which characters are drawn faint
 * (SGR 2, how agent CLIs draw an input box's placeholder) or inverse (SGR 7, how they draw their own cursor).
 * tmux carries attributes from one line to the next (it only prints changes), so the parser keeps them across lines.
 * Pure.
 */

export interface ScreenLine {
  text: string;
  /** Per UTF-16 index of `text`: drawn faint. */
  dim: boolean[];
  /** Per UTF-16 index of `text`: drawn inverse. */
  inverse: boolean[];
}

interface Attrs {
  dim: boolean;
  inverse: boolean;
}

/** Apply one SGR parameter list (`0;2`, `38;5;75`, ``) to the attributes. */
function applySgr(params: string, attrs: Attrs): void {
  const list = params === '' ? ['0'] : params.split(';');
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!.split(':')[0]!;
    const n = p === '' ? 0 : Number(p);
    if (n === 0) {
      attrs.dim = false;
      attrs.inverse = false;
    } else if (n === 2) attrs.dim = true;
    else if (n === 22) attrs.dim = false;
    else if (n === 7) attrs.inverse = true;
    else if (n === 27) attrs.inverse = false;
    else if ((n === 38 || n === 48 || n === 58) && !list[i]!.includes(':'))
      i += list[i + 1] === '5' ? 2 : list[i + 1] === '2' ? 4 : 0;
  }
}

/** Length of the escape sequence starting at `s[i]` (ESC), and its SGR parameters when it is one. */
function escapeAt(s: string, i: number): { length: number; sgr: string | null } {
  const kind = s[i + 1];
  if (kind === '[') {
    let j = i + 2;
    while (j < s.length && !/[@-~]/.test(s[j]!)) j++;
    return { length: j + 1 - i, sgr: s[j] === 'm' ? s.slice(i + 2, j) : null };
  }
  if (kind === ']' || kind === 'P' || kind === '_') {
    // OSC / DCS / APC (hyperlinks): up to BEL or ST.
    for (let j = i + 2; j < s.length; j++) {
      if (s[j] === '\x07') return { length: j + 1 - i, sgr: null };
      if (s[j] === '\x1b' && s[j + 1] === '\\') return { length: j + 2 - i, sgr: null };
    }
    return { length: s.length - i, sgr: null };
  }
  return { length: Math.min(2, s.length - i), sgr: null };
}

/** Parse captured screen text (with or without SGR sequences) into lines. */
export function parseScreen(captured: string): ScreenLine[] {
  const attrs: Attrs = { dim: false, inverse: false };
  const lines: ScreenLine[] = [];
  let cur: ScreenLine = { text: '', dim: [], inverse: [] };
  for (let i = 0; i < captured.length;) {
    const c = captured[i]!;
    if (c === '\x1b') {
      const esc = escapeAt(captured, i);
      if (esc.sgr !== null) applySgr(esc.sgr, attrs);
      i += esc.length;
      continue;
    }
    if (c === '\n') {
      lines.push(cur);
      cur = { text: '', dim: [], inverse: [] };
    } else if (c !== '\r') {
      cur.text += c;
      cur.dim.push(attrs.dim);
      cur.inverse.push(attrs.inverse);
    }
    i++;
  }
  if (cur.text !== '' || lines.length === 0) lines.push(cur);
  while (lines.length > 1 && lines[lines.length - 1]!.text.trim() === '') lines.pop();
  return lines;
}

const BLANK = /[\s\u00a0]/u;

/**
 * The characters of `line` from `start` on that a person typed: faint characters (a placeholder) are left out, and so
 * is one inverse character (the agent's cursor drawn on the first placeholder letter) when faint text follows it.
 * Trailing blanks and box edges are trimmed.
 */
export function typedText(line: ScreenLine, start: number): string {
  let out = '';
  let lead = true;
  for (let i = start; i < line.text.length; i++) {
    const ch = line.text[i]!;
    if (line.dim[i]) continue;
    if (lead && line.inverse[i] && !BLANK.test(ch) && line.dim[i + 1]) continue;
    if (!BLANK.test(ch)) lead = false;
    out += ch;
  }
  return out.replace(/[\s\u00a0│]+$/u, '').replace(/^[\s\u00a0]+/u, '');
}

/** Whitespace and box-drawing characters vary with wrapping and TUI frames: compare without them. */
export function normalizeScreen(text: string): string {
  return text.replace(/[\u2500-\u257f]/g, '').replace(/\s+/g, '');
}
