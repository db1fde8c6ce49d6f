/**
 * The systemd user unit, built purely from what it runs (reference/ops.md §4): `Type=exec` (a missing binary fails
 * the start), `Restart=on-failure` with a few seconds between tries, SIGTERM to the engine only (`KillMode=mixed`: it
 * closes its own tmux clients while it drains), `TimeoutStopSec` above the drain time, no PrivateTmp/ProtectHome
 * (they hide the tmux socket) and no MemoryDenyWriteExecute (V8's JIT needs W+X).
 */
import { dirname } from 'node:path';

export const UNIT_NAME = 'webhook-tui.service';

export interface UnitSpec {
  /** Absolute path of the Node binary (process.execPath). */
  node: string;
  /** Absolute path of the CLI entry (bin/webhook-tui). */
  cli: string;
  /** Arguments after `serve` (e.g. `--config FILE`, dotted overrides). */
  serveArgs: readonly string[];
  /** Environment the engine needs from the installing shell (PATH to tmux, XDG dirs, TMUX_TMPDIR). */
  env: Readonly<Record<string, string>>;
  /** Longest time the engine may need to finish deliveries in flight after SIGTERM. */
  drainMs: number;
  /**
   * When set, a tmux session created before the engine starts, in its own scope (`systemd-run --user --scope`), so
   * the tmux server never lives in the service's cgroup (stopping the service would kill it and every pane).
   */
  tmuxSessionPre?: { systemdRun: string; tmux: string; tmuxArgs: readonly string[]; session: string } | undefined;
  version: string;
}

/** Quote one word for a systemd command line or assignment: `%` and `$` are escaped, anything odd double-quoted. */
export function quoteSystemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%$+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function commandLine(words: readonly string[]): string {
  return words.map(quoteSystemdWord).join(' ');
}

/** TimeoutStopSec: the drain time plus a margin, in whole seconds (never below 30 s). */
export function stopTimeoutSec(drainMs: number): number {
  return Math.max(30, Math.ceil(drainMs / 1000) + 15);
}

export function buildUnit(spec: UnitSpec): string {
  const envLines = Object.entries(spec.env).map(([k, v]) => `Environment=${quoteSystemdWord(`${k}=${v}`)}`);
  const pre = spec.tmuxSessionPre;
  const preLine = pre
    ? [
        `ExecStartPre=-${commandLine([pre.systemdRun, '--user', '--scope', '--quiet', '--collect', pre.tmux, ...pre.tmuxArgs, 'new-session', '-d', '-s', pre.session, '-x', '200', '-y', '50'])}`,
      ]
    : [];
  return [
    `# Written by webhook-tui ${spec.version} (\`webhook-tui service install\`); \`webhook-tui service uninstall\` removes it.`,
    '[Unit]',
    'Description=webhook-tui: durable queue from trigger files and webhooks into tmux panes',
    'StartLimitIntervalSec=60',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=exec',
    ...envLines,
    ...preLine,
    `ExecStart=${commandLine([spec.node, spec.cli, 'serve', ...spec.serveArgs])}`,
    `WorkingDirectory=${quoteSystemdWord(dirname(spec.cli))}`,
    'Restart=on-failure',
    'RestartSec=2s',
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${stopTimeoutSec(spec.drainMs)}`,
    // tmux's socket (/tmp/tmux-UID or $TMUX_TMPDIR) must stay visible: no PrivateTmp, ProtectHome or ProtectSystem.
    // V8's JIT needs writable+executable memory: no MemoryDenyWriteExecute.
    'NoNewPrivileges=yes',
    'LockPersonality=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'SystemCallArchitectures=native',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** The ExecStart words of a unit file written by buildUnit (for "does the installed unit run this binary?"). */
export function parseExecStart(unitText: string): string[] | null {
  const line = unitText.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) return null;
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.slice('ExecStart='.length).matchAll(re)) {
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!;
    words.push(raw.replace(/\$\$/g, '$').replace(/%%/g, '%'));
  }
  return words;
}
