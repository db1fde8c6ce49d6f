/**
 * Ready-made health-check and pid functions for `MonitorDeps`, built from the engine's own ports (the spool's own
 * check is intake/spool-dirs.ts `spoolCheck`: the monitor does not know the spool's layout).
 * The engine may use these or supply its own.
 */
import type { Database } from 'better-sqlite3';
import type { Tmux } from '../ports/tmux.js';

/** Writes to the monitor's own table inside a transaction: fails on a read-only, locked-out or full database. */
export function dbWritableCheck(db: Database): () => boolean {
  return () => {
    try {
      db.transaction(() => db.prepare('UPDATE monitor_schema SET version = version').run())();
      return true;
    } catch {
      return false;
    }
  };
}

/** The tmux server answers `list-sessions`. */
export function tmuxReachableCheck(tmux: Tmux, timeoutMs = 3000): () => Promise<boolean> {
  return async () => {
    try {
      await tmux.run(['list-sessions', '-F', '#{pid}'], { timeoutMs });
      return true;
    } catch {
      return false;
    }
  };
}

export const WATCH_FORMAT = '#{pid} #{pane_id} #{pane_pid} #{session_name}:#{window_index}.#{pane_index}';

/**
 * Parses `list-panes -a -F WATCH_FORMAT`: the server pid plus the pids of the given panes, which may be named by
 * id (`%3`) or address (`work:1.0`, `=work:1.0`).
 */
export function parseWatchedPids(stdout: string, panes: ReadonlySet<string>): number[] {
  const out = new Set<number>();
  for (const line of stdout.split('\n')) {
    const [server, pane, panePid, ...rest] = line.trim().split(' ');
    if (!server || !pane) continue;
    out.add(Number(server));
    const address = rest.join(' ');
    if (panePid && (panes.has(pane) || panes.has(address) || panes.has(`=${address}`))) out.add(Number(panePid));
  }
  return [...out].filter((p) => Number.isInteger(p) && p > 0);
}

/** tmux server pid and the pids of the processes in the target panes (ids or addresses), in one tmux call. */
export function tmuxWatchedPids(tmux: Tmux, paneIds: () => string[] | Promise<string[]>): () => Promise<number[]> {
  return async () => {
    try {
      const ids = new Set(await paneIds());
      const { stdout } = await tmux.run(['list-panes', '-a', '-F', WATCH_FORMAT], { timeoutMs: 3000 });
      return parseWatchedPids(stdout, ids);
    } catch {
      return [];
    }
  };
}
