/** One log entry as a human-readable line (serve mode echoes these to stderr for journald). Pure. */
import type { LogEntry } from '../task.js';

export function formatLogLine(entry: LogEntry): string {
  const { at, level, msg, ...fields } = entry;
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${new Date(at).toISOString()} ${level} ${msg}${extra ? ` ${extra}` : ''}`;
}
