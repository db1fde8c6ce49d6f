/**
 * Every target's state now, judged exactly as delivery judges it (agent-wait.judgeTarget through the shared
 * readiness memory): for `webhook-tui targets`, the dashboard and the health check. One tmux look per target.
 */
import type { Tmux } from '../ports/tmux.js';
import type { TargetStatus } from '../task.js';
import { judgeTarget } from './agent-wait.js';
import type { ResolvedTarget } from './profiles.js';
import type { ReadinessBook } from './readiness.js';

export interface StatusSource {
  names(): string[];
  configured(name: string): ResolvedTarget | undefined;
  /** Resolve a name to its target; may throw (not configured, default not resolvable). */
  resolve(name: string): Promise<ResolvedTarget>;
}

async function one(
  source: StatusSource,
  tmux: Tmux,
  book: ReadinessBook,
  delivering: readonly string[],
  name: string,
): Promise<TargetStatus> {
  const configured = source.configured(name);
  const base = {
    name,
    pane: configured?.pane ?? '',
    profile: configured?.profile ?? 'shell',
    preset: configured?.preset ?? null,
  };
  try {
    const target = await source.resolve(name);
    const { judgement, observation } = await judgeTarget(tmux, name, target, book);
    const pane = observation.pane;
    const working = delivering.includes(name) || judgement.state === 'busy';
    return {
      ...base,
      pane: target.pane,
      profile: target.profile,
      preset: target.preset,
      state: judgement.state,
      reason: judgement.reason,
      present: pane !== null && !pane.dead,
      activity: pane ? (working ? 'busy' : 'idle') : 'unknown',
      inMode: pane?.inMode ?? false,
      currentCommand: pane?.currentCommand ?? null,
    };
  } catch (err) {
    return {
      ...base,
      state: 'missing',
      reason: (err as Error).message,
      present: false,
      activity: 'unknown',
      inMode: false,
      currentCommand: null,
    };
  }
}

export async function targetStatus(
  source: StatusSource,
  tmux: Tmux,
  book: ReadinessBook,
  delivering: readonly string[],
): Promise<TargetStatus[]> {
  const out: TargetStatus[] = [];
  for (const name of source.names()) out.push(await one(source, tmux, book, delivering, name));
  return out;
}

/** The engine's probe: the same judgement and memory as its deliveries (resolving `default` creates its session when needed). */
export class TargetProbe {
  private last: TargetStatus[] = [];

  constructor(
    private readonly targets: StatusSource,
    private readonly tmux: Tmux,
    private readonly busyTargets: () => readonly string[],
    private readonly book: ReadinessBook,
  ) {}

  /** The result of the last probe (for snapshots, which must not wait on tmux). */
  lastKnown(): TargetStatus[] {
    return this.last;
  }

  async probe(): Promise<TargetStatus[]> {
    this.last = await targetStatus(this.targets, this.tmux, this.book, this.busyTargets());
    return this.last;
  }
}
