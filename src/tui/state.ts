/**
 * UI state and the pure key reducer: (state, key, context) -> (state, effects).
 * The dashboard runs the effects (engine calls, export, quit); this file never touches the engine or blessed.
 */
import { FOCUS_ORDER, type FocusPanel } from './layout.js';
import { bindingFor, type KeyAction } from './keys.js';

export type ListId = 'queue' | 'dead' | 'alerts' | 'log';
import type { Tone } from '../widgets/styled.js';

export type { Tone };

export type Effect =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'retry'; id: number }
  | { type: 'retryAllDead' }
  | { type: 'drop'; id: number }
  | { type: 'export' }
  | { type: 'quit' };

export type Overlay = { kind: 'help' } | { kind: 'cluster' } | { kind: 'detail'; taskId: number };
export type Prompt =
  { kind: 'filter'; list: ListId; text: string } | { kind: 'confirm'; message: string; effect: Effect };

export interface UiState {
  focus: FocusPanel;
  /** Selected row index per list (clamped by the view-models). For the log: lines scrolled up from the bottom. */
  selected: Record<ListId, number>;
  filters: Record<ListId, string>;
  overlay: Overlay | null;
  prompt: Prompt | null;
  frozen: boolean;
  flash: { text: string; tone: Tone; until: number } | null;
}

export interface RowRef {
  id: number;
  state: string;
}

export interface KeyContext {
  now: number;
  paused: boolean;
  attached: boolean;
  /** Deliveries in flight (tasks in `delivering`). */
  inFlight: number;
  deadCount: number;
  /** Visible (filtered) rows of the task lists, in display order. */
  rows: { queue: readonly RowRef[]; dead: readonly RowRef[] };
  /** Row counts of the other lists (filtered). */
  counts: { alerts: number; log: number };
}

export interface Reduced {
  state: UiState;
  effects: Effect[];
}

const FLASH_MS = 4000;

export function initialUiState(): UiState {
  return {
    focus: 'queue',
    selected: { queue: 0, dead: 0, alerts: 0, log: 0 },
    filters: { queue: '', dead: '', alerts: '', log: '' },
    overlay: null,
    prompt: null,
    frozen: false,
    flash: null,
  };
}

export function withFlash(state: UiState, text: string, tone: Tone, now: number): UiState {
  return { ...state, flash: { text, tone, until: now + FLASH_MS } };
}

function listOf(focus: FocusPanel): ListId | undefined {
  return focus === 'percentiles' ? undefined : focus;
}

function listLength(ctx: KeyContext, list: ListId): number {
  if (list === 'queue' || list === 'dead') return ctx.rows[list].length;
  return ctx.counts[list];
}

/** The task selected in the focused list, if the focus is a task list. */
export function selectedRow(state: UiState, ctx: KeyContext): RowRef | undefined {
  if (state.focus !== 'queue' && state.focus !== 'dead') return undefined;
  const rows = ctx.rows[state.focus];
  if (rows.length === 0) return undefined;
  return rows[Math.min(state.selected[state.focus], rows.length - 1)];
}

/** Handle one normalised key (see keys.ts). */
export function reduceKey(state: UiState, key: string, ctx: KeyContext): Reduced {
  if (state.prompt?.kind === 'confirm') return reduceConfirm(state, state.prompt, key, ctx);
  if (state.prompt?.kind === 'filter') return reduceFilter(state, state.prompt, key, ctx);
  const binding = bindingFor(key);
  if (!binding) return { state, effects: [] };
  if (state.overlay && !['quit', 'help', 'back', 'detail', 'cluster'].includes(binding.action))
    return { state, effects: [] };
  return reduceAction(state, binding.action, key, ctx);
}

function reduceAction(state: UiState, action: KeyAction, key: string, ctx: KeyContext): Reduced {
  const none = (s: UiState): Reduced => ({ state: s, effects: [] });
  switch (action) {
    case 'quit':
      return quit(state, key, ctx);
    case 'help':
      return none({ ...state, overlay: state.overlay?.kind === 'help' ? null : { kind: 'help' } });
    case 'cluster':
      return none({ ...state, overlay: state.overlay?.kind === 'cluster' ? null : { kind: 'cluster' } });
    case 'focusNext':
      return none(cycleFocus(state, 1));
    case 'focusPrev':
      return none(cycleFocus(state, -1));
    case 'focusPanel':
      return none({ ...state, focus: FOCUS_ORDER[Number(key) - 1] ?? state.focus });
    case 'down':
    case 'up':
    case 'top':
    case 'bottom':
      return none(move(state, action, ctx));
    case 'detail':
      return none(detail(state, ctx));
    case 'back':
      return none(back(state, ctx));
    case 'pause':
      return { state, effects: [ctx.paused ? { type: 'resume' } : { type: 'pause' }] };
    case 'retry':
      return retry(state, ctx);
    case 'retryAll':
      if (ctx.deadCount === 0) return none(withFlash(state, 'No dead tasks to retry.', 'info', ctx.now));
      return none(confirm(state, `Retry all ${ctx.deadCount} dead tasks?`, { type: 'retryAllDead' }));
    case 'drop':
      return drop(state, ctx);
    case 'filter': {
      const list = listOf(state.focus);
      if (!list) return none(withFlash(state, 'Nothing to filter here: focus a list or the log.', 'info', ctx.now));
      return none({ ...state, prompt: { kind: 'filter', list, text: state.filters[list] } });
    }
    case 'export':
      return { state, effects: [{ type: 'export' }] };
    case 'freeze':
      return none({ ...state, frozen: !state.frozen });
  }
}

function confirm(state: UiState, message: string, effect: Effect): UiState {
  return { ...state, prompt: { kind: 'confirm', message, effect } };
}

function quit(state: UiState, key: string, ctx: KeyContext): Reduced {
  if (ctx.attached || ctx.inFlight === 0) return { state, effects: [{ type: 'quit' }] };
  const n = ctx.inFlight;
  const msg = `${n} ${n === 1 ? 'delivery is' : 'deliveries are'} in flight. Quit (the engine drains first)?`;
  return { state: confirm(state, msg, { type: 'quit' }), effects: [] };
}

function reduceConfirm(state: UiState, prompt: { effect: Effect }, key: string, ctx: KeyContext): Reduced {
  const cleared = { ...state, prompt: null };
  if (key === 'y' || key === 'Y') return { state: cleared, effects: [prompt.effect] };
  if (key === 'C-c') return { state: cleared, effects: [{ type: 'quit' }] };
  return { state: withFlash(cleared, 'Cancelled.', 'dim', ctx.now), effects: [] };
}

function reduceFilter(state: UiState, prompt: { list: ListId; text: string }, key: string, ctx: KeyContext): Reduced {
  const none = (s: UiState): Reduced => ({ state: s, effects: [] });
  if (key === 'C-c') return quit({ ...state, prompt: null }, key, ctx);
  if (key === 'escape') {
    return none({ ...state, prompt: null, filters: { ...state.filters, [prompt.list]: '' } });
  }
  if (key === 'enter') {
    return none({
      ...state,
      prompt: null,
      filters: { ...state.filters, [prompt.list]: prompt.text },
      selected: { ...state.selected, [prompt.list]: 0 },
    });
  }
  if (key === 'backspace')
    return none({ ...state, prompt: { ...prompt, kind: 'filter', text: prompt.text.slice(0, -1) } });
  if (key === 'space') return none({ ...state, prompt: { ...prompt, kind: 'filter', text: `${prompt.text} ` } });
  if ([...key].length === 1 && key >= ' ')
    return none({ ...state, prompt: { ...prompt, kind: 'filter', text: prompt.text + key } });
  return none(state);
}

function cycleFocus(state: UiState, step: number): UiState {
  const i = FOCUS_ORDER.indexOf(state.focus);
  const n = FOCUS_ORDER.length;
  return { ...state, focus: FOCUS_ORDER[(i + step + n) % n] ?? 'queue' };
}

function move(state: UiState, action: 'down' | 'up' | 'top' | 'bottom', ctx: KeyContext): UiState {
  const list = listOf(state.focus);
  if (!list) return state;
  const len = listLength(ctx, list);
  const max = Math.max(0, len - 1);
  const cur = Math.min(state.selected[list], max);
  // The log scrolls from the bottom: "down" moves towards the newest line (offset 0 = follow).
  const dir = list === 'log' ? -1 : 1;
  let next = cur;
  if (action === 'down') next = cur + dir;
  if (action === 'up') next = cur - dir;
  if (action === 'top') next = list === 'log' ? max : 0;
  if (action === 'bottom') next = list === 'log' ? 0 : max;
  return { ...state, selected: { ...state.selected, [list]: Math.min(max, Math.max(0, next)) } };
}

function detail(state: UiState, ctx: KeyContext): UiState {
  if (state.overlay) return { ...state, overlay: null };
  const row = selectedRow(state, ctx);
  if (!row) return withFlash(state, 'Select a task in the queue or dead letters first.', 'info', ctx.now);
  return { ...state, overlay: { kind: 'detail', taskId: row.id } };
}

function back(state: UiState, ctx: KeyContext): UiState {
  if (state.overlay) return { ...state, overlay: null };
  const list = listOf(state.focus);
  if (list && state.filters[list] !== '') return { ...state, filters: { ...state.filters, [list]: '' } };
  if (state.flash && state.flash.until > ctx.now) return { ...state, flash: null };
  return state;
}

function retry(state: UiState, ctx: KeyContext): Reduced {
  const row = selectedRow(state, ctx);
  if (!row || (row.state !== 'dead' && row.state !== 'retrying')) {
    return {
      state: withFlash(state, 'r retries the selected dead task: focus the dead letters (2).', 'info', ctx.now),
      effects: [],
    };
  }
  return { state, effects: [{ type: 'retry', id: row.id }] };
}

function drop(state: UiState, ctx: KeyContext): Reduced {
  const row = selectedRow(state, ctx);
  if (!row)
    return {
      state: withFlash(state, 'Select a task in the queue or dead letters first.', 'info', ctx.now),
      effects: [],
    };
  return { state: confirm(state, `Drop task #${row.id} (${row.state})?`, { type: 'drop', id: row.id }), effects: [] };
}
