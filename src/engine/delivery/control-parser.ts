/**
 * Pure parser for tmux control-mode output (`tmux -C`, tmux(1) CONTROL MODE).
 *
 * Each command produces one block: `%begin TIME NUMBER FLAGS`, output lines, then `%end` or `%error` with the same
 * three fields. FLAGS is 1 for commands this client sent and 0 for blocks tmux runs itself (the initial attach).
 * Notifications (`%output`, `%session-changed`, `%exit`, ...) never sit inside a block. Inside a block every line is
 * output, even one starting with `%` (e.g. `%1` from `list-panes -F '#{pane_id}'`); only the exact closing guard of
 * the open block ends it.
 *
 * Feed text with `push`; it returns the complete events found so far and keeps a partial last line.
 */

export interface ControlBlock {
  kind: 'block';
  time: string;
  number: string;
  /** 1: a command this client sent; 0: run by tmux itself (e.g. the initial attach-session). */
  flags: number;
  ok: boolean;
  lines: string[];
}

export interface ControlNotification {
  kind: 'notification';
  /** Without the `%`, e.g. `session-changed`. */
  name: string;
  /** The rest of the line after the name (may be empty). */
  args: string;
}

export interface ControlExit {
  kind: 'exit';
  /** Reason given by tmux (`%exit server exited`), or '' */
  reason: string;
}

/** A line tmux should never send outside a block (e.g. a stray `%end`): the stream is out of step. */
export interface ControlDesync {
  kind: 'desync';
  line: string;
}

export type ControlEvent = ControlBlock | ControlNotification | ControlExit | ControlDesync;

const GUARD = /^%(begin|end|error) (\d+) (\d+) (\d+)$/;

interface OpenBlock {
  time: string;
  number: string;
  flags: string;
  lines: string[];
}

export class ControlParser {
  private partial = '';
  private open: OpenBlock | undefined;

  /** Feed decoded text; returns events for every complete line. */
  push(text: string): ControlEvent[] {
    const data = this.partial + text;
    const parts = data.split('\n');
    this.partial = parts.pop() ?? '';
    const events: ControlEvent[] = [];
    for (const line of parts) {
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** True while a block is open (its closing guard not yet seen). */
  get inBlock(): boolean {
    return this.open !== undefined;
  }

  private line(line: string): ControlEvent | undefined {
    const open = this.open;
    if (open) {
      const m = GUARD.exec(line);
      if (m && m[1] !== 'begin' && m[2] === open.time && m[3] === open.number && m[4] === open.flags) {
        this.open = undefined;
        return {
          kind: 'block',
          time: open.time,
          number: open.number,
          flags: Number(open.flags),
          ok: m[1] === 'end',
          lines: open.lines,
        };
      }
      open.lines.push(line);
      return undefined;
    }
    return this.outside(line);
  }

  private outside(line: string): ControlEvent | undefined {
    const m = GUARD.exec(line);
    if (m) {
      if (m[1] !== 'begin') return { kind: 'desync', line };
      this.open = { time: m[2] ?? '', number: m[3] ?? '', flags: m[4] ?? '', lines: [] };
      return undefined;
    }
    if (line === '%exit' || line.startsWith('%exit ')) return { kind: 'exit', reason: line.slice(6) };
    if (line.startsWith('%')) {
      const space = line.indexOf(' ');
      const name = space < 0 ? line.slice(1) : line.slice(1, space);
      return { kind: 'notification', name, args: space < 0 ? '' : line.slice(space + 1) };
    }
    // tmux prints nothing else outside blocks; with -C over pipes there is no DCS wrapper.
    if (line === '') return undefined;
    return { kind: 'desync', line };
  }
}
