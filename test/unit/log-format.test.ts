import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { formatLine, parseLine, readableLine } from '../../src/engine/logs/format.js';
import { formatLogMetrics, formatLogStatus } from '../../src/engine/logs/index.js';

const T = Date.UTC(2026, 2, 10, 14, 2, 11, 532);

describe('log line format', () => {
  it('writes time, level, msg first, then the fields; a field named time does not replace the time', () => {
    const line = formatLine({ at: T, level: 'info', msg: 'task delivered', task: 42, time: 'x' });
    expect(line).toBe(
      '{"time":"2026-03-10T14:02:11.532Z","level":"info","msg":"task delivered","task":42,"field_time":"x"}\n',
    );
  });

  it('keeps a line whose fields JSON cannot encode', () => {
    expect(JSON.parse(formatLine({ at: T, level: 'warn', msg: 'odd', n: 1n }))).toMatchObject({
      msg: 'odd',
      fields: 'unserialisable',
    });
  });

  it('reads our lines, the older `at` form, and text', () => {
    expect(parseLine(formatLine({ at: T, level: 'info', msg: 'm', a: 1 }).trim())).toMatchObject({
      at: T,
      level: 'info',
      msg: 'm',
      fields: { a: 1 },
      json: true,
    });
    expect(parseLine('{"at":1000,"level":"warn","msg":"old"}')).toMatchObject({ at: 1000, level: 'warn', msg: 'old' });
    expect(parseLine('plain text')).toMatchObject({ at: null, json: false, msg: 'plain text' });
  });

  it('prints one readable line with control characters escaped, so a log cannot drive the terminal', () => {
    const p = parseLine(
      formatLine({ at: T, level: 'error', msg: 'bad \u001b[2J', text: 'echo "hi"', code: 'E' }).trim(),
    );
    const text = readableLine(p);
    expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.532 error bad \\x1b\[2J text="echo \\"hi\\"" code=E$/);
    expect(readableLine(parseLine('raw \u0007bell'))).toBe('raw \\x07bell');
  });
});

describe('log status and metrics', () => {
  const status = {
    dir: '/d/logs',
    level: 'info' as const,
    dropped: 7,
    failing: true,
    lastError: 'ENOSPC: no space left on device',
    rotations: 3,
  };
  it('status line says the dir, the state and the dropped count', () => {
    expect(formatLogStatus(status)).toBe(
      'logs:       /d/logs (info), NOT WRITABLE (ENOSPC: no space left on device), 7 line(s) dropped',
    );
  });

  it('/metrics families parse as Prometheus text', () => {
    const families = parsePrometheusTextFormat(formatLogMetrics(status));
    const value = (name: string) => families.find((f) => f.name === name)?.metrics[0];
    expect(families.find((f) => f.name === 'webhook_tui_log_dropped_total')?.type).toBe('COUNTER');
    expect(value('webhook_tui_log_dropped_total')).toMatchObject({ value: '7' });
    expect(value('webhook_tui_log_writable')).toMatchObject({ value: '0' });
    expect(formatLogMetrics(undefined)).toBe('');
  });
});
