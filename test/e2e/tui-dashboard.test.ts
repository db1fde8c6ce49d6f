/**
 * The dashboard in a real pseudo-terminal over the real engine (SQLite temp dir, tmux on its own -L socket).
 * Reads the screen through a headless xterm.js, like a user would.
 */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  attachedSource,
  createTmuxWorld,
  embeddedSource,
  testConfig,
  type TmuxWorld,
} from '../helpers/engine-source.js';
import { BUILD_DIR, buildForPty, PtyScreen } from '../helpers/pty.js';

const FIXTURE = path.join(BUILD_DIR, 'test/fixtures/dashboard-fixture.js');
let world: TmuxWorld | null = null;
let screen: PtyScreen | null = null;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => buildForPty(), 90_000);
afterEach(async () => {
  await screen?.close();
  screen = null;
  for (const c of cleanups.splice(0)) await c();
  world?.kill();
  world = null;
});

function start(cols: number, rows: number, env: Record<string, string | undefined> = {}): PtyScreen {
  world = world ?? createTmuxWorld('e2e');
  screen = new PtyScreen({
    args: [FIXTURE],
    cols,
    rows,
    env: {
      FIXTURE_SOURCE: 'engine',
      FIXTURE_DATA_DIR: world.dataDir,
      FIXTURE_TMUX_SOCKET: world.socket,
      FIXTURE_PANE: world.pane,
      TMUX: undefined,
      ...env,
    },
  });
  return screen;
}

/** q; when deliveries are still in flight the dashboard asks first, and y confirms. */
async function quit(s: PtyScreen): Promise<void> {
  s.write('q');
  const asked = await Promise.race([
    s.exited.then(() => false),
    s.waitFor('in flight. Quit', 10_000).then(
      () => true,
      () => false,
    ),
  ]);
  if (asked) s.write('y');
  const exit = await s.exited;
  expect(exit.exitCode).toBe(0);
  expect(s.raw).toContain('dashboard exited 0');
}

const PANELS_WIDE = [
  '1 queue',
  '2 dead letters',
  '3 alerts',
  '4 latency',
  '5 log',
  'delivered / min',
  'p95 end-to-end ms',
  'engine',
];

describe('dashboard over the real engine in a pty', () => {
  it('shows every panel at 120x40, delivers into the tmux pane and lists the dead task', async () => {
    const s = start(120, 40);
    const text = await s.waitFor((t) => t.includes('dead letters (1)') && t.includes('delivered #'), 15_000);
    for (const p of PANELS_WIDE) expect(text).toContain(p);
    expect(text).toMatch(/RUNNING\s+embedded/);
    expect(text).toContain('TARGET_MISSING');
    // targets and their panes in the status line: the shell pane exists, the ghost pane does not
    await s.waitFor((t) => t.includes('default:ready') && t.includes('ghost:missing'));
    await expect.poll(() => world?.capture() ?? '', { timeout: 5000 }).toContain('seeded-4');
    await quit(s);
  });

  it('shows CJK, emoji and combining marks at their width, and bidi controls as <U+202E>, in the list and the detail', async () => {
    const text = 'echo 日本語 🚀 cafe\u0301 \u202eevil';
    const s = start(120, 36, { FIXTURE_SOURCE: 'memory', FIXTURE_PAUSED: '1', FIXTURE_TEXT: text });
    // The screen is drawn in more than one write: wait for the whole row and the row it is compared with.
    const list = await s.waitFor((t) => t.includes('<U+202E>ev') && t.includes('seeded-1'), 15_000);
    expect(list).toContain('echo 日本語 🚀 cafe\u0301 <U+202E>ev');
    // the row keeps its columns: the queue panel's right border is where it is on every other row
    const rows = s.lines();
    const row = rows.find((l) => l.includes('日本語'))!;
    const plain = rows.find((l) => l.includes('seeded-1'))!;
    const width = (l: string) =>
      [...l].reduce(
        (w, ch) => w + (/[\u3040-\u9fff]|\p{Extended_Pictographic}/u.test(ch) ? 2 : /\p{M}/u.test(ch) ? 0 : 1),
        0,
      );
    const border = (l: string) => l.slice(0, l.indexOf('│', 1));
    expect(width(border(row))).toBe(width(border(plain)));
    s.write('\r');
    const detail = await s.waitFor((t) => t.includes('Attempts (0 failed)') && t.includes('<U+202E>evil'));
    expect(detail).toContain('echo 日本語 🚀 cafe\u0301 <U+202E>evil');
    // nothing of the list under the overlay shows through its rows (where the wide characters were drawn)
    expect(detail).toMatch(/│target default +priority 50 +category default +source cli +│/);
    expect(detail).toMatch(/│echo 日本語 🚀 cafe\u0301 <U\+202E>evil +│/);
    s.write('\x1b');
    await s.waitFor((t) => !t.includes('Attempts (0 failed)'));
    await quit(s);
  });

  it('p pauses delivery (PAUSED shows and nothing reaches the pane) and p again resumes', async () => {
    const s = start(100, 30, { FIXTURE_PAUSED: '1' });
    await s.waitFor('PAUSED');
    await s.waitFor('queue (5)');
    await new Promise((r) => setTimeout(r, 1500));
    expect(world?.capture()).not.toContain('seeded-');
    s.write('p');
    await s.waitFor((t) => t.includes('RUNNING') && !t.includes('PAUSED'));
    await expect.poll(() => world?.capture() ?? '', { timeout: 8000 }).toContain('seeded-4');
    s.write('p');
    await s.waitFor('PAUSED');
    await quit(s);
  });

  it('? opens the help overlay from the key table, Esc closes it', async () => {
    const s = start(80, 24);
    await s.waitFor('1 queue');
    s.write('?');
    // The overlay is drawn in more than one write: wait for its last part, not only its title.
    const help = await s.waitFor((t) => t.includes('Keys') && t.includes('Pause or resume the queue'));
    expect(help).toContain('Pause or resume the queue');
    s.write('\x1b');
    await s.waitFor((t) => !t.includes('Pause or resume the queue'));
    await quit(s);
  });

  it('r retries the selected dead task and it gets delivered once its pane exists', async () => {
    const s = start(100, 30, { FIXTURE_SEED: '0' });
    await s.waitFor('1 queue');
    // the `later` target's session does not exist yet: the task goes dead
    await enqueueViaSpool({ command: 'echo back-from-the-dead', target: 'later' });
    await s.waitFor('dead letters (1)', 15_000);
    world!.tmux('new-session', '-d', '-s', 'later', '-x', '80', '-y', '10', 'sh');
    s.write('2');
    await s.waitFor('>2 dead letters');
    s.write('r');
    await s.waitFor(/queued again/);
    await s.waitFor('dead letters (0)', 10_000);
    await expect.poll(() => world!.capture('=later:0.0'), { timeout: 8000 }).toContain('back-from-the-dead');
    await quit(s);
  });

  it('d asks before dropping the selected dead task; y drops it', async () => {
    const s = start(100, 30);
    await s.waitFor('dead letters (1)', 15_000);
    s.write('2');
    s.write('\r');
    const detail = await s.waitFor((t) => t.includes('Attempts (2 failed)') && t.includes('echo to-the-ghost'));
    expect(detail).toMatch(/Task #\d+\s+dead/);
    expect(detail).toContain('echo to-the-ghost');
    s.write('\x1b');
    await s.waitFor((t) => !t.includes('Attempts (2 failed)'));
    s.write('d');
    await s.waitFor(/Drop task #\d+ \(dead\)\?/);
    s.write('n');
    await s.waitFor('Cancelled.');
    expect(s.text()).toContain('dead letters (1)');
    s.write('d');
    await s.waitFor('Drop task #');
    s.write('y');
    await s.waitFor('dead letters (0)');
    await quit(s);
  });

  it('uses the compact layout at 60x24, shows alerts in the shared slot on 3, and resizes to too-small and back', async () => {
    const s = start(60, 24);
    const t = await s.waitFor((x) => x.includes('5 log') && x.includes('1 queue') && x.includes('2 dead letters'));
    expect(t).toContain('1 queue');
    expect(t).toContain('2 dead letters');
    expect(t).not.toContain('3 alerts');
    s.write('3');
    await s.waitFor('3 alerts');
    s.resize(40, 12);
    await s.waitFor('Terminal too small');
    s.resize(120, 40);
    await s.waitFor((x) => x.includes('4 latency') && x.includes('delivered / min') && !x.includes('too small'));
    s.resize(80, 24);
    await s.waitFor((x) => x.includes('4 latency') && !x.includes('delivered / min'));
    await quit(s);
  });

  it('restores the terminal on q: normal screen, cursor shown, no stray stderr', async () => {
    const s = start(80, 24, { TERM: 'tmux-256color' });
    await s.waitFor('1 queue');
    await quit(s);
    expect(s.term.buffer.active.type).toBe('normal');
    expect(s.raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(s.raw.lastIndexOf('\x1b[?1049h'));
    expect(s.raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(s.raw.lastIndexOf('\x1b[?25l'));
    expect(s.raw).not.toMatch(/Error on|plab_norm|Setulc/);
    // the embedded engine is closed: its control socket no longer answers
    const config = testConfig(world!);
    await expect(attachedSource(config)).rejects.toMatchObject({ code: 'WHT_ERR_ENGINE_UNREACHABLE' });
  });

  it('draws 256 colours inside tmux (TERM=tmux-256color) and none with NO_COLOR', async () => {
    const s = start(100, 30, { TERM: 'tmux-256color' });
    await s.waitFor('1 queue');
    await new Promise((r) => setTimeout(r, 800));
    await s.waitFor(() => true);
    expect(s.colouredCells().some((c) => c.fgPalette && c.fg >= 16)).toBe(true);
    await quit(s);
    await screen?.close();
    // control: blessed's own choice for this TERM (the 8-colour fallback) has no colour above 15
    const eight = start(100, 30, { TERM: 'tmux-256color', WEBHOOK_TUI_TERM: 'xterm' });
    await eight.waitFor('1 queue');
    await new Promise((r) => setTimeout(r, 800));
    await eight.waitFor(() => true);
    expect(eight.colouredCells().some((c) => c.fgPalette && c.fg >= 16)).toBe(false);
    await quit(eight);
    await screen?.close();
    const n = start(100, 30, { TERM: 'tmux-256color', NO_COLOR: '1' });
    await n.waitFor('1 queue');
    await new Promise((r) => setTimeout(r, 800));
    await n.waitFor(() => true);
    expect(n.colouredCells()).toEqual([]);
    expect(n.text()).toContain('RUNNING');
    await quit(n);
  });
});

describe('dashboard process behaviour', () => {
  it('routes stray console/stderr output into the log pane instead of the terminal', async () => {
    const s = start(100, 30, { FIXTURE_NOISE: '1' });
    const t = await s.waitFor(
      (x) => x.includes('[console] noise from a library') && x.includes('[stderr] raw stderr noise'),
    );
    for (const line of t.split('\n').filter((l) => l.includes('noise'))) expect(line.startsWith('│')).toBe(true);
    await quit(s);
  });

  it('SIGTERM closes the engine and restores the terminal', async () => {
    const s = start(80, 24);
    await s.waitFor('1 queue');
    s.proc.kill('SIGTERM');
    const exit = await s.exited;
    expect(exit.exitCode).toBe(0);
    expect(s.raw).toContain('dashboard exited 0');
    expect(s.term.buffer.active.type).toBe('normal');
  });

  it('with mouse on, a click focuses a panel; without it no mouse tracking is requested', async () => {
    const s = start(100, 30, { FIXTURE_MOUSE: '1' });
    const t = await s.waitFor('2 dead letters');
    const row = t.split('\n').findIndex((l) => l.includes('2 dead letters'));
    const col = (t.split('\n')[row] ?? '').indexOf('2 dead letters');
    // blessed asks for xterm mouse reporting (1000/1002/1003 with 1005 coordinates): press + release one row
    // below the title, inside the panel; values are 32 + button / 32 + 1-based column and row
    const at = (b: number): string => `\x1b[M${String.fromCharCode(32 + b, 32 + col + 3, 32 + row + 2)}`;
    // (blessed reads one mouse report per input chunk)
    s.write(at(0));
    await new Promise((r) => setTimeout(r, 150));
    s.write(at(3));
    await s.waitFor('>2 dead letters (');
    await quit(s);
    await screen?.close();
    const plain = start(100, 30);
    await plain.waitFor('1 queue');
    expect(plain.raw).not.toMatch(new RegExp(`${String.fromCharCode(27)}\\[\\?100[0236]h`));
    await quit(plain);
  });

  it('an uncaught error closes the engine, restores the terminal, then prints the error and exits 1', async () => {
    const s = start(80, 24, { FIXTURE_CRASH: '1' });
    const exit = await s.exited;
    expect(exit.exitCode).toBe(1);
    expect(s.term.buffer.active.type).toBe('normal');
    const restoredAt = s.raw.lastIndexOf('\x1b[?1049l');
    expect(restoredAt).toBeGreaterThan(0);
    expect(s.raw.indexOf('the dashboard stopped after an error: Error: boom from a timer')).toBeGreaterThan(restoredAt);
    expect(s.raw).toContain('dashboard exited 1');
  });

  it('/ filters the log and e exports the snapshot (path shown, files written)', async () => {
    const dir = world?.dataDir ?? (world = createTmuxWorld('e2e')).dataDir;
    const s = start(100, 30, { FIXTURE_EXPORT_DIR: path.join(dir, 'exports') });
    await s.waitFor('delivered #', 15_000);
    s.write('5');
    s.write('/');
    for (const ch of 'seeded-2') s.write(ch);
    s.write('\r');
    await s.waitFor('5 log /seeded-2');
    s.write('e');
    const t = await s.waitFor(/Exported \S+\.json/);
    const file = /Exported (\S+\.json)/.exec(t)?.[1] ?? '';
    expect(file.startsWith(path.join(dir, 'exports'))).toBe(true);
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ stats: { capacity: expect.any(Number) } });
    expect(readFileSync(file.replace(/\.json$/, '.csv'), 'utf8')).toMatch(/^id,state,target/);
    await quit(s);
  });
});

describe('dashboard attached to a running engine', () => {
  it('shows the engine as attached and p pauses that engine', async () => {
    world = createTmuxWorld('attach');
    const config = testConfig(world);
    const host = await embeddedSource(config);
    cleanups.push(() => host.close());
    host.engine.enqueue({ text: 'echo from-the-host', source: 'cli' });
    const s = start(100, 30, { FIXTURE_SOURCE: 'attached' });
    await s.waitFor(/RUNNING\s+attached/);
    s.write('p');
    await s.waitFor('PAUSED');
    await expect.poll(() => host.engine.isPaused(), { timeout: 3000 }).toBe(true);
    await quit(s);
    expect(host.engine.isPaused()).toBe(true);
    // quitting an attached dashboard leaves the engine running: its control socket still answers
    const again = await attachedSource(config);
    await expect(Promise.resolve(again.api.snapshot())).resolves.toMatchObject({ paused: true });
    await again.close();
  });
});

async function enqueueViaSpool(payload: Record<string, unknown>): Promise<void> {
  const { writeSpoolFile } = await import('../../src/engine/intake/spool-writer.js');
  writeSpoolFile(path.join(world!.dataDir, 'spool'), JSON.stringify(payload));
}
