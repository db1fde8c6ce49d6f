import yargs, { type Argv } from 'yargs';
import { isWhtError, WhtError } from '../engine/errors.js';
import { toTaskRow } from '../engine/intake/trigger.js';
import { writeSpoolFile } from '../engine/intake/spool-writer.js';
import { prepareSpool } from '../engine/intake/spool-dirs.js';
import { TASK_STATES, type TaskState } from '../engine/types.js';
import { extractOverrides, loadConfig, openApi } from './context.js';
import { COMMANDS } from './commands/index.js';
import { latestReport } from '../engine/report/weekly.js';
import { nativeModuleHint } from './native-hint.js';
import type { CliContext as Ctx, GlobalFlags } from './commands/command.js';
import { formatDead, formatStats, formatTasks, stdio, type Out } from './output.js';
import { runEngineUntilSignal } from './serve.js';
import { runDashboardCommand, runDemo, runSplit } from './dashboard.js';
import { exportHistory, formatMonitorStatus, parseDuration } from '../engine/monitor/index.js';
import { dataPaths, openStore } from '../engine/engine.js';
import { httpEnqueue, readToken, type HttpEnqueueResult, type HttpTaskInput } from '../engine/intake/http/index.js';
import type { Config } from '../engine/config/schema.js';
import { formatLogStatus } from '../engine/logs/index.js';
import { readFileSync } from 'node:fs';

/** Exit codes: 0 ok, 1 runtime failure, 2 usage/config error, 3 engine not reachable. */
export function exitCodeFor(err: unknown): number {
  if (!isWhtError(err)) return 1;
  switch (err.code) {
    case 'WHT_ERR_CONFIG_INVALID': case 'WHT_ERR_ENGINE_RUNNING': case 'WHT_ERR_SPOOL_UNSAFE':
    case 'WHT_ERR_TEXT_UNSAFE': case 'WHT_ERR_TEXT_EMPTY': case 'WHT_ERR_BAD_TRIGGER': case 'WHT_ERR_TOO_LARGE':
      return 2;
    case 'WHT_ERR_ENGINE_UNREACHABLE':
      return 3;
    default:
      return 1;
  }
}


async function withApi<T>(ctx: Ctx, fn: (api: Awaited<ReturnType<typeof openApi>>) => Promise<T>): Promise<T> {
  const handle = await openApi(loadConfig(ctx.global));
  try {
    return await fn(handle);
  } finally {
    handle.close();
  }
}

async function sendOverHttp(config: Config, url: string | undefined, task: HttpTaskInput): Promise<HttpEnqueueResult> {
  const token = await readToken(config.dataDir);
  if (!token) throw new WhtError('WHT_ERR_ENGINE_UNREACHABLE', `no token in ${dataPaths(config.dataDir).token}: start the engine once (it creates it)`);
  let base = url;
  if (!base) {
    try {
      base = readFileSync(dataPaths(config.dataDir).httpUrl, 'utf8').trim();
    } catch {
      base = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`;
    }
  }
  return httpEnqueue({ url: base, token, task });
}

function parseId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new WhtError('WHT_ERR_CONFIG_INVALID', `task id must be a positive integer (got ${String(raw)})`);
  return id;
}

function registerCommands(y: Argv, ctx: Ctx): Argv {
  let out = y as Argv<GlobalFlags>;
  for (const command of COMMANDS) out = command.register(out, ctx);
  return out;
}

function build(argv: string[], ctx: Ctx): Argv {
  const out = ctx.out;
  return registerCommands(yargs(argv), ctx)
    .scriptName('webhook-tui')
    .parserConfiguration({ 'populate--': true })
    .usage('$0 <command> [options]\n\nDurable priority queue from trigger files and webhooks into tmux panes.\nAny config key can be set with a dotted flag, e.g. --queue.capacity 5000.')
    .option('config', { type: 'string', describe: 'config file (default $XDG_CONFIG_HOME/webhook-tui/config.json)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'print data as JSON', global: true })
    .middleware((args) => { ctx.global.config = args.config as string | undefined; })
    .command(['tui', '$0'], 'the dashboard, with the engine embedded (or attached to a running serve)', (y) => y
      .option('split', { type: 'boolean', default: false, describe: 'inside tmux: open the dashboard in a new pane beside this one, which becomes the target' })
      .option('demo', { type: 'boolean', default: false, describe: 'a scratch engine, tmux server and sample triggers to look around' }), async (args) => {
      const config = loadConfig(ctx.global);
      if (args.demo) ctx.code = await runDemo(config);
      else if (args.split) ctx.code = await runSplit(config, ctx.argv, out);
      else ctx.code = await runDashboardCommand(config);
    })
    .command('serve', 'run the engine headless (for systemd)', (y) => y
      .option('quiet', { type: 'boolean', default: false, describe: 'do not copy log lines to stderr (they are in <dataDir>/logs)' }), async (args) => {
      ctx.code = await runEngineUntilSignal(loadConfig(ctx.global), out, undefined, { echo: !args.quiet });
    })
    .command('send [text..]', 'enqueue a command through the spool (works while the engine is down)', (y) => y
      .positional('text', { type: 'string', array: true, describe: 'the command; put it after -- when it starts with -' })
      .option('target', { type: 'string', describe: 'target name (targets.NAME); default: default' })
      .option('priority', { type: 'number', describe: 'higher runs first (-100..100)' })
      .option('category', { type: 'string', describe: 'rate-limit category' })
      .option('id', { type: 'string', describe: 'idempotency key' })
      .option('http', { type: 'boolean', default: false, describe: 'send to the running engine over HTTP (POST /v1/tasks) instead of the spool' })
      .option('url', { type: 'string', describe: 'with --http: base URL (default: the running engine\'s, else http.host:http.port)' }), async (args) => {
      const config = loadConfig(ctx.global);
      const words = [...((args.text as string[] | undefined) ?? []), ...((args['--'] as string[] | undefined) ?? [])];
      const text = words.map(String).join(' ');
      const payload = { command: text, target: args.target, priority: args.priority, category: args.category, id: args.id };
      toTaskRow({ text, target: args.target, priority: args.priority, category: args.category, idemKey: args.id, source: 'cli' }, config, Date.now()); // same checks as the engine: fail here, exit 2
      if (args.http) {
        const result = await sendOverHttp(config, args.url, payload);
        return out.out(args.json ? JSON.stringify(result) : `task ${result.id} ${result.duplicate ? 'already existed' : 'queued'} (${result.state})`);
      }
      prepareSpool(config.spool.dir);
      const path = writeSpoolFile(config.spool.dir, JSON.stringify(payload));
      out.out(args.json ? JSON.stringify({ spooled: path }) : `spooled ${path}`);
    })
    .command('status', 'queue statistics', {}, async (args) => withApi(ctx, async ({ api, via }) => {
      const snapshot = await api.snapshot();
      if (args.json) return out.out(JSON.stringify(snapshot, null, 2));
      const monitor = snapshot.monitor ? `\n\n${formatMonitorStatus(snapshot.monitor)}` : '';
      const logs = snapshot.logs ? `\n${formatLogStatus(snapshot.logs)}` : '';
      const latest = latestReport(loadConfig(ctx.global).dataDir);
      const reports = `\nreports:    ${latest ? `latest weekly report ${latest.path} (${new Date(latest.at).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : 'no weekly report yet'}`;
      out.out(`${formatStats(snapshot.stats)}\nsource:     ${via === 'engine' ? 'running engine' : 'database (no engine running)'}${logs}${reports}${monitor}`);
    }))
    .command('tasks', 'list tasks', (y) => y
      .option('state', { choices: TASK_STATES as unknown as string[], describe: 'only tasks in this state' })
      .option('limit', { type: 'number', default: 50 }), async (args) => withApi(ctx, async ({ api }) => {
      const tasks = await api.listTasks({ state: args.state as TaskState | undefined, limit: args.limit });
      out.out(args.json ? JSON.stringify(tasks, null, 2) : formatTasks(tasks));
    }))
    .command('dlq <action> [id]', 'dead-letter queue: list | retry ID | retry --all | drop ID', (y) => y
      .positional('action', { choices: ['list', 'retry', 'drop'] as const })
      .positional('id', { type: 'string' })
      .option('all', { type: 'boolean', default: false, describe: 'with retry: every dead task' }), async (args) => withApi(ctx, async ({ api }) => {
      if (args.action === 'list') {
        const dead = await api.listTasks({ state: 'dead', limit: 1000 });
        return out.out(args.json ? JSON.stringify(dead, null, 2) : formatDead(dead));
      }
      if (args.action === 'retry' && args.all) {
        const n = await api.retryAllDead();
        return out.out(args.json ? JSON.stringify({ retried: n }) : `${n} dead task(s) queued again`);
      }
      const id = parseId(args.id);
      const task = args.action === 'retry' ? await api.retry(id) : await api.drop(id);
      out.out(args.json ? JSON.stringify(task) : `task ${task.id} is ${task.state}`);
    }))
    .command('metrics <action>', 'monitor history: export --since 24h --format csv|json', (y) => y
      .positional('action', { choices: ['export'] as const })
      .option('since', { type: 'string', default: '24h', describe: 'how far back: 30m, 24h, 7d, ...' })
      .option('format', { choices: ['csv', 'json'] as const, default: 'csv' as const }), async (args) => {
      const config = loadConfig(ctx.global);
      let sinceMs: number;
      try {
        sinceMs = Date.now() - parseDuration(args.since);
      } catch (err) {
        throw new WhtError('WHT_ERR_CONFIG_INVALID', `--since: ${(err as Error).message}`);
      }
      const store = openStore(config);
      try {
        out.out(exportHistory(store.db, { sinceMs, format: args.format }));
      } finally {
        store.close();
      }
    })
    .command('pause', 'pause delivery (survives restarts)', {}, async (args) => withApi(ctx, async ({ api }) => {
      await api.pause();
      out.out(args.json ? JSON.stringify({ paused: true }) : 'queue paused');
    }))
    .command('resume', 'resume delivery', {}, async (args) => withApi(ctx, async ({ api }) => {
      await api.resume();
      out.out(args.json ? JSON.stringify({ paused: false }) : 'queue resumed');
    }))
    .strict()
    .exitProcess(false)
    .fail((msg, err) => { throw err ?? new WhtError('WHT_ERR_CONFIG_INVALID', msg); })
    .help()
    .version();
}

export async function main(argv: string[], out: Out = stdio): Promise<number> {
  const ctx: Ctx = { global: { overrides: [] }, out, code: 0, argv };
  try {
    const { rest, overrides } = extractOverrides(argv);
    ctx.global.overrides = overrides;
    await build(rest, ctx).parseAsync();
    return ctx.code;
  } catch (err) {
    const code = exitCodeFor(err);
    out.err(`webhook-tui: ${nativeModuleHint(err) ?? (err instanceof Error ? err.message : String(err))}`);
    return code;
  }
}
