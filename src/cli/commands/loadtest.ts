/**
 * `webhook-tui loadtest`: load against a running webhook-tui (--url, --spool) or a scratch engine with a sink pane,
 * then the report (text, --json, --html). Exit 0 when every --threshold held, 1 when one broke, 130 after Ctrl-C.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WhtError } from '../../engine/errors.js';
import { buildReport } from '../../engine/loadtest/report.js';
import { renderHtml } from '../../engine/loadtest/report-html.js';
import { renderText } from '../../engine/loadtest/report-text.js';
import { runLoadTest, type Progress } from '../../engine/loadtest/run.js';
import { startScratchEngine, type ScratchEngine } from '../../engine/loadtest/scratch.js';
import { defaultSinkLog } from '../../engine/loadtest/sink.js';
import { resolveSpoolTarget, resolveUrlTarget, type ResolvedTarget } from '../../engine/loadtest/target.js';
import { loadConfig } from '../context.js';
import { loadtestOptions, runOptionsFrom } from './loadtest-options.js';
import { defineCommand, type CliContext } from './command.js';

const BIN = fileURLToPath(new URL('../../../bin/webhook-tui', import.meta.url));

/** One status line on a TTY (stderr), nothing on a pipe. */
function progressLine(enabled: boolean): {
  show: (p: Progress) => void;
  drain: (typed: number, expected: number) => void;
  clear: () => void;
} {
  let last = 0;
  const write = (s: string): void => {
    if (enabled) process.stderr.write(`\r\x1b[K${s}`);
  };
  return {
    show: ({ phase, phaseIndex, phases, p }) => {
      if (Date.now() - last < 200) return;
      last = Date.now();
      const lvl = phases > 1 ? `[${phaseIndex + 1}/${phases} ${phase}] ` : '';
      write(
        `${lvl}${(p.elapsedMs / 1000).toFixed(1)} s  rate ${p.rate.toFixed(0)}/s  p99 ${p.p99.toFixed(2)} ms  errors ${p.failed}  late ${p.late}  sent ${p.sent}  (Ctrl-C stops)`,
      );
    },
    drain: (typed, expected) => {
      if (Date.now() - last < 200) return;
      last = Date.now();
      write(`waiting for the pane: ${typed} of ${expected} lines typed`);
    },
    clear: () => write(''),
  };
}

interface Where {
  target: ResolvedTarget;
  sinkLog?: string | undefined;
  scratch?: ScratchEngine | undefined;
}

async function resolveWhere(args: Record<string, unknown>, ctx: CliContext): Promise<Where> {
  const url = args.url as string | undefined;
  const spool = args.spool as string | undefined;
  if (url && spool) throw new WhtError('WHT_ERR_CONFIG_INVALID', '--url and --spool: give one of them');
  const e2e = args.e2e as string | undefined;
  let sinkLog = (args['sink-log'] as string | undefined) ?? (e2e ? defaultSinkLog(e2e) : undefined);
  if (!url && !spool) {
    if (e2e)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        '--e2e: the scratch engine has its own sink pane; --e2e goes with --url or --spool',
      );
    const scratch = await startScratchEngine({ cli: [process.execPath, BIN] });
    const target: ResolvedTarget = {
      send: { kind: 'v1', url: scratch.url, token: scratch.token },
      describe: `scratch engine ${scratch.url}/v1/tasks (sink in pane ${scratch.pane} of tmux -L ${scratch.socket}; temp dir ${scratch.dir}, removed at the end)`,
      stats: { url: scratch.url, token: scratch.token },
    };
    return { target, sinkLog: scratch.sinkLog, scratch };
  }
  if (sinkLog && !existsSync(sinkLog)) {
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `--e2e: no sink log at ${sinkLog}: run \`webhook-tui sink\` in pane ${e2e ?? '?'} first (or give --sink-log FILE)`,
    );
  }
  if (!e2e) sinkLog = undefined;
  const config = loadConfig(ctx.global);
  const target = url
    ? await resolveUrlTarget(config, {
        url,
        allowRemote: args['allow-remote'] as boolean,
        taskTarget: args.target as string | undefined,
      })
    : resolveSpoolTarget(spool!, args.target as string | undefined);
  return { target, sinkLog };
}

async function run(args: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const options = runOptionsFrom(args);
  const where = await resolveWhere(args, ctx);
  const aborter = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      ctx.out.err('\nstopping: finishing requests in flight, then the report of what ran (Ctrl-C again to quit now)');
      aborter.abort();
      return;
    }
    void where.scratch?.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSigint);
  const line = progressLine(process.stderr.isTTY === true);
  try {
    const data = await runLoadTest(options, {
      target: where.target,
      sinkLog: where.sinkLog,
      scratch: where.scratch !== undefined,
      signal: aborter.signal,
      onProgress: line.show,
      onDrain: line.drain,
    });
    line.clear();
    const report = buildReport(data);
    if (args.html) writeFileSync(String(args.html), renderHtml(report));
    ctx.out.out(args.json ? JSON.stringify(report, null, 2) : renderText(report));
    ctx.code = data.stopped ? 130 : report.passed ? 0 : 1;
  } finally {
    line.clear();
    process.off('SIGINT', onSigint);
    await where.scratch?.close();
  }
}

export const loadtestCommand = defineCommand({
  command: 'loadtest',
  describe: 'load test from request to keystroke: open/closed models, thresholds, text/JSON/HTML report',
  builder: loadtestOptions,
  handler: (args, ctx) => run(args as unknown as Record<string, unknown>, ctx),
});
