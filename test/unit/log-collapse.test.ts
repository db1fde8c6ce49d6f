import { afterEach, describe, expect, it, vi } from 'vitest';
import { RepeatCollapser } from '../../src/engine/logs/collapse.js';
import type { LogEntry } from '../../src/engine/types.js';

const T0 = Date.UTC(2026, 0, 1);
const e = (
  at: number,
  msg: string,
  extra: Record<string, unknown> = {},
  level: LogEntry['level'] = 'warn',
): LogEntry => ({ at: T0 + at, level, msg, ...extra });

function collect(windowMs: number): { c: RepeatCollapser; out: LogEntry[] } {
  const out: LogEntry[] = [];
  return { c: new RepeatCollapser(windowMs, (x) => out.push(x)), out };
}

describe('RepeatCollapser', () => {
  afterEach(() => vi.useRealTimers());

  it('writes the first of a run, then one "repeated N times" line with first and last time when the run ends', () => {
    const { c, out } = collect(10_000);
    for (let i = 0; i < 5; i++) c.push(e(i * 100, 'tmux unreachable', { attempt: i }));
    c.push(e(600, 'tmux back', {}, 'info'));
    expect(out.map((x) => x.msg)).toEqual(['tmux unreachable', 'repeated 4 times', 'tmux back']);
    expect(out[0]).toMatchObject({ attempt: 0 });
    expect(out[1]).toMatchObject({
      level: 'warn',
      repeated: 'tmux unreachable',
      count: 4,
      first: new Date(T0).toISOString(),
      last: new Date(T0 + 400).toISOString(),
    });
  });

  it('only collapses consecutive lines with the same level and msg', () => {
    const { c, out } = collect(10_000);
    c.push(e(0, 'a'));
    c.push(e(1, 'b'));
    c.push(e(2, 'a'));
    c.push(e(3, 'a', {}, 'error'));
    c.flush();
    expect(out.map((x) => `${x.level} ${x.msg}`)).toEqual(['warn a', 'warn b', 'warn a', 'error a']);
  });

  it('starts a new run after the window: the next repeat is written again', () => {
    const { c, out } = collect(1000);
    c.push(e(0, 'x'));
    c.push(e(500, 'x'));
    c.push(e(1500, 'x'));
    c.flush();
    expect(out.map((x) => x.msg)).toEqual(['x', 'repeated 1 time', 'x']);
  });

  it('never collapses task events or spool-file lines', () => {
    const { c, out } = collect(10_000);
    for (let i = 1; i <= 3; i++) c.push(e(i, 'task delivered', { task: i }, 'info'));
    for (let i = 1; i <= 2; i++) c.push(e(10 + i, 'trigger rejected', { file: `f${i}` }));
    c.flush();
    expect(out.map((x) => x.task ?? x.file)).toEqual([1, 2, 3, 'f1', 'f2']);
  });

  it('writes the summary when the window ends even if nothing else is logged', () => {
    vi.useFakeTimers();
    const { c, out } = collect(1000);
    c.push(e(0, 'disk low'));
    c.push(e(10, 'disk low'));
    c.push(e(20, 'disk low'));
    expect(out).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(out.map((x) => x.msg)).toEqual(['disk low', 'repeated 2 times']);
  });

  it('with window 0 writes every line', () => {
    const { c, out } = collect(0);
    for (let i = 0; i < 3; i++) c.push(e(0, 'same'));
    expect(out).toHaveLength(3);
  });
});
