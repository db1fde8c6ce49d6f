import { dirname } from 'node:path';
import { dataPaths } from '../../engine/engine.js';
import { WhtError } from '../../engine/errors.js';
import { parseLine, readableLine, type ParsedLine } from '../../engine/logs/format.js';
import { optimizeLog } from '../../engine/logs/optimize.js';
import { LogFollower, listLogFiles, matchesQuery, readLog, type LogQuery } from '../../engine/logs/reader.js';
import { formatLogStats, logStats } from '../../engine/logs/stats.js';
import { parseDuration } from '../../engine/monitor/index.js';
import { loadConfig } from '../context.js';
import { stdio, type Out } from '../output.js';
import { defineCommand } from './command.js';

interface LogsArgs {
  action?: string;
  file?: string;
  follow: boolean;
  since?: string;
  until?: string;
  level?: string;
  grep?: string;
  task?: number;
  important: boolean;
}

/** `--since 2h` (ago) or a date/time (`2026-03-10`, `2026-03-10T14:00`, ISO 8601). */
export function parseTime(flag: string, text: string, now: number): number {
  try {
    return now - parseDuration(text);
  } catch {
    /* not a duration */
  }
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `--${flag}: expected a duration ago (30m, 2h, 7d) or a date and time (2026-03-10, 2026-03-10T14:00, ISO 8601), got ${JSON.stringify(text)}`,
    );
  return t;
}

export function queryFrom(args: Pick<LogsArgs, 'since' | 'until' | 'level' | 'grep' | 'task'>, now: number): LogQuery {
  let grep: RegExp | undefined;
  if (args.grep !== undefined) {
    try {
      grep = new RegExp(args.grep);
    } catch (err) {
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `--grep: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  if (args.task !== undefined && (!Number.isInteger(args.task) || args.task <= 0))
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `--task: a task id, a positive integer (got ${String(args.task)})`);
  return {
    since: args.since === undefined ? undefined : parseTime('since', args.since, now),
    until: args.until === undefined ? undefined : parseTime('until', args.until, now),
    level: args.level,
    grep,
    task: args.task,
  };
}

/** Writes lines to stdout in chunks, waiting when the pipe is full; stops quietly when the reader goes away (| head). */
function lineSink(out: Out, json: boolean): { write(p: ParsedLine): Promise<void>; end(): void; gone: () => boolean } {
  let buf: string[] = [];
  let size = 0;
  let gone = false;
  const isStdout = out === stdio;
  const flush = async () => {
    if (!buf.length || gone) return;
    const text = `${buf.join('\n')}\n`;
    buf = [];
    size = 0;
    if (isStdout && process.stdout.writableLength > 1 << 20) await new Promise((r) => process.stdout.once('drain', r));
    out.out(text);
  };
  process.stdout.once('error', () => {
    gone = true;
  });
  return {
    async write(p) {
      const line = json ? p.raw : readableLine(p);
      buf.push(line);
      size += line.length;
      if (size > 1 << 16) await flush();
    },
    end: () => void flush(),
    gone: () => gone,
  };
}

async function follow(
  dir: string,
  series: 'engine' | 'important',
  q: LogQuery,
  sink: ReturnType<typeof lineSink>,
): Promise<void> {
  // Open the current file first, then read the archives that existed: a rotation in between is not read twice.
  const follower = new LogFollower(dir, series);
  for await (const p of readLog(dir, q, series, { current: false, skipIno: follower.inode })) await sink.write(p);
  const stop = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  try {
    while (!stopped && !sink.gone()) {
      for (const raw of await follower.poll()) {
        const p = parseLine(raw);
        if (matchesQuery(p, q)) await sink.write(p);
      }
      sink.end();
      await Promise.race([stop, new Promise((r) => setTimeout(r, 200))]);
    }
  } finally {
    follower.close();
  }
}

export const logsCommand = defineCommand<LogsArgs>({
  command: 'logs [action] [file]',
  describe: 'read the engine log (current, rotated and .gz files as one stream); logs stats; logs optimize FILE',
  builder: (y) =>
    y
      .positional('action', {
        choices: ['stats', 'optimize'],
        describe:
          'stats: files, sizes, ratio, span; optimize FILE: gzip a foreign log, collapse repeats, extract important lines',
      })
      .positional('file', { type: 'string', describe: 'with optimize: the file' })
      .option('follow', {
        alias: 'f',
        type: 'boolean',
        default: false,
        describe: 'keep reading as lines are written, across rotations',
      })
      .option('since', { type: 'string', describe: 'from this long ago (30m, 2h, 7d) or this time (2026-03-10T14:00)' })
      .option('until', { type: 'string', describe: 'up to this long ago or this time' })
      .option('level', { choices: ['debug', 'info', 'warn', 'error'], describe: 'this level and above' })
      .option('grep', { type: 'string', describe: 'lines matching this regular expression (JSON or readable form)' })
      .option('task', { type: 'number', describe: 'lines about this task id' })
      .option('important', {
        type: 'boolean',
        default: false,
        describe: 'read important.log (warn and above) instead of engine.log',
      }),
  handler: async (args, ctx) => {
    const config = loadConfig(ctx.global);
    const dir = dirname(dataPaths(config.dataDir).log);
    if (args.action === 'stats') {
      const s = await logStats(dir);
      return ctx.out.out(args.json ? JSON.stringify(s, null, 2) : formatLogStats(s));
    }
    if (args.action === 'optimize') {
      if (!args.file) throw new WhtError('WHT_ERR_CONFIG_INVALID', 'logs optimize: name the FILE to optimize');
      const r = await optimizeLog(args.file, {
        importantLevel: config.log.importantLevel === 'off' ? 'error' : config.log.importantLevel,
        gzipLevel: config.log.gzipLevel,
      });
      return ctx.out.out(args.json ? JSON.stringify(r, null, 2) : formatOptimize(r));
    }
    const q = queryFrom(args, Date.now());
    const series = args.important ? 'important' : 'engine';
    if (!args.follow && listLogFiles(dir, series).length === 0)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `no log files in ${dir} (the engine writes them once it runs; log.level ${config.log.level})`,
      );
    const sink = lineSink(ctx.out, args.json);
    if (args.follow) await follow(dir, series, q, sink);
    else
      for await (const p of readLog(dir, q, series)) {
        if (sink.gone()) break;
        await sink.write(p);
      }
    sink.end();
  },
});

function formatOptimize(r: Awaited<ReturnType<typeof optimizeLog>>): string {
  const lines = [
    `optimized ${r.input}: ${r.linesIn} lines -> ${r.linesOut} (${r.collapsed} consecutive repeats collapsed), ${r.bytesIn} -> ${r.bytesOut} bytes gzip`,
    `  ${r.output}`,
    `  ${r.important} (${r.importantLines} important lines)`,
  ];
  if (r.appendedWhileReading) lines.push(`  ${r.appendedWhileReading} bytes appended while it was read are included`);
  if (r.recreatedBytes)
    lines.push(`  a writer created ${r.input} again meanwhile (${r.recreatedBytes} bytes): left as it is`);
  return lines.join('\n');
}
