import { WhtError } from '../errors.js';
import { runPipeline, settle, type Tmux, type TmuxSettled } from '../ports/tmux.js';
import { ANCHOR_LINES, decodeMark, encodeMark, findMark, makeMark, mayHaveMoved } from './pane-mark.js';

/** What delivery needs to know about a pane before typing into it. */
export interface PaneState {
  id: string;
  inMode: boolean;
  inputOff: boolean;
  dead: boolean;
  historySize: number;
  /** The pane's history-limit (tmux drops the oldest tenth of its history when it is reached). */
  historyLimit: number;
  cursorY: number;
  /** Rows of the visible screen. */
  height: number;
  currentCommand: string;
  pid: number;
}

const FORMAT = [
  '#{pane_id}',
  '#{pane_in_mode}',
  '#{pane_input_off}',
  '#{pane_dead}',
  '#{history_size}',
  '#{cursor_y}',
  '#{pane_pid}',
  '#{history_limit}',
  '#{pane_height}',
  '#{pane_current_command}',
].join('\t');

/** Parse one line of FORMAT output; null when the pane does not exist. Pure. */
export function parsePaneState(line: string): PaneState | null {
  const parts = line.split('\t');
  const [id, inMode, inputOff, dead, hist, cy, pid, limit, height, ...cmd] = parts;
  if (!id || !id.startsWith('%')) return null;
  return {
    id,
    inMode: inMode === '1',
    inputOff: inputOff === '1',
    dead: dead === '1',
    historySize: Number(hist) || 0,
    historyLimit: Number(limit) || 0,
    cursorY: Number(cy) || 0,
    height: Number(height) || 0,
    pid: Number(pid) || 0,
    currentCommand: cmd.join('\t'),
  };
}

/** The display-message call inspectPane makes (its answer: parsePaneState). */
export function inspectArgs(target: string): string[] {
  return ['display-message', '-p', '-t', target, FORMAT];
}

/** inspectPane's answer from its call's outcome: null for a missing pane; other failures are thrown. */
export function paneFromResult(result: TmuxSettled): PaneState | null {
  if (!result.ok) {
    const err = result.error;
    if (err instanceof WhtError && /can't find|no such|not found/i.test(err.message)) return null;
    throw err;
  }
  return parsePaneState(result.stdout.split('\n')[0] ?? '');
}

/**
 * Look a pane up by exact target. `list-panes -t` fails for a missing target (display-message does not), and
 * `-t %id` / `-t =name` never prefix-match. For a window or session target, its active pane is used.
 */
export async function inspectPane(tmux: Tmux, target: string): Promise<PaneState | null> {
  return paneFromResult(await settle(tmux.run(inspectArgs(target))));
}

/** Throws a retryable error when the pane cannot take input now. */
export function assertWritable(target: string, pane: PaneState | null): asserts pane is PaneState {
  if (!pane) throw new WhtError('WHT_ERR_TARGET_MISSING', `pane ${target} does not exist`, { target });
  if (pane.dead)
    throw new WhtError('WHT_ERR_TARGET_MISSING', `pane ${target} is dead (its program exited)`, { target });
  if (pane.inMode)
    throw new WhtError('WHT_ERR_TARGET_BUSY', `pane ${target} is in a mode (copy mode?): keys would be swallowed`, {
      target,
    });
  if (pane.inputOff)
    throw new WhtError('WHT_ERR_TARGET_BUSY', `pane ${target} has input disabled (select-pane -d)`, { target });
}

/** Rows above the cursor a mark's capture starts at: enough for ANCHOR_LINES joined lines even when some wrap. */
const MARK_ROWS = ANCHOR_LINES * 8;

/**
 * Where the pane's cursor line is (absolute history coordinates) and the text around it, stored before sending for
 * crash recovery (see pane-mark.ts).
 */
export async function takeMark(tmux: Tmux, target: string, pane: PaneState): Promise<string> {
  const from = pane.cursorY - MARK_ROWS;
  const { stdout } = await tmux.run([
    'capture-pane',
    '-p',
    '-J',
    '-t',
    target,
    '-S',
    String(from),
    '-E',
    String(pane.cursorY),
  ]);
  return encodeMark(makeMark(pane.historySize, pane.cursorY, pane.historyLimit, stdout));
}

/**
 * The capture a mark can be cut from without knowing the cursor yet: every row from MARK_ROWS above the screen (or
 * the oldest history row) to the screen's bottom, wrapped lines joined (see markFromCapture).
 */
export function markCaptureArgs(target: string): string[] {
  return ['capture-pane', '-p', '-J', '-t', target, '-S', String(-MARK_ROWS), '-E', '-'];
}

/**
 * The mark takeMark would take, cut from markCaptureArgs' output of the same moment as `pane`; null when it cannot be
 * cut exactly. The capture holds min(MARK_ROWS, history) + height rows. When it has exactly that many lines, no row
 * was joined to the one below it (a wrapped bottom row has no row below to join) and line i is row i: takeMark's
 * rows (cursor - MARK_ROWS, clamped to the history's start, through the cursor) are then these lines, joined alike.
 * With a wrapped row the mapping is unknown: null, and the caller takes the mark with takeMark. Pure.
 */
export function markFromCapture(pane: PaneState, captured: string): string | null {
  const history = Math.min(MARK_ROWS, pane.historySize);
  const lines = captured.split('\n');
  if (pane.height <= 0 || pane.cursorY >= pane.height || lines.length !== history + pane.height) return null;
  const cursor = history + pane.cursorY;
  const rows = lines.slice(Math.max(0, cursor - MARK_ROWS), cursor + 1).join('\n');
  return encodeMark(makeMark(pane.historySize, pane.cursorY, pane.historyLimit, rows));
}

/**
 * The pane check and the capture a mark is cut from, pipelined (one round trip in control mode). `capture` is null
 * when its call failed. The pane may have moved on between the two only as much as between inspectPane and takeMark.
 */
export async function inspectWithCapture(
  tmux: Tmux,
  target: string,
): Promise<{ pane: PaneState | null; capture: string | null }> {
  const [shown, captured] = await runPipeline(tmux, [inspectArgs(target), markCaptureArgs(target)]);
  const pane = paneFromResult(shown!);
  return { pane, capture: captured?.ok ? captured.stdout : null };
}

/** Every line the pane holds, history and screen, wrapped lines joined, oldest first. */
export async function captureAll(tmux: Tmux, target: string): Promise<string[]> {
  const { stdout } = await tmux.run(['capture-pane', '-p', '-J', '-t', target, '-S', '-', '-E', '-']);
  return stdout.replace(/\n$/, '').split('\n');
}

/**
 * The pane's text from a stored mark on (wrapped lines joined), once per place the mark may now be: one text when the
 * line cannot have moved, one per anchor match when history trimming may have moved it (recovery must decide the
 * same for all of them), none when the anchor is gone (scrolled out of the history).
 */
export async function textsSinceMark(
  tmux: Tmux,
  target: string,
  stored: string | null,
  pane: PaneState,
): Promise<string[]> {
  const mark = decodeMark(stored);
  if (!mark || !mayHaveMoved(mark, pane.historySize, pane.historyLimit)) {
    return [await captureSince(tmux, target, mark?.line ?? null, pane)];
  }
  const lines = await captureAll(tmux, target);
  return findMark(lines, mark).map((j) => lines.slice(j).join('\n'));
}

/**
 * The lines the pane shows from an absolute mark on (joined wrapped lines), for checking whether text arrived.
 * capture-pane -S takes a line relative to the visible screen's top (negative = history).
 */
export async function captureSince(tmux: Tmux, target: string, mark: number | null, pane: PaneState): Promise<string> {
  const start = mark === null ? -pane.historySize : Math.max(-pane.historySize, mark - pane.historySize);
  const { stdout } = await tmux.run(['capture-pane', '-p', '-J', '-t', target, '-S', String(start)]);
  return stdout;
}
