import type { ResolvedTarget } from './profiles.js';
import type { TmuxConfig } from './tmux-config.js';

/** What of the config the targets need. */
type TargetsConfig = { targets: Readonly<Record<string, ResolvedTarget>>; tmux: TmuxConfig };
import { WhtError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { Tmux } from '../ports/tmux.js';
import { shellTarget } from './profiles.js';

export interface TargetEnv {
  /** $TMUX_PANE when the engine runs inside tmux on the server it talks to. */
  tmuxPane?: string | undefined;
}

/** Pick the pane to serve from `list-panes` lines `<id> <active> <last>`: the last active other pane. Pure. */
export function pickOtherPane(lines: string[], self: string): string | null {
  const panes = lines.map((l) => l.trim().split(' ')).filter((p) => p[0] && p[0] !== self);
  const last = panes.find((p) => p[2] === '1') ?? panes.find((p) => p[1] === '1') ?? panes[0];
  return last?.[0] ?? null;
}

/**
 * Maps target names to panes. `default`, when not configured: inside tmux the other pane of the current window
 * that was last active; outside tmux a detached session the engine creates (and re-creates if it is killed).
 */
export class Targets {
  private readonly config: TargetsConfig;
  private readonly tmux: Tmux;
  private readonly env: TargetEnv;
  private readonly logger: Logger;
  private defaultPane: Promise<ResolvedTarget> | null = null;
  private defaultIsOwnSession = false;

  constructor(config: TargetsConfig, tmux: Tmux, env: TargetEnv, logger: Logger) {
    this.config = config;
    this.tmux = tmux;
    this.env = env;
    this.logger = logger;
  }

  names(): string[] {
    const names = Object.keys(this.config.targets);
    return names.includes('default') ? names : ['default', ...names];
  }

  configured(name: string): ResolvedTarget | undefined {
    return this.config.targets[name];
  }

  /** Resolve a target name to its pane; throws TARGET_UNKNOWN (not retryable) or a retryable tmux error. */
  async resolve(name: string): Promise<ResolvedTarget> {
    const configured = this.config.targets[name];
    if (configured) return configured;
    if (name !== 'default')
      throw new WhtError('WHT_ERR_TARGET_UNKNOWN', `target "${name}" is not configured (targets.${name}.pane)`, {
        target: name,
      });
    // One resolution at a time: concurrent callers share it (two would both create the session).
    if (!this.defaultPane) {
      const pending = this.findDefaultPane().then((pane) => shellTarget(pane));
      this.defaultPane = pending;
      pending.catch(() => {
        if (this.defaultPane === pending) this.defaultPane = null;
      });
    }
    return this.defaultPane;
  }

  /** The default pane went away: resolve again next time (a re-created session gets a new pane id). */
  invalidate(name: string): void {
    if (name === 'default' && !this.config.targets.default) this.defaultPane = null;
  }

  async describeDefault(): Promise<string> {
    if (this.config.targets.default) return this.config.targets.default.pane;
    try {
      const { pane } = await this.resolve('default');
      return this.defaultIsOwnSession ? `${pane} in session ${this.config.tmux.defaultSession}` : pane;
    } catch (err) {
      return `(unresolved: ${(err as Error).message})`;
    }
  }

  private async findDefaultPane(): Promise<string> {
    const self = this.env.tmuxPane;
    const sameServer = !this.config.tmux.socketName && !this.config.tmux.socketPath;
    if (self && sameServer) {
      const { stdout } = await this.tmux.run([
        'list-panes',
        '-t',
        self,
        '-F',
        '#{pane_id} #{pane_active} #{pane_last}',
      ]);
      const other = pickOtherPane(stdout.split('\n'), self);
      if (other) {
        this.defaultIsOwnSession = false;
        this.logger.info('default target: the other pane of this window', { pane: other });
        return other;
      }
    }
    return this.ownSessionPane();
  }

  private async ownSessionPane(): Promise<string> {
    const session = this.config.tmux.defaultSession;
    this.defaultIsOwnSession = true;
    try {
      const { stdout } = await this.tmux.run(['list-panes', '-t', `=${session}:`, '-F', '#{pane_id}']);
      const pane = stdout.split('\n')[0]?.trim();
      if (pane) return pane;
    } catch {
      /* no such session (or no server yet) */
    }
    const { stdout } = await this.tmux.run([
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '200',
      '-y',
      '50',
      '-P',
      '-F',
      '#{pane_id}',
    ]);
    const pane = stdout.trim();
    this.logger.info('created tmux session for the default target', { session, pane });
    return pane;
  }
}
