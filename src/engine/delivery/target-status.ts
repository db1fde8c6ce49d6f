/**
 * Every target's state now, judged exactly as delivery judges it (agent-wait.judgeTarget through the shared
 * readiness memory): for `webhook-tui targets`, the dashboard and the health check.
 */
import type { Tmux } from '../ports/tmux.js';
import type { TargetStatus } from '../types.js';
import { judgeTarget } from './agent-wait.js';
import type { ResolvedTarget } from './profiles.js';
import type { ReadinessBook } from './readiness.js';

export interface StatusSource {
  names(): string[];
  configured(name: string): ResolvedTarget | undefined;
  /** Resolve a name to its target; may throw (not configured, default not resolvable). */
  resolve(name: string): Promise<ResolvedTarget>;
}

export async function targetStatus(source: StatusSource, tmux: Tmux, book: ReadinessBook, delivering: readonly string[]): Promise<TargetStatus[]> {
  const out: TargetStatus[] = [];
  for (const name of source.names()) {
    const configured = source.configured(name);
    const base = { name, pane: configured?.pane ?? '', profile: configured?.profile ?? 'shell', preset: configured?.preset ?? null };
    try {
      const target = await source.resolve(name);
      const { judgement, observation } = await judgeTarget(tmux, name, target, book);
      const pane = observation.pane;
      const working = delivering.includes(name) || judgement.state === 'busy';
      out.push({
        ...base, pane: target.pane, profile: target.profile, preset: target.preset, state: judgement.state, reason: judgement.reason,
        present: pane !== null && !pane.dead, activity: pane ? (working ? 'busy' : 'idle') : 'unknown',
        inMode: pane?.inMode ?? false, currentCommand: pane?.currentCommand ?? null,
      });
    } catch (err) {
      out.push({ ...base, state: 'missing', reason: (err as Error).message, present: false, activity: 'unknown', inMode: false, currentCommand: null });
    }
  }
  return out;
}
