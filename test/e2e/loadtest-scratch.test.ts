/** `webhook-tui loadtest` with no target: the scratch engine, its sink pane, the HTML report, and the cleanup. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';
import type { LoadReport } from '../../src/engine/loadtest/report.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('webhook-tui loadtest against the scratch engine', () => {
  const tmp = tempDir('wht-lt-scratch-');
  afterAll(() => tmp.cleanup());

  it('measures end to end with no setup, writes a self-contained HTML page, and removes its engine and tmux server', () => {
    const html = join(tmp.dir, 'report.html');
    const r = spawnSync(
      process.execPath,
      [BIN, 'loadtest', '--type', 'smoke', '--rate', '30', '--duration', '2', '--json', '--html', html],
      { encoding: 'utf8', env: { ...process.env, TMUX_PANE: '', TMUX: '' }, timeout: 60_000 },
    );
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as LoadReport;
    expect(report.requests).toMatchObject({ total: 60, successful: 60, failed: 0 });
    expect(report.e2e).toMatchObject({ acknowledged: 60, delivered: 60, lost: 0, duplicated: 0, reordered: 0 });
    expect(report.engine?.window).toBe('since start');
    expect(report.engine?.stages?.endToEnd.count).toBe(60);
    expect(report.e2e!.p50).toBeLessThanOrEqual(report.e2e!.p99);
    // The scratch tmux server and data dir are gone.
    const socket = /tmux -L ([^\s;]+);/.exec(report.config.target)?.[1];
    expect(socket).toMatch(/^webhook-tui-loadtest-\d+$/);
    expect(spawnSync('tmux', ['-L', socket!, 'list-sessions']).status).not.toBe(0);
    const dir = /temp dir (\S+),/.exec(report.config.target)?.[1];
    expect(dir).toMatch(/webhook-tui-loadtest-/);
    expect(existsSync(dir!)).toBe(false);
    // One page, nothing fetched: inline SVG, no scripts, no links or external sources.
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg');
    expect(page).toContain('<polyline');
    expect(page).not.toMatch(/<script|<link|\bsrc=|\bhref=|url\(/i);
    expect(existsSync(html)).toBe(true);
  });
});
