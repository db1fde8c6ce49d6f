/** doctor, group "system": Node, the SQLite native module, tmux. Plain functions, no engine needed. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { fail, ok, warn, type CheckResult } from './check.js';

const run = promisify(execFile);

/** [major, minor, patch] of a version string such as `v20.19.1` or `3.3a`. */
export function versionParts(text: string): number[] {
  return (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)?.slice(1) ?? []).map((p) => Number(p ?? 0));
}

export function atLeast(have: readonly number[], want: readonly number[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const h = have[i] ?? 0;
    const w = want[i] ?? 0;
    if (h !== w) return h > w;
  }
  return true;
}

export const NODE_MIN = [20, 19, 0];
export const TMUX_MIN = [3, 2];

export function checkNode(version = process.version): CheckResult {
  if (atLeast(versionParts(version), NODE_MIN)) return ok('node', `Node.js ${version}`);
  return fail(
    'node',
    'WHT_ERR_CONFIG_INVALID',
    `Node.js ${version} is older than ${NODE_MIN.join('.')}`,
    'install Node.js 20.19 or later (nodejs.org or your package manager), then reinstall webhook-tui',
  );
}

/** better-sqlite3's native module is built for this Node and opens a database. */
export function checkSqlite(): CheckResult {
  try {
    const db = new Database(':memory:');
    const version = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
    db.close();
    return ok('sqlite', `SQLite ${version} (better-sqlite3 native module loads)`);
  } catch (err) {
    return fail(
      'sqlite',
      'WHT_ERR_STORAGE',
      `better-sqlite3 does not load: ${(err as Error).message.split('\n')[0]}`,
      'reinstall with `npm install -g --allow-scripts=better-sqlite3 ...` (npm 11), or `npm rebuild better-sqlite3` in the package (needs python3, make and g++ when no prebuilt binary fits)',
    );
  }
}

export async function checkTmuxVersion(): Promise<CheckResult> {
  let out: string;
  try {
    out = (await run('tmux', ['-V'], { timeout: 3000, encoding: 'utf8' })).stdout.trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(
      'tmux',
      'WHT_ERR_TMUX_FAILED',
      code === 'ENOENT' ? 'tmux is not on PATH' : `tmux -V failed (${code ?? 'error'})`,
      'install tmux 3.2 or later (apt-get install -y tmux)',
    );
  }
  if (atLeast(versionParts(out), TMUX_MIN)) return ok('tmux', out);
  return warn(
    'tmux',
    `${out} is older than ${TMUX_MIN.join('.')} (control mode and format variables the engine uses may be missing)`,
    'install tmux 3.2 or later',
  );
}
