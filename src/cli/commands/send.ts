import type { Config } from '../../engine/config/schema.js';
import { WhtError } from '../../engine/errors.js';
import { dataPaths, engineHttpUrl } from '../../engine/data-dir.js';
import { httpEnqueue, readToken, type HttpEnqueueResult, type HttpTaskInput } from '../../engine/intake/http/index.js';
import { prepareSpool } from '../../engine/intake/spool-dirs.js';
import { writeSpoolFile } from '../../engine/intake/spool-writer.js';
import { intOption } from '../options.js';
import { sendPayload } from '../send-input.js';
import { loadConfig } from '../context.js';
import { waitForTask } from '../wait.js';
import { parseDuration } from '../../engine/monitor/export.js';
import { randomBytes } from 'node:crypto';
import type { Out } from '../output.js';
import type { Task } from '../../engine/types.js';
import { defineCommand } from './command.js';

function timeoutOption(raw: unknown): number {
  try {
    const ms = parseDuration(String(raw));
    if (ms > 0) return ms;
  } catch {
    /* the message below */
  }
  throw new WhtError('WHT_ERR_USAGE', `--timeout must be a duration such as 90s, 10m or 2h (got ${String(raw)})`);
}

/** What `send --wait` prints for an ended task: its output (or the task as JSON with --json). */
function printEnded(out: Out, task: Task, json: boolean): void {
  if (json) return out.out(JSON.stringify(task));
  if (task.output) out.out(task.output);
}

async function sendOverHttp(config: Config, url: string | undefined, task: HttpTaskInput): Promise<HttpEnqueueResult> {
  const token = await readToken(config.dataDir);
  if (!token)
    throw new WhtError(
      'WHT_ERR_ENGINE_UNREACHABLE',
      `no token in ${dataPaths(config.dataDir).token}: start the engine once (it creates it)`,
    );
  return httpEnqueue({ url: url ?? engineHttpUrl(config), token, task });
}

export const sendCommand = defineCommand({
  command: 'send [text..]',
  describe: 'enqueue a command through the spool (works while the engine is down)',
  builder: (y) =>
    y
      .positional('text', {
        type: 'string',
        array: true,
        describe: 'the command (- reads it from stdin); put it after -- when it starts with -',
      })
      .option('target', { type: 'string', describe: 'target name (targets.NAME); default: default' })
      .option('priority', { type: 'string', describe: 'higher runs first (-100..100)' })
      .option('category', { type: 'string', describe: 'rate-limit category' })
      .option('id', { type: 'string', describe: 'idempotency key' })
      .option('callback', {
        type: 'string',
        describe: "POST the task's state changes to this URL, signed (callbacks.secretEnv/secretFile)",
      })
      .option('http', {
        type: 'boolean',
        default: false,
        describe: 'send to the running engine over HTTP (POST /v1/tasks) instead of the spool',
      })
      .option('url', {
        type: 'string',
        describe: "with --http: base URL (default: the running engine's, else http.host:http.port)",
      })
      .option('wait', {
        type: 'boolean',
        default: false,
        describe:
          'wait until the task completed and print its output; exit 1 with the reason when it is dead or stalled',
      })
      .option('timeout', { type: 'string', default: '10m', describe: 'with --wait: give up after this long (exit 1)' }),
  handler: async (args, ctx) => {
    const config = loadConfig(ctx.global);
    let words = [...((args.text as string[] | undefined) ?? []), ...((args['--'] as string[] | undefined) ?? [])].map(
      String,
    );
    if (words.length === 0 && ctx.argv.includes('-')) words = ['-']; // yargs drops a bare '-': stdin
    const priority = args.priority === undefined ? undefined : intOption('--priority', args.priority, -100, 100);
    const timeoutMs = args.wait ? timeoutOption(args.timeout) : 0;
    // --wait finds the task by its idempotency key: one is made when none is given
    const id = args.id ?? (args.wait ? `send-${Date.now()}-${randomBytes(6).toString('hex')}` : undefined);
    // the engine's checks, the spool's size limit: fail here, exit 2, nothing spooled
    const { payload, json } = sendPayload(
      { words, target: args.target, priority, category: args.category, id },
      config,
    );
    if (args.http) {
      const result = await sendOverHttp(config, args.url, payload);
      if (args.wait)
        return printEnded(ctx.out, await waitForTask(ctx.global, { id: result.id, key: id! }, timeoutMs), args.json);
      return ctx.out.out(
        args.json
          ? JSON.stringify(result)
          : `task ${result.id} ${result.duplicate ? 'already existed' : 'queued'} (${result.state})`,
      );
    }
    prepareSpool(config.spool.dir);
    const path = writeSpoolFile(config.spool.dir, json);
    if (args.wait) return printEnded(ctx.out, await waitForTask(ctx.global, { key: id! }, timeoutMs), args.json);
    ctx.out.out(args.json ? JSON.stringify({ spooled: path }) : `spooled ${path}`);
  },
});
