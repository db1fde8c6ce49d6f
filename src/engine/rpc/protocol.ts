/**
 * The engine's RPC socket protocol (`<dataDir>/control.sock`): how CLI commands and an attached dashboard reach a
 * running engine. Not to be confused with tmux control mode (delivery/control-mode.ts).
 * Newline-delimited JSON over a Unix socket in the data dir (0600).
 * Request `{"id": n, "method": "...", "params": {...}}`, answer `{"id": n, "result": ...}` or
 * `{"id": n, "error": {"code": "WHT_ERR_...", "message": "..."}}`. After `subscribe` (`params.events`: the event
 * names wanted, all when absent), the server also sends `{"event": "task:delivered", "args": [...]}` lines.
 */
export const RPC_METHODS = [
  'enqueue',
  'getTask',
  'listTasks',
  'retry',
  'retryAllDead',
  'drop',
  'pause',
  'resume',
  'isPaused',
  'stats',
  'snapshot',
  'subscribe',
  'targetStatus',
  'history',
  'describeDefaultTarget',
] as const;
export type RpcMethod = (typeof RPC_METHODS)[number];

export interface RpcRequest {
  id: number;
  method: RpcMethod;
  params?: unknown;
}

export interface RpcResponse {
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface RpcEvent {
  event: string;
  args: unknown[];
}

/** Splits a byte stream into lines; keeps the partial tail. Rejects lines over `maxLine` characters. */
export class LineSplitter {
  private buf = '';
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 16 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.length > this.maxLine) throw new Error('control line too long');
      if (line) this.onLine(line);
    }
    if (this.buf.length > this.maxLine) throw new Error('control line too long');
  }
}
