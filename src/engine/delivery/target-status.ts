/** Each target's state as delivery judges it (dashboard, health checks, `targets`): one tmux look per target. */
import type { Tmux } from '../ports/tmux.js';
import type { TargetStatus } from '../task.js';
import { inspectPane } from './pane.js';
import type { Targets } from './targets.js';

export class TargetProbe {
  private last: TargetStatus[] = [];

  constructor(
    private readonly targets: Targets,
    private readonly tmux: Tmux,
    private readonly busyTargets: () => readonly string[],
  ) {}

  /** The result of the last probe (for snapshots, which must not wait on tmux). */
  lastKnown(): TargetStatus[] {
    return this.last;
  }

  /** Ask tmux about every target pane (resolving `default` creates its session when needed). */
  async probe(): Promise<TargetStatus[]> {
    const out: TargetStatus[] = [];
    for (const name of this.targets.names()) out.push(await this.one(name));
    this.last = out;
    return out;
  }

  private async one(name: string): Promise<TargetStatus> {
    let pane = this.targets.configured(name)?.pane ?? '';
    let profile: string = this.targets.configured(name)?.profile ?? 'shell';
    try {
      const resolved = await this.targets.resolve(name);
      pane = resolved.pane;
      profile = resolved.profile;
      const state = await inspectPane(this.tmux, pane);
      const busy = this.busyTargets().includes(name);
      return {
        name, pane, profile, present: state !== null && !state.dead, activity: state ? (busy ? 'busy' : 'idle') : 'unknown',
        inMode: state?.inMode ?? false, currentCommand: state?.currentCommand ?? null,
      };
    } catch {
      return { name, pane, profile, present: false, activity: 'unknown', inMode: false, currentCommand: null };
    }
  }
}
