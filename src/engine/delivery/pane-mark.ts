/**
 * Where a delivery started in a pane, recorded before the first keystroke so that crash recovery can find that
 * spot again. An absolute line number alone does not survive history trimming: once a pane's history reaches
 * `history-limit`, tmux drops the oldest tenth of it (at least one line) and every absolute number moves up. So the
 * mark also keeps the lines just above the cursor and the cursor line's text (content tmux keeps), and recovery
 * finds them again when trimming may have happened. All functions here are pure.
 */

/** How many lines above the cursor line are kept as the anchor. */
export const ANCHOR_LINES = 4;
/** Longer lines are kept by their last characters (enough to tell them apart, small to store). */
const MAX_LINE = 300;

export interface PaneMark {
  /** The cursor line in absolute coordinates (history size + cursor row) when the mark was taken. */
  line: number;
  /** The pane's history size and history-limit then; absent in marks written by older versions. */
  history?: number;
  limit?: number;
  /** Up to ANCHOR_LINES lines (wrapped lines joined, trailing spaces dropped) just above the cursor line. */
  before?: string[];
  /** The cursor line's text at that moment (a prompt, usually), trailing spaces dropped. */
  cursor?: string;
}

/** Build a mark from the pane's state and a joined capture that ends with the cursor line. */
export function makeMark(history: number, cursorY: number, limit: number, capture: string): PaneMark {
  const lines = capture
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => l.trimEnd());
  const cursor = (lines.pop() ?? '').slice(-MAX_LINE);
  const before = lines.slice(-ANCHOR_LINES).map((l) => l.slice(-MAX_LINE));
  return { line: history + cursorY, history, limit, before, cursor };
}

export function encodeMark(mark: PaneMark): string {
  return JSON.stringify(mark);
}

/** Parse a stored mark; a bare number is a mark from an older version (line only). null when unreadable. */
export function decodeMark(stored: string | null): PaneMark | null {
  if (stored === null || stored === '') return null;
  if (/^\d+$/.test(stored)) return { line: Number(stored) };
  try {
    const m = JSON.parse(stored) as PaneMark;
    return typeof m.line === 'number' ? m : null;
  } catch {
    return null;
  }
}

/**
 * Could tmux have moved the mark's line since it was taken? Trimming leaves at least limit - limit/10 lines of
 * history, and history only grows otherwise; so a history now below that (and not below what it was) rules it out.
 * A mark without the anchor (older version) is taken as it is.
 */
export function mayHaveMoved(mark: PaneMark, historyNow: number, limitNow: number): boolean {
  if (mark.history === undefined || mark.limit === undefined || mark.before === undefined) return false;
  if (limitNow !== mark.limit || historyNow < mark.history) return true;
  const chunk = Math.max(1, Math.floor(limitNow / 10));
  return historyNow >= limitNow - chunk;
}

/**
 * Line indexes (in `lines`, the whole pane joined, oldest first) where the mark's anchor is found: the lines above
 * match and the line starts with the cursor line's old text. Lines are only ever dropped above the mark, so the
 * spot cannot be below its old absolute number.
 */
export function findMark(lines: readonly string[], mark: PaneMark): number[] {
  const before = mark.before ?? [];
  const cursor = mark.cursor ?? '';
  const out: number[] = [];
  const last = Math.min(mark.line, lines.length - 1);
  for (let j = before.length; j <= last; j++) {
    if (!lines[j]!.trimEnd().startsWith(cursor)) continue;
    if (before.every((want, k) => lines[j - before.length + k]!.trimEnd().slice(-MAX_LINE) === want)) out.push(j);
  }
  return out;
}
