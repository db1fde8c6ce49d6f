import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import {
  dbWritableCheck,
  parseWatchedPids,
  tmuxReachableCheck,
  tmuxWatchedPids,
} from '../../src/engine/monitor/checks.js';
import { spoolCheck } from '../../src/engine/intake/spool-dirs.js';
import { migrateMonitorTables } from '../../src/engine/sqlite/history-store.js';

const socket = `wht-mon-${process.pid}`;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe('monitor checks (real tmux, real SQLite)', () => {
  it('reports tmux reachable only while the server runs, and returns the server and target pane pids', async () => {
    const tmux = new ExecTmux({ socketName: socket });
    expect(await tmuxReachableCheck(tmux)()).toBe(false);
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'w', 'sleep 600']);
    cleanup.push(() => execFileSync('tmux', ['-L', socket, 'kill-server']));
    expect(await tmuxReachableCheck(tmux)()).toBe(true);
    const [serverPid, paneId, panePid] = execFileSync(
      'tmux',
      ['-L', socket, 'display-message', '-p', '-t', 'w', '#{pid} #{pane_id} #{pane_pid}'],
      { encoding: 'utf8' },
    )
      .trim()
      .split(' ');
    expect(await tmuxWatchedPids(tmux, () => [paneId ?? ''])()).toEqual([Number(serverPid), Number(panePid)]);
    expect(await tmuxWatchedPids(tmux, () => [])()).toEqual([Number(serverPid)]);
    expect(await tmuxWatchedPids(tmux, () => ['=w:0.0'])()).toEqual([Number(serverPid), Number(panePid)]);
    await tmux.close();
  });

  it('parses list-panes output, ignoring other panes and junk', () => {
    expect(parseWatchedPids('100 %1 200 a:0.0\n100 %2 300 a:0.1\n\nx', new Set(['%2']))).toEqual([100, 300]);
    expect(parseWatchedPids('100 %1 200 my work:1.0\n', new Set(['=my work:1.0']))).toEqual([100, 200]);
  });

  it('detects a read-only database and an unsafe spool dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wht-mon-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'q.db');
    const db = new Database(path);
    migrateMonitorTables(db);
    expect(dbWritableCheck(db)()).toBe(true);
    db.close();
    const ro = new Database(path, { readonly: true });
    expect(dbWritableCheck(ro)()).toBe(false);
    ro.close();

    const spool = join(dir, 'spool');
    for (const d of ['', 'tmp', 'new']) mkdirSync(join(spool, d), { recursive: true, mode: 0o700 });
    chmodSync(spool, 0o700);
    expect(spoolCheck(spool)().ok).toBe(true);
    chmodSync(spool, 0o777);
    expect(spoolCheck(spool)()).toMatchObject({ ok: false, message: expect.stringMatching(/writable by other users/) });
    expect(spoolCheck(join(dir, 'missing'))().ok).toBe(false);
  });
});
