import { describe, expect, it } from 'vitest';
import { formatSse, startSeq } from '../../src/engine/intake/http/events-sse.js';

describe('SSE wire format', () => {
  it('writes id, event and one data line of JSON per event', () => {
    const text = formatSse({ seq: 42, at: 1000, kind: 'task', state: 'completed', data: { id: 7, output: 'a\nb' } });
    expect(text).toBe(
      'id: 42\nevent: task\ndata: {"type":"task.completed","at":1000,"data":{"id":7,"output":"a\\nb"}}\n\n',
    );
    expect(formatSse({ seq: 1, at: 5, kind: 'alert', state: null, data: { state: 'resolved' } })).toContain(
      '"type":"alert.resolved"',
    );
  });

  it('starts from Last-Event-ID, else ?since=, else the newest event (live only); refuses what is not an id', () => {
    expect(startSeq('17', '3', () => 99)).toBe(17);
    expect(startSeq(undefined, '3', () => 99)).toBe(3);
    expect(startSeq(undefined, null, () => 99)).toBe(99);
    expect(() => startSeq('abc', null, () => 0)).toThrow(/Last-Event-ID \(or since\) must be an event id/);
  });
});
