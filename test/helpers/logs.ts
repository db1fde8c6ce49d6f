import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { logConfigSchema, type LogConfig, type LogConfigInput } from '../../src/engine/logs/config.js';
import { LogManager, type LogManagerOptions } from '../../src/engine/logs/manager.js';
import { compareArchives, parseArchiveName } from '../../src/engine/logs/policy.js';

export function logConfig(input: LogConfigInput = {}): LogConfig {
  return logConfigSchema.parse(input);
}

/** A log manager on a real directory; notices are collected instead of printed. */
export function manager(
  dir: string,
  input: LogConfigInput = {},
  extra: Partial<LogManagerOptions> = {},
): { logs: LogManager; notices: string[]; fallback: string[] } {
  const notices: string[] = [];
  const fallback: string[] = [];
  const logs = new LogManager({
    dir,
    config: logConfig(input),
    notice: (t) => notices.push(t),
    fallback: (l) => fallback.push(l),
    ...extra,
  });
  return { logs, notices, fallback };
}

/** Every line of one file, plain or gzip (decompressed). */
export function fileLines(path: string): string[] {
  const buf = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Lines of every file of a series (archives oldest first, then the current file). */
export function seriesLines(dir: string, series: 'engine' | 'important'): string[] {
  const names = listDir(dir)
    .map((name) => ({ name, parsed: parseArchiveName(name) }))
    .filter((f) => f.parsed?.series === series)
    .sort((a, b) => compareArchives(a.parsed!, b.parsed!))
    .map((f) => f.name);
  const current = listDir(dir).includes(`${series}.log`) ? [`${series}.log`] : [];
  return [...names, ...current].flatMap((n) => fileLines(join(dir, n)));
}
