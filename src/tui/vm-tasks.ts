/** View-models for the task lists and the task detail view: tasks -> styled rows sized to a width. */
import type { Task } from '../engine/types.js';
import type { StyledLine, Tone } from '../widgets/styled.js';
import { formatClock, formatMs, hardWrap, padEnd, padStart, sanitize, truncate } from './format.js';

export interface ListView {
  /** Header row (column titles). */
  header: StyledLine;
  /** Visible rows, selection marked. */
  lines: StyledLine[];
  /** Rows after filtering (what selection indexes). */
  rows: Task[];
  /** Clamped selected index into `rows`. */
  selected: number;
  total: number;
}

/** Case-insensitive substring filter over the fields a user sees. */
export function filterTasks(tasks: readonly Task[], filter: string): Task[] {
  const f = filter.trim().toLowerCase();
  if (f === '') return [...tasks];
  return tasks.filter((t) => {
    const last = t.errors[t.errors.length - 1];
    const hay = `#${t.id} ${t.target} ${t.category} ${t.state} ${t.text} ${last?.code ?? ''} ${last?.message ?? ''}`;
    return hay.toLowerCase().includes(f);
  });
}

/** First visible row index so that `selected` stays inside a window of `height` rows. */
export function windowStart(total: number, selected: number, height: number): number {
  if (height <= 0 || total <= height) return 0;
  const half = Math.floor(height / 2);
  return Math.min(Math.max(0, selected - half), total - height);
}

const STATE_LABEL: Record<string, { text: string; tone: Tone }> = {
  queued: { text: 'queued', tone: 'info' },
  delivering: { text: 'sending', tone: 'ok' },
  retrying: { text: 'retry', tone: 'warn' },
  dead: { text: 'dead', tone: 'bad' },
  delivered: { text: 'done', tone: 'ok' },
  working: { text: 'working', tone: 'info' },
  completed: { text: 'done', tone: 'ok' },
  stalled: { text: 'stalled', tone: 'bad' },
  dropped: { text: 'dropped', tone: 'dim' },
  forwarded: { text: 'forwarded', tone: 'dim' },
};

interface Column {
  title: string;
  width: number;
  right?: boolean;
  cell: (t: Task, now: number) => { text: string; tone?: Tone | undefined };
}

function lastError(t: Task): string {
  const e = t.errors[t.errors.length - 1];
  return e ? `${e.code.replace(/^WHT_ERR_/, '')}: ${e.message}` : '';
}

function queueColumns(width: number): Column[] {
  const cols: Column[] = [
    { title: 'id', width: 6, right: true, cell: (t) => ({ text: `#${t.id}` }) },
    { title: 'pri', width: 3, right: true, cell: (t) => ({ text: String(t.priority) }) },
    { title: 'state', width: 7, cell: (t) => STATE_LABEL[t.state] ?? { text: t.state } },
    { title: 'target', width: width >= 70 ? 10 : 7, cell: (t) => ({ text: t.target }) },
    { title: 'age', width: 6, right: true, cell: (t, now) => ({ text: formatMs(now - t.receivedAt) }) },
  ];
  if (width < 56) cols.splice(1, 1);
  return cols;
}

function deadColumns(width: number): Column[] {
  const cols: Column[] = [
    { title: 'id', width: 6, right: true, cell: (t) => ({ text: `#${t.id}` }) },
    { title: 'target', width: width >= 70 ? 10 : 7, cell: (t) => ({ text: t.target }) },
    { title: 'try', width: 3, right: true, cell: (t) => ({ text: String(t.attempts) }) },
    {
      title: 'age',
      width: 6,
      right: true,
      cell: (t, now) => ({ text: formatMs(now - (t.finishedAt ?? t.receivedAt)) }),
    },
    { title: 'error', width: width >= 90 ? 28 : 18, cell: (t) => ({ text: sanitize(lastError(t)), tone: 'bad' }) },
  ];
  return cols;
}

function renderRow(
  cols: Column[],
  rest: { title: string; cell: (t: Task) => string },
  t: Task | null,
  now: number,
  width: number,
): StyledLine {
  const line: StyledLine = [];
  let used = 0;
  for (const c of cols) {
    const v = t ? c.cell(t, now) : { text: c.title, tone: undefined };
    line.push({ text: (c.right ? padStart(v.text, c.width) : padEnd(v.text, c.width)) + ' ', tone: v.tone });
    used += c.width + 1;
  }
  const restW = Math.max(0, width - used);
  line.push({ text: padEnd(t ? sanitize(rest.cell(t)) : rest.title, restW) });
  return line;
}

function listView(
  tasks: readonly Task[],
  filter: string,
  selected: number,
  height: number,
  width: number,
  now: number,
  cols: Column[],
): ListView {
  const rows = filterTasks(tasks, filter);
  const sel = Math.min(Math.max(0, selected), Math.max(0, rows.length - 1));
  const bodyH = Math.max(0, height - 1);
  const start = windowStart(rows.length, sel, bodyH);
  const rest = { title: 'text', cell: (t: Task) => t.text };
  const header = renderRow(cols, rest, null, now, width).map((s) => ({ ...s, bold: true }));
  const lines = rows.slice(start, start + bodyH).map((t, i) => {
    const line = renderRow(cols, rest, t, now, width);
    return start + i === sel ? line.map((s) => ({ ...s, inverse: true })) : line;
  });
  return { header, lines, rows, selected: sel, total: tasks.length };
}

/** Pending tasks (queued, delivering, retrying) in delivery order. */
export function queueView(
  tasks: readonly Task[],
  filter: string,
  selected: number,
  height: number,
  width: number,
  now: number,
): ListView {
  return listView(tasks, filter, selected, height, width, now, queueColumns(width));
}

/** Dead-letter tasks with their last error. */
export function deadView(
  tasks: readonly Task[],
  filter: string,
  selected: number,
  height: number,
  width: number,
  now: number,
): ListView {
  return listView(tasks, filter, selected, height, width, now, deadColumns(width));
}

/** Wrap sanitized text to `width` columns (hard wrap). */
export function wrap(text: string, width: number): string[] {
  return hardWrap(text, width);
}

/** Detail view of one task: full text, target, stage timestamps, attempt history. */
export function detailLines(task: Task | undefined, width: number, now: number): StyledLine[] {
  if (!task) return [[{ text: 'Task not found (it may have been purged).', tone: 'warn' }]];
  const w = Math.max(10, width);
  const ts = (at: number | null): string => (at === null ? '-' : `${formatClock(at)} (${formatMs(now - at)} ago)`);
  const st = STATE_LABEL[task.state];
  const lines: StyledLine[] = [
    [
      { text: `Task #${task.id}  `, bold: true },
      { text: task.state, tone: st?.tone, bold: true },
    ],
    [
      {
        text: truncate(
          `target ${task.target}   priority ${task.priority}   category ${task.category}   source ${task.source}`,
          w,
        ),
      },
    ],
    [
      {
        text: truncate(
          `attempts ${task.attempts}   idempotency key ${task.idemKey === null ? '-' : sanitize(task.idemKey)}`,
          w,
        ),
      },
    ],
    [],
    [{ text: 'Stages (UTC)', bold: true }],
    [{ text: `received   ${ts(task.receivedAt)}` }],
    [{ text: `committed  ${ts(task.committedAt)}` }],
    [{ text: `started    ${ts(task.startedAt)}` }],
    [{ text: `delivered  ${ts(task.deliveredAt)}` }],
    ...completionLines(task, ts),
    [{ text: `finished   ${ts(task.finishedAt)}` }],
  ];
  if (task.state === 'retrying' || task.state === 'queued')
    lines.push([{ text: `next try   ${ts(task.nextAttemptAt)}` }]);
  lines.push([], [{ text: 'Text', bold: true }]);
  for (const l of wrap(sanitize(task.text), w)) lines.push([{ text: l }]);
  lines.push([], [{ text: `Attempts (${task.errors.length} failed)`, bold: true }]);
  for (const e of task.errors) {
    lines.push([
      { text: truncate(`#${e.attempt} ${formatClock(e.at)} ${e.code}: ${sanitize(e.message)}`, w), tone: 'bad' },
    ]);
  }
  return [...lines, ...outputLines(task, w)];
}

/** Stage lines of a watched task (working, completed with its duration, exit status). */
function completionLines(task: Task, ts: (at: number | null) => string): StyledLine[] {
  const out: StyledLine[] = [];
  if (task.workingAt) out.push([{ text: `working    ${ts(task.workingAt)}` }]);
  if (task.completedAt) {
    const took = task.deliveredAt === null ? '' : `   took ${formatMs(task.completedAt - task.deliveredAt)}`;
    out.push([{ text: `completed  ${ts(task.completedAt)}${took}` }]);
  }
  if (task.exitCode !== null && task.exitCode !== undefined)
    out.push([{ text: `exit code  ${task.exitCode}`, tone: task.exitCode === 0 ? 'ok' : 'bad' }]);
  return out;
}

/** The task's output (its last OUTPUT_LINES lines), when it has one. */
const OUTPUT_LINES = 200;
function outputLines(task: Task, w: number): StyledLine[] {
  if (task.output === null || task.output === undefined) return [];
  const wrapped = task.output.split('\n').flatMap((line) => (line === '' ? [''] : wrap(sanitize(line), w)));
  const shown = wrapped.slice(-OUTPUT_LINES);
  const title = `Output (${task.outputBytes ?? Buffer.byteLength(task.output)} bytes${shown.length < wrapped.length ? `, last ${OUTPUT_LINES} lines` : ''})`;
  return [[], [{ text: title, bold: true }], ...shown.map((l): StyledLine => [{ text: l }])];
}
