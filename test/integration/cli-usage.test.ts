/** Small CLI defects a new user hit (issue 10 item 12), through the built CLI against a real data dir. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('CLI usage errors and formats', () => {
  let tmp: ReturnType<typeof tempDir>;
  let configFile: string;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--config', configFile, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TMUX_PANE: '' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeEach(() => {
    tmp = tempDir('wht-cli-');
    configFile = join(tmp.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: join(tmp.dir, 'data'), spool: { dir: join(tmp.dir, 'spool') } }),
    );
  });
  afterEach(() => tmp.cleanup());

  it.each([
    [['tasks', '--limit', 'abc'], '--limit must be a whole number from 1 to 1000 (got abc)'],
    [['tasks', '--limit', '0'], '--limit must be a whole number from 1 to 1000 (got 0)'],
    [['tasks', '--limit=-5'], '--limit must be a whole number from 1 to 1000 (got -5)'],
    [['tasks', '--limit', '2.5'], '--limit must be a whole number from 1 to 1000 (got 2.5)'],
    [['send', '--priority', 'abc', '--', 'ls'], '--priority must be a whole number from -100 to 100 (got abc)'],
  ])('%j is a usage error: exit 2 naming the flag and the value, no SQL in the message', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/SQL|sqlite|syntax/i);
  });

  it('tasks --limit N lists at most N tasks', () => {
    for (const i of [1, 2, 3]) expect(cli('send', '--', `echo ${i}`).code).toBe(0);
    expect(cli('status').code).toBe(0); // no engine: reads the database; the spool files wait for an engine
    const r = cli('--json', 'tasks', '--limit', '2');
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.out))).toBe(true);
  });

  it('metrics export --json prints JSON; --format csv still wins when given', () => {
    const json = cli('metrics', 'export', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ points: [] });
    const csv = cli('metrics', 'export', '--json', '--format', 'csv');
    expect(() => JSON.parse(csv.out)).toThrow();
  });
});
