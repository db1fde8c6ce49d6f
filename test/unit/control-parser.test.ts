import { describe, expect, it } from 'vitest';
import { ControlParser, type ControlEvent } from '../../src/engine/delivery/control-parser.js';

function parse(...chunks: string[]): ControlEvent[] {
  const p = new ControlParser();
  return chunks.flatMap((c) => p.push(c));
}

describe('ControlParser', () => {
  it('returns the initial attach block with flags 0, then notifications', () => {
    expect(parse('%begin 1700000000 267 0\n%end 1700000000 267 0\n%session-changed $0 user\n')).toEqual([
      { kind: 'block', time: '1700000000', number: '267', flags: 0, ok: true, lines: [] },
      { kind: 'notification', name: 'session-changed', args: '$0 user' },
    ]);
  });

  it('collects output lines of a reply, including lines that start with %', () => {
    const events = parse('%begin 1 5 1\n%1\n%begin 1 9 1\n%end 1 5 0\n\n%end 1 5 1\n');
    expect(events).toEqual([
      { kind: 'block', time: '1', number: '5', flags: 1, ok: true, lines: ['%1', '%begin 1 9 1', '%end 1 5 0', ''] },
    ]);
  });

  it('reports %error blocks with the error text', () => {
    expect(parse("%begin 1 6 1\ncan't find pane: nosuch\n%error 1 6 1\n")).toEqual([
      { kind: 'block', time: '1', number: '6', flags: 1, ok: false, lines: ["can't find pane: nosuch"] },
    ]);
  });

  it('keeps a partial line until the rest arrives, across any split', () => {
    const text = '%begin 1 7 1\nhello wörld\n%end 1 7 1\n%window-add @3\n';
    for (let i = 0; i <= text.length; i++) {
      expect(parse(text.slice(0, i), text.slice(i))).toEqual([
        { kind: 'block', time: '1', number: '7', flags: 1, ok: true, lines: ['hello wörld'] },
        { kind: 'notification', name: 'window-add', args: '@3' },
      ]);
    }
  });

  it('returns notifications between blocks in arrival order', () => {
    const events = parse(
      '%output %1 hi\\015\\012\n%begin 2 1 1\n%end 2 1 1\n%sessions-changed\n%begin 2 2 1\nx\n%end 2 2 1\n',
    );
    expect(events.map((e) => e.kind)).toEqual(['notification', 'block', 'notification', 'block']);
    expect(events[0]).toEqual({ kind: 'notification', name: 'output', args: '%1 hi\\015\\012' });
    expect(events[2]).toEqual({ kind: 'notification', name: 'sessions-changed', args: '' });
  });

  it('reports %exit with and without a reason', () => {
    expect(parse('%exit\n')).toEqual([{ kind: 'exit', reason: '' }]);
    expect(parse('%exit server exited\n')).toEqual([{ kind: 'exit', reason: 'server exited' }]);
  });

  it('reports a closing guard outside any block, or plain text, as out of step', () => {
    expect(parse('%end 1 2 1\n')).toEqual([{ kind: 'desync', line: '%end 1 2 1' }]);
    expect(parse('garbage\n')).toEqual([{ kind: 'desync', line: 'garbage' }]);
  });

  it('is inside a block until its own closing guard', () => {
    const p = new ControlParser();
    p.push('%begin 1 3 1\npartial');
    expect(p.inBlock).toBe(true);
    p.push('\n%end 1 3 1\n');
    expect(p.inBlock).toBe(false);
  });
});
