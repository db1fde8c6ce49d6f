/** Cluster counters in Prometheus text for `/metrics` (pure). */
import type { ClusterStatus } from '../task.js';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function formatClusterMetrics(s: ClusterStatus | undefined): string {
  if (!s) return '';
  const out: string[] = [];
  const counter = (name: string, help: string, by: Record<string, number>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [node, v] of Object.entries(by).sort()) out.push(`${name}{node="${esc(node)}"} ${v}`);
  };
  counter('webhook_tui_cluster_forwarded_total', 'Tasks handed to another node or pool, by destination.', s.forwarded);
  counter('webhook_tui_cluster_received_total', 'Tasks taken in from other nodes, by accepting node.', s.received);
  out.push(
    '# HELP webhook_tui_cluster_backlog Tasks committed here for other nodes, not yet handed to Redis.',
    '# TYPE webhook_tui_cluster_backlog gauge',
    `webhook_tui_cluster_backlog ${s.backlog}`,
    '# HELP webhook_tui_cluster_connected 1 while Redis answers and this node is registered.',
    '# TYPE webhook_tui_cluster_connected gauge',
    `webhook_tui_cluster_connected ${s.state === 'connected' ? 1 : 0}`,
    '# HELP webhook_tui_cluster_rejected_total Forwarded jobs refused here (bad signature, unsafe text), never typed.',
    '# TYPE webhook_tui_cluster_rejected_total counter',
    `webhook_tui_cluster_rejected_total ${s.rejected}`,
  );
  return out.join('\n') + '\n';
}
