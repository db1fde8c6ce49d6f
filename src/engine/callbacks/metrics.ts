/** The callback outbox in Prometheus text (appended to /metrics). */
import { PromWriter } from '../monitor/prometheus.js';
import type { CallbackStats } from '../task.js';

export function formatCallbackMetrics(s: CallbackStats): string {
  return new PromWriter()
    .family('webhook_tui_callbacks', 'gauge', 'Callbacks in the outbox by state (pending, sent, failed = given up).', [
      [{ state: 'pending' }, s.pending],
      [{ state: 'sent' }, s.sent],
      [{ state: 'failed' }, s.failed],
    ])
    .family('webhook_tui_callbacks_failing', 'gauge', 'Pending callbacks whose last POST failed (being retried).', [
      [{}, s.retrying],
    ])
    .family('webhook_tui_callback_posts_total', 'counter', 'Callback POSTs since start, by result.', [
      [{ result: 'ok' }, s.sentSinceStart],
      [{ result: 'failed' }, s.failedTriesSinceStart],
    ])
    .text();
}
