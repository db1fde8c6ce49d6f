/**
 * The sink: a program to run in a target pane for end-to-end load tests (`webhook-tui sink`). It reads the terminal
 * in raw mode (no line editing, no 4 KB canonical-line limit), echoes what arrives, and appends one JSON line per
 * submitted line to its log: {"t": epoch ms (µs precision), "line": text}. The load tester reads that log.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export const SINK_READY = 'WEBHOOK-TUI SINK READY';

/** Where a sink in pane PANE logs by default (`$TMPDIR/webhook-tui-sink-UID/PANE.jsonl`). */
export function defaultSinkLog(pane: string): string {
  return join(tmpdir(), `webhook-tui-sink-${userInfo().uid}`, `${pane.replace(/[^A-Za-z0-9_-]/g, '') || 'pane'}.jsonl`);
}

export interface SinkIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Runs until stdin ends (or the process is killed). Truncates the log at start unless `append`. */
export function runSink(logPath: string, io: SinkIo, opts: { append?: boolean } = {}): Promise<void> {
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const fd = openSync(logPath, opts.append ? 'a' : 'w', 0o600);
  if (io.stdin.isTTY) io.stdin.setRawMode(true);
  io.stdout.write(`${SINK_READY} (log ${logPath}; Ctrl-D on an empty line quits)\r\n`);
  let buf = '';
  io.stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let closed = false;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      closeSync(fd);
      resolve();
    };
    io.stdin.on('data', (chunk: string) => {
      const t = performance.timeOrigin + performance.now();
      if (chunk === '\u0004' && buf === '') {
        io.stdin.pause();
        finish();
        return;
      }
      buf += chunk;
      io.stdout.write(chunk.replace(/\r/g, '\r\n'));
      let out = '';
      let i;
      while ((i = buf.search(/[\r\n]/)) >= 0) {
        out += `${JSON.stringify({ t, line: buf.slice(0, i) })}\n`;
        buf = buf.slice(i + 1);
      }
      if (out) writeSync(fd, out);
    });
    io.stdin.once('end', finish);
  });
}
