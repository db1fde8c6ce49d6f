/**
 * The handshake between `webhook-tui --split` (the parent, in the pane it was run from) and the dashboard it starts
 * in the new pane (the child). tmux gives a new pane the tmux server's environment, not the caller's, so the parent
 * writes the variables the config needs into a private file (0600 in a 0700 directory: secrets never go on a command
 * line) and passes only the directory, as WEBHOOK_TUI_SPLIT. The child takes the variables, deletes the file, and
 * writes `status.json` once: ready (where commands go) or failed (why).
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The variable that names the handshake directory in the new pane. */
export const SPLIT_ENV_VAR = 'WEBHOOK_TUI_SPLIT';

/** What the dashboard in the new pane reports once it runs. */
export interface SplitReady {
  ok: true;
  /** embedded: it runs the engine; attached: a `serve` owns the data dir and the dashboard shows that engine. */
  mode: 'embedded' | 'attached';
  /** Where the `default` target's commands go, in the words of the engine that delivers them. */
  target: string;
  /** The `serve` attached to. */
  servePid?: number | undefined;
}

export type SplitStatus = SplitReady | { ok: false; message: string };

/** Parent side: the directory, the env file in it, and where the child's status appears. */
export interface SplitHandshake {
  dir: string;
  readStatus(): SplitStatus | null;
  cleanup(): void;
}

export function createHandshake(vars: Record<string, string>, parent = tmpdir()): SplitHandshake {
  const dir = mkdtempSync(join(parent, 'webhook-tui-split-'));
  writeFileSync(join(dir, 'env.json'), JSON.stringify(vars), { mode: 0o600 });
  return {
    dir,
    readStatus: () => {
      try {
        return JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as SplitStatus;
      } catch {
        return null; // not written yet (it appears whole: written beside, then renamed)
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Child side: report once, whatever happens later. */
export interface SplitChild {
  ready(report: Omit<SplitReady, 'ok'>): void;
  failed(message: string): void;
}

/**
 * Child side, first thing in `main`: when started by `--split`, take the caller's variables into `env`, delete the
 * file and the marker variable, and return the reporter; otherwise null.
 */
export function takeSplitHandshake(env: NodeJS.ProcessEnv = process.env): SplitChild | null {
  const dir = env[SPLIT_ENV_VAR];
  if (!dir) return null;
  delete env[SPLIT_ENV_VAR];
  const file = join(dir, 'env.json');
  try {
    const vars = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(vars)) if (typeof v === 'string') env[k] = v;
    unlinkSync(file);
  } catch {
    /* the parent gave up and removed it; reporting below fails quietly too */
  }
  let done = false;
  const write = (status: SplitStatus): void => {
    if (done) return;
    done = true;
    try {
      writeFileSync(join(dir, 'status.tmp'), JSON.stringify(status), { mode: 0o600 });
      renameSync(join(dir, 'status.tmp'), join(dir, 'status.json'));
    } catch {
      /* nobody waits any more */
    }
  };
  return {
    ready: (report) => write({ ok: true, ...report }),
    failed: (message) => write({ ok: false, message }),
  };
}
