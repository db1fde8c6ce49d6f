import { describe, expect, it } from 'vitest';
import { judgeAll } from '../../src/engine/delivery/deliverer.js';
import {
  decodeMark,
  encodeMark,
  findMark,
  makeMark,
  mayHaveMoved,
  type PaneMark,
} from '../../src/engine/delivery/pane-mark.js';

describe('pane marks', () => {
  it('keep the cursor line, the lines above it and the history size and limit', () => {
    const mark = makeMark(8, 3, 10, 'one\ntwo  \nthree\nfour\nfive\n$ \n');
    expect(mark).toEqual({ line: 11, history: 8, limit: 10, before: ['two', 'three', 'four', 'five'], cursor: '$' });
    expect(decodeMark(encodeMark(mark))).toEqual(mark);
  });

  it('read a bare number as a mark from an older version, and garbage as no mark', () => {
    expect(decodeMark('42')).toEqual({ line: 42 });
    expect(decodeMark(null)).toBeNull();
    expect(decodeMark('{oops')).toBeNull();
    expect(decodeMark('{"before":[]}')).toBeNull();
  });

  it.each([
    ['history well below the limit, grown since', { history: 5, limit: 100 }, 40, 100, false],
    ['history within a trim chunk of the limit', { history: 5, limit: 100 }, 90, 100, true],
    ['history at the limit (limit 10: trims one line at a time)', { history: 9, limit: 10 }, 9, 10, true],
    ['history smaller than at the mark (trimmed or cleared)', { history: 50, limit: 2000 }, 40, 2000, true],
    ['history-limit changed', { history: 5, limit: 100 }, 6, 50, true],
  ])('may have moved: %s', (_name, at, historyNow, limitNow, moved) => {
    const mark: PaneMark = { line: at.history + 3, ...at, before: ['x'], cursor: '' };
    expect(mayHaveMoved(mark, historyNow, limitNow)).toBe(moved);
  });

  it('take an old-version mark as it is', () => {
    expect(mayHaveMoved({ line: 10 }, 2000, 2000)).toBe(false);
  });

  it('are found again after the lines above them were dropped', () => {
    const mark = makeMark(10, 4, 10, 'l3\nl4\nl5\nl6\n$');
    // Seven lines trimmed from the top: the cursor line moved from 14 up to 7.
    const lines = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', '$ echo hi', 'hi', '$'];
    expect(findMark(lines, mark)).toEqual([7]);
  });

  it('are not found above their old line when the anchor is gone, and never below it', () => {
    const mark = makeMark(10, 4, 10, 'a\nb\nc\nd\n$');
    expect(findMark(['c', 'd', '$ echo hi', 'hi', '$'], mark)).toEqual([]);
    const below = { ...mark, line: 3 };
    expect(findMark(['z', 'z', 'z', 'z', 'a', 'b', 'c', 'd', '$ x'], below)).toEqual([]);
  });

  it('match every place the anchor repeats', () => {
    const mark = makeMark(100, 4, 10, 'p\nq\nr\ns\n$');
    const lines = ['p', 'q', 'r', 's', '$ a', 'p', 'q', 'r', 's', '$ b'];
    expect(findMark(lines, mark)).toEqual([4, 9]);
  });
});

describe('judgeAll', () => {
  it('gives the verdict every place agrees on', () => {
    expect(judgeAll(['$ echo hi\nhi\n$ ', 'x\n$ echo hi\nhi\n$'], '$ ', 'echo hi')).toEqual({ kind: 'submitted' });
  });

  it('cannot decide when the places disagree or there is none', () => {
    expect(judgeAll(['$ echo hi\nhi\n$ ', '$ '], '$ ', 'echo hi')).toMatchObject({
      kind: 'undecided',
      why: expect.stringContaining('disagree'),
    });
    expect(judgeAll([], '$ ', 'echo hi')).toMatchObject({
      kind: 'undecided',
      why: expect.stringContaining('history-limit'),
    });
  });
});
