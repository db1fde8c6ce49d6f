import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/main.js';
import { formatAge, formatDead, formatStats, formatTasks } from '../../src/cli/output.js';
import { WhtError, type ErrorCode } from '../../src/engine/errors.js';
import type { QueueStats, Task } from '../../src/engine/types.js';

describe('exitCodeFor', () => {
  it.each<[ErrorCode, number]>([
    ['WHT_ERR_CONFIG_INVALID', 2],
    ['WHT_ERR_ENGINE_RUNNING', 2],
    ['WHT_ERR_SPOOL_UNSAFE', 2],
    ['WHT_ERR_TEXT_UNSAFE', 2],
    ['WHT_ERR_TEXT_EMPTY', 2],
    ['WHT_ERR_BAD_TRIGGER', 2],
    ['WHT_ERR_TOO_LARGE', 2],
    ['WHT_ERR_USAGE', 2],
    ['WHT_ERR_PORT_IN_USE', 2],
    ['WHT_ERR_TARGET_UNKNOWN', 2],
    ['WHT_ERR_HTTP_UNSAFE_BIND', 2],
    ['WHT_ERR_ENGINE_UNREACHABLE', 3],
    ['WHT_ERR_TASK_NOT_FOUND', 1],
    ['WHT_ERR_TASK_STATE', 1],
    ['WHT_ERR_STORAGE', 1],
    ['WHT_ERR_TMUX_FAILED', 1],
    ['WHT_ERR_QUEUE_FULL', 1],
  ])('%s exits %i', (code, exit) => {
    expect(exitCodeFor(new WhtError(code, 'x'))).toBe(exit);
  });

  it('exits 1 for anything that is not a WhtError', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('boom')).toBe(1);
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1.0s'],
    [59_940, '59.9s'],
    [60_000, '1m00s'],
    [61_500, '1m02s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h00m'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d00h'],
    [90_000_000, '1d01h'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('formatAge rounding', () => {
  it('never shows a full unit in the smaller one (no 60s, 60m, 24h) over a sweep', () => {
    for (let ms = 0; ms < 3 * 86_400_000; ms += 4_999) {
      const text = formatAge(ms);
      const m = /^(?:(\d+)d(\d+)h|(\d+)h(\d+)m|(\d+)m(\d+)s|([\d.]+)s|(\d+)ms)$/.exec(text);
      expect(m, `${ms} -> ${text}`).not.toBeNull();
      const [, , h, , mi, , se, sec] = m!;
      if (h !== undefined) expect(Number(h), `${ms} -> ${text}`).toBeLessThan(24);
      if (mi !== undefined) expect(Number(mi), `${ms} -> ${text}`).toBeLessThan(60);
      if (se !== undefined) expect(Number(se), `${ms} -> ${text}`).toBeLessThan(60);
      if (sec !== undefined) expect(Number(sec), `${ms} -> ${text}`).toBeLessThan(60);
    }
  });
});

const task = (over: Partial<Task>): Task => ({
  id: 1,
  text: 'echo hi',
  target: 'default',
  priority: 0,
  category: 'default',
  idemKey: null,
  source: 'spool',
  state: 'queued',
  attempts: 0,
  nextAttemptAt: 0,
  errors: [],
  receivedAt: 0,
  committedAt: 0,
  startedAt: null,
  deliveredAt: null,
  finishedAt: null,
  ...over,
});

describe('formatStats', () => {
  const stats: QueueStats = {
    totalProcessed: 12,
    successful: 10,
    failed: 2,
    failedAttempts: 5,
    retries: 3,
    rateLimited: 4,
    received: 20,
    deduplicated: 1,
    avgProcessingMs: 12.345,
    avgEndToEndMs: 100,
    peakQueueSize: 9,
    depth: {
      queued: 5,
      delivering: 1,
      retrying: 2,
      delivered: 10,
      working: 0,
      completed: 0,
      stalled: 0,
      dead: 2,
      dropped: 0,
      forwarded: 0,
    },
    pending: 8,
    capacity: 1000,
    oldestPendingAgeMs: 61_000,
    paused: true,
  };

  it('shows the old system fields, depth per state and the oldest pending age', () => {
    const text = formatStats(stats);
    expect(text).toContain('PAUSED, 8/1000 pending (queued 5, delivering 1, retrying 2)');
    expect(text).toContain('delivered 10, dead 2, dropped 0');
    expect(text).toContain('processed:  12 (successful 10, failed 2); failed attempts 5, retries 3');
    expect(text).toContain('received:   20 (deduplicated 1, rate limited 4)');
    expect(text).toContain('avg processing 12.35 ms, avg end to end 100.00 ms');
    expect(text).toContain('peak queue: 9; oldest pending 1m01s');
  });

  it('says running and shows - when nothing is pending', () => {
    const text = formatStats({ ...stats, paused: false, oldestPendingAgeMs: 0 });
    expect(text).toContain('queue:      running');
    expect(text).toContain('oldest pending -');
  });
});

describe('formatTasks', () => {
  it('prints a header and one row per task with age and escaped command', () => {
    const text = formatTasks(
      [
        task({
          id: 42,
          state: 'retrying',
          priority: 5,
          target: 'build',
          attempts: 2,
          receivedAt: 0,
          text: 'make\u001b[2J',
        }),
      ],
      90_000,
    );
    const [header, line] = text.split('\n');
    expect(header).toMatch(/^ID\s+STATE\s+PRI\s+TARGET\s+AGE\s+TRIES\s+COMMAND$/);
    expect(line).toMatch(/^42\s+retrying\s+5\s+build\s+1m30s\s+2\s+make\\x1b\[2J$/);
  });

  it('lines every value up under its column header', () => {
    const text = formatTasks(
      [task({ id: 42, state: 'retrying', priority: 5, target: 'build', attempts: 2, receivedAt: 0, text: 'make' })],
      90_000,
    );
    const [header, line] = text.split('\n') as [string, string];
    const end = (s: string, word: string) => s.indexOf(word) + word.length;
    // Left-aligned columns start where their header starts; numeric ones end where their header ends.
    expect(line.indexOf('retrying')).toBe(header.indexOf('STATE'));
    expect(line.indexOf('build')).toBe(header.indexOf('TARGET'));
    expect(line.indexOf('1m30s')).toBe(header.indexOf('AGE'));
    expect(line.indexOf('make')).toBe(header.indexOf('COMMAND'));
    expect(end(line, ' 5 ') - 1).toBe(end(header, 'PRI'));
    expect(end(line, ' 2 ') - 1).toBe(end(header, 'TRIES'));
  });

  it('says so when there are no tasks', () => {
    expect(formatTasks([])).toBe('(no tasks)');
  });
});

describe('formatDead', () => {
  it('shows each dead task with its last error', () => {
    const text = formatDead(
      [
        task({
          id: 7,
          state: 'dead',
          attempts: 3,
          target: 'ops',
          text: 'deploy',
          receivedAt: 0,
          errors: [
            { attempt: 1, at: 1, code: 'WHT_ERR_TARGET_BUSY', message: 'busy' },
            { attempt: 3, at: 2, code: 'WHT_ERR_TARGET_MISSING', message: 'pane %9 does not exist' },
          ],
        }),
      ],
      5000,
    );
    expect(text).toBe(
      '#7 target=ops tries=3 age=5.0s\n  command: deploy\n  error:   WHT_ERR_TARGET_MISSING: pane %9 does not exist',
    );
  });

  it('shows - for a dead task without errors and says when the DLQ is empty', () => {
    expect(formatDead([task({ state: 'dead' })], 0)).toContain('error:   -');
    expect(formatDead([])).toBe('(dead-letter queue is empty)');
  });
});
