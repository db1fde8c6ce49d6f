/**
 * Screenshot-like captures of the dashboard running inside a real tmux pane (TERM=tmux-256color there), over the real
 * engine with a trickle of triggers: `tmux capture-pane -p` (text) and `-e -p` (with colours) at 120x40 and 80x24.
 * Writes docs/screens/dashboard-COLSxROWS.{txt,ansi}. Run: npm run capture:tui
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTmuxWorld } from '../test/helpers/engine-source.js';
import { BUILD_DIR, buildForPty, ROOT } from '../test/helpers/pty.js';

const ACS: Record<string, string> = {
  l: '┌',
  q: '─',
  k: '┐',
  x: '│',
  m: '└',
  j: '┘',
  t: '├',
  u: '┤',
  v: '┴',
  w: '┬',
  n: '┼',
  a: '▒',
  '~': '·',
};

/** `capture-pane -e` text -> plain text: ACS line drawing (between SO and SI) as Unicode, SGR removed. */
export function ansiToText(ansi: string): string {
  let out = '';
  let acs = false;
  // eslint-disable-next-line no-control-regex -- stripping SGR sequences
  for (const part of ansi.replace(/\x1b\[[0-9;]*m/g, '')) {
    if (part === '\x0e') acs = true;
    else if (part === '\x0f') acs = false;
    else out += acs ? (ACS[part] ?? part) : part;
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function capture(cols: number, rows: number): Promise<void> {
  const world = createTmuxWorld('capture');
  const socket = `${world.socket}-ui`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  try {
    const env = [
      `FIXTURE_SOURCE=engine`,
      `FIXTURE_DATA_DIR=${world.dataDir}`,
      `FIXTURE_TMUX_SOCKET=${world.socket}`,
      `FIXTURE_PANE=${world.pane}`,
      'FIXTURE_TRICKLE=3',
      'LANG=C.UTF-8',
    ];
    tmux(
      'new-session',
      '-d',
      '-s',
      'ui',
      '-x',
      String(cols),
      '-y',
      String(rows),
      'env',
      ...env,
      process.execPath,
      path.join(BUILD_DIR, 'test/fixtures/dashboard-fixture.js'),
    );
    tmux('set-option', '-t', 'ui', 'remain-on-exit', 'on');
    await sleep(12_000);
    const dir = path.join(ROOT, 'docs/screens');
    mkdirSync(dir, { recursive: true });
    const ansi = tmux('capture-pane', '-e', '-p', '-t', 'ui');
    writeFileSync(path.join(dir, `dashboard-${cols}x${rows}.ansi`), ansi);
    writeFileSync(path.join(dir, `dashboard-${cols}x${rows}.txt`), ansiToText(ansi));
    tmux('send-keys', '-t', 'ui', 'q');
    await sleep(1500);
    tmux('send-keys', '-t', 'ui', 'y');
    await sleep(1500);
  } finally {
    try {
      tmux('kill-server');
    } catch {
      /* gone */
    }
    world.kill();
  }
}

async function main(): Promise<void> {
  buildForPty();
  const only = process.env.CAPTURE_SIZES ?? '120x40,80x24';
  for (const size of only.split(',')) {
    const [c, r] = size.split('x').map(Number);
    await capture(c ?? 120, r ?? 40);
  }
  console.log('wrote docs/screens/dashboard-120x40.{txt,ansi} and dashboard-80x24.{txt,ansi}');
}

void main();
