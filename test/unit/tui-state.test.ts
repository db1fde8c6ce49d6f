import { describe, expect, it } from 'vitest';
import { initialUiState, reduceKey, type KeyContext, type UiState } from '../../src/tui/state.js';

function ctx(over: Partial<KeyContext> = {}): KeyContext {
  return {
    now: 1000,
    paused: false,
    attached: false,
    inFlight: 0,
    deadCount: 2,
    rows: {
      queue: [
        { id: 1, state: 'queued' },
        { id: 2, state: 'delivering' },
        { id: 3, state: 'retrying' },
      ],
      dead: [
        { id: 9, state: 'dead' },
        { id: 8, state: 'dead' },
      ],
    },
    counts: { alerts: 0, log: 50 },
    ...over,
  };
}

function keys(seq: string[], c = ctx(), s: UiState = initialUiState()) {
  let state = s;
  const effects = [];
  for (const k of seq) {
    const r = reduceKey(state, k, c);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

describe('reduceKey', () => {
  it('q quits at once when nothing is in flight', () => {
    expect(keys(['q']).effects).toEqual([{ type: 'quit' }]);
  });

  it('q asks first while deliveries are in flight; y quits, n cancels', () => {
    const c = ctx({ inFlight: 2 });
    const asked = keys(['q'], c);
    expect(asked.effects).toEqual([]);
    expect(asked.state.prompt).toMatchObject({
      kind: 'confirm',
      message: expect.stringContaining('2 deliveries are in flight'),
    });
    expect(keys(['q', 'y'], c).effects).toEqual([{ type: 'quit' }]);
    const no = keys(['q', 'n'], c);
    expect(no.effects).toEqual([]);
    expect(no.state.prompt).toBeNull();
  });

  it('Ctrl-C during the quit question quits', () => {
    expect(keys(['q', 'C-c'], ctx({ inFlight: 1 })).effects).toEqual([{ type: 'quit' }]);
  });

  it('an attached dashboard quits without asking (the engine keeps running)', () => {
    expect(keys(['q'], ctx({ inFlight: 3, attached: true })).effects).toEqual([{ type: 'quit' }]);
  });

  it('p pauses a running queue and resumes a paused one', () => {
    expect(keys(['p']).effects).toEqual([{ type: 'pause' }]);
    expect(keys(['p'], ctx({ paused: true })).effects).toEqual([{ type: 'resume' }]);
  });

  it('Tab, Shift-Tab and number keys move the focus', () => {
    expect(keys(['tab']).state.focus).toBe('dead');
    expect(keys(['S-tab']).state.focus).toBe('log');
    expect(keys(['4']).state.focus).toBe('percentiles');
    expect(keys(['5', 'tab']).state.focus).toBe('queue');
  });

  it('j/k/g/G move the selection inside the list bounds', () => {
    expect(keys(['j', 'j', 'j', 'j']).state.selected.queue).toBe(2);
    expect(keys(['j', 'k', 'k']).state.selected.queue).toBe(0);
    expect(keys(['G']).state.selected.queue).toBe(2);
    expect(keys(['G', 'g']).state.selected.queue).toBe(0);
  });

  it('the log scrolls up from the bottom and G follows again', () => {
    expect(keys(['5', 'k', 'k']).state.selected.log).toBe(2);
    expect(keys(['5', 'g']).state.selected.log).toBe(49);
    expect(keys(['5', 'g', 'G']).state.selected.log).toBe(0);
  });

  it('r retries the selected dead task, and explains itself on a queued one', () => {
    expect(keys(['2', 'j', 'r']).effects).toEqual([{ type: 'retry', id: 8 }]);
    const wrong = keys(['r']);
    expect(wrong.effects).toEqual([]);
    expect(wrong.state.flash?.text).toContain('dead letters');
    expect(keys(['j', 'j', 'r']).effects).toEqual([{ type: 'retry', id: 3 }]);
  });

  it('R asks before retrying all dead tasks', () => {
    expect(keys(['R']).state.prompt).toMatchObject({ kind: 'confirm', message: 'Retry all 2 dead tasks?' });
    expect(keys(['R', 'y']).effects).toEqual([{ type: 'retryAllDead' }]);
    expect(keys(['R'], ctx({ deadCount: 0 })).state.prompt).toBeNull();
  });

  it('d asks before dropping the selected task', () => {
    const asked = keys(['j', 'd']);
    expect(asked.state.prompt).toMatchObject({ kind: 'confirm', message: 'Drop task #2 (delivering)?' });
    expect(keys(['j', 'd', 'y']).effects).toEqual([{ type: 'drop', id: 2 }]);
    expect(keys(['j', 'd', 'x']).effects).toEqual([]);
  });

  it('/ edits a filter for the focused list; Enter applies, Esc clears', () => {
    const typed = keys(['2', '/', 'g', 'h', 'o', 's', 'x', 'backspace', 't', 'enter']);
    expect(typed.state.filters.dead).toBe('ghost');
    expect(typed.state.prompt).toBeNull();
    // while the prompt is open, letters are text, not commands
    expect(keys(['/', 'q', 'p']).effects).toEqual([]);
    expect(keys(['2', '/', 'x', 'enter', 'escape']).state.filters.dead).toBe('');
    expect(keys(['4', '/']).state.prompt).toBeNull();
  });

  it('Enter opens the detail of the selected task, Esc closes it; ? toggles help', () => {
    expect(keys(['2', 'enter']).state.overlay).toEqual({ kind: 'detail', taskId: 9 });
    expect(keys(['2', 'enter', 'escape']).state.overlay).toBeNull();
    expect(keys(['?']).state.overlay).toEqual({ kind: 'help' });
    expect(keys(['?', '?']).state.overlay).toBeNull();
    // an overlay swallows action keys
    expect(keys(['?', 'p']).effects).toEqual([]);
  });

  it('c toggles the cluster panel; Esc closes it; it swallows action keys', () => {
    expect(keys(['c']).state.overlay).toEqual({ kind: 'cluster' });
    expect(keys(['c', 'c']).state.overlay).toBeNull();
    expect(keys(['c', 'escape']).state.overlay).toBeNull();
    expect(keys(['c', 'p']).effects).toEqual([]);
    expect(keys(['?', 'c']).state.overlay).toEqual({ kind: 'cluster' });
  });

  it('e exports and f freezes/unfreezes', () => {
    expect(keys(['e']).effects).toEqual([{ type: 'export' }]);
    expect(keys(['f']).state.frozen).toBe(true);
    expect(keys(['f', 'f']).state.frozen).toBe(false);
  });

  it('ignores unknown keys', () => {
    const s = initialUiState();
    expect(reduceKey(s, 'z', ctx())).toEqual({ state: s, effects: [] });
  });
});
