/**
 * Control socket protocol: newline-delimited JSON over a Unix socket in the data dir (0600).
 * Request `{"id": n, "method": "...", "params": {...}}`, answer `{"id": n, "result": ...}` or
 * `{"id": n, "error": {"code": "WHT_ERR_...", "message": "..."}}`. After `subscribe`, the server also sends
 * `{"event": "task:delivered", "args": [...]}` lines.
 */
export const CONTROL_METHODS = [
  'enqueue', 'getTask', 'listTasks', 'retry', 'retryAllDead', 'drop', 'pause', 'resume', 'isPaused', 'stats', 'snapshot', 'subscribe',
  'targetStatus', 'history',
] as const;
export type ControlMethod = (typeof CONTROL_METHODS)[number];

export interface ControlRequest {
  id: number;
  method: ControlMethod;
  params?: unknown;
}

export interface ControlResponse {
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface ControlEvent {
  event: string;
  args: unknown[];
}

/** Splits a byte stream into lines; keeps the partial tail. Rejects lines over `maxLine` characters. */
export class LineSplitter {
  private buf = '';
  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = 16 * 1024 * 1024) {}

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
