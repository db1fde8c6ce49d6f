import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { defaultConfigPath } from '../../engine/config/resolve.js';
import { PRESETS } from '../../engine/delivery/profiles.js';
import { WhtError } from '../../engine/errors.js';
import { prepareSpool } from '../../engine/intake/spool-dirs.js';
import { loadOrCreateToken, tokenPath } from '../../engine/intake/http/token.js';
import { tmuxServerArgs } from '../../engine/service/spec.js';
import { systemdRunning } from '../../engine/service/systemd.js';
import { buildInitConfig, writeInitFiles, type InitAnswers } from '../../engine/setup/init.js';
import { listPanes, type PaneInfo } from '../../engine/setup/tmux-panes.js';
import { runDoctor } from '../../engine/preflight/doctor.js';
import { existsSync, mkdirSync } from 'node:fs';
import type { Out } from '../output.js';
import { defineCommand } from './command.js';

function formatPanes(panes: PaneInfo[] | null, server: string): string {
  if (panes === null)
    return `no tmux server answers (${server}): without a target the engine creates the session it types into`;
  if (panes.length === 0) return `the tmux server (${server}) has no panes`;
  return [
    `tmux panes (${server}):`,
    ...panes.map(
      (p, i) =>
        `  ${String(i + 1).padStart(2)}) ${p.id.padEnd(5)} ${p.address.padEnd(20)} ${p.command.padEnd(12)} ${p.size}`,
    ),
  ].join('\n');
}

/** Questions on the terminal; answers typed ahead (or pasted) are kept in order, not lost between prompts. */
async function ask(panes: PaneInfo[] | null, out: Out, given: InitAnswers): Promise<InitAnswers> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const question = async (prompt: string): Promise<string> => {
    process.stdout.write(prompt);
    const next = await lines.next();
    if (next.done)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        'init: the input ended before every question was answered; nothing was written',
      );
    return next.value.trim();
  };
  try {
    let target = given.target;
    if (target === undefined) {
      const raw = await question(
        'Target pane for tasks that name none (its number above, %id or session:window.pane; Enter = automatic): ',
      );
      const byNumber = panes?.[Number(raw) - 1];
      // By address (=session:window.pane): pane ids (%3) change when the tmux server restarts.
      target = raw === '' ? undefined : /^\d+$/.test(raw) && byNumber ? `=${byNumber.address}` : raw;
    }
    let preset = given.preset;
    if (target !== undefined && preset === undefined) {
      const raw = await question(
        `Does an agent CLI run there? (${Object.keys(PRESETS).join(', ')}; Enter = no, a shell): `,
      );
      preset = raw === '' ? undefined : raw;
    }
    const overrides = [...given.overrides];
    if (!overrides.some(([k]) => k === 'http.port')) {
      const raw = await question('HTTP port on 127.0.0.1 (Enter = 8787, 0 = any free port, off = no HTTP): ');
      if (raw === 'off') overrides.push(['http.enabled', 'false']);
      else if (raw !== '') overrides.push(['http.port', raw]);
    }
    out.out('');
    return { target, preset, overrides };
  } finally {
    rl.close();
  }
}

function nextSteps(configPath: string, explicit: boolean): string {
  const cfg = explicit ? ` --config ${configPath}` : '';
  return [
    'Next:',
    `  webhook-tui doctor${cfg}                 # every check should be ✓`,
    `  webhook-tui start${cfg}                  # the engine in the background`,
    `  webhook-tui send${cfg} -- echo hello     # typed into the target pane`,
    `  webhook-tui status${cfg}`,
    `  webhook-tui stop${cfg}`,
    ...(systemdRunning(process.env)
      ? [`  webhook-tui service install${cfg}      # run it as a systemd user service instead`]
      : []),
  ].join('\n');
}

export const initCommand = defineCommand({
  command: 'init',
  describe: 'write a config file (asks, or takes defaults with --yes), create the data dir, spool and HTTP token',
  builder: (y) =>
    y
      .option('yes', {
        alias: 'y',
        type: 'boolean',
        default: false,
        describe: 'ask nothing: defaults plus the flags given',
      })
      .option('target', { type: 'string', describe: 'the default target pane: %id or session:window.pane' })
      .option('preset', { choices: Object.keys(PRESETS), describe: 'an agent CLI runs in the target pane' })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'replace an existing config (the old one is kept as .bak)',
      }),
  handler: async (args, ctx) => {
    const explicit = ctx.global.config ?? process.env.WEBHOOK_TUI_CONFIG;
    const path = resolve(explicit ?? defaultConfigPath(process.env));
    const given: InitAnswers = { target: args.target, preset: args.preset, overrides: ctx.global.overrides };
    // Validate the flags before asking anything or touching the disk.
    let built = buildInitConfig(given, process.env);
    if (existsSync(path) && !args.force)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `${path} already exists; init --force replaces it (and keeps a .bak)`,
      );
    const serverArgs = tmuxServerArgs(built.config);
    const server = serverArgs.length ? `tmux ${serverArgs.join(' ')}` : 'the default tmux server';
    const panes = await listPanes(serverArgs);
    ctx.out.out(formatPanes(panes, server));
    if (!args.yes) {
      if (!process.stdin.isTTY)
        throw new WhtError(
          'WHT_ERR_CONFIG_INVALID',
          'init asks questions: run it in a terminal, or pass --yes (with --target, --preset, --http.port ...)',
        );
      built = buildInitConfig(await ask(panes, ctx.out, given), process.env);
    }
    const files = writeInitFiles(path, built.file, args.force);
    const { config } = built;
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    prepareSpool(config.spool.dir);
    await loadOrCreateToken(config.dataDir);
    const checks = await runDoctor(config, { env: process.env, expectedExecStart: [] });
    const problems = checks.filter((c) => c.status !== 'ok' && c.id !== 'service');
    ctx.out.out(
      [
        `wrote ${files.config}${files.backup ? ` (the previous one is ${files.backup})` : ''}`,
        `wrote ${files.schema} (JSON Schema for editors)`,
        `data dir ${config.dataDir}`,
        `spool    ${config.spool.dir} (0700)`,
        `token    ${tokenPath(config.dataDir)} (0600)`,
        `target   ${config.targets.default ? config.targets.default.pane : `automatic (outside tmux: session ${config.tmux.defaultSession}, created by the engine)`}`,
        '',
        problems.length
          ? `doctor: ${problems.map((c) => `${c.status === 'fail' ? '✗' : '!'} ${c.id}: ${c.message}${c.fix ? ` → ${c.fix}` : ''}`).join('\n        ')}`
          : `doctor: all ${checks.length - 1} checks pass`,
        '',
        nextSteps(path, explicit !== undefined),
      ].join('\n'),
    );
    if (problems.some((c) => c.status === 'fail')) ctx.code = 1;
  },
});
