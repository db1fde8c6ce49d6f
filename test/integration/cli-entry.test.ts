import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('bin/webhook-tui before npm ci', () => {
  const tmp = tempDir();
  afterEach(() => tmp.cleanup());

  it('prints one line saying to run npm ci, and exits 1', () => {
    mkdirSync(join(tmp.dir, 'bin'));
    copyFileSync(BIN, join(tmp.dir, 'bin', 'webhook-tui'));
    const r = spawnSync(process.execPath, [join(tmp.dir, 'bin', 'webhook-tui'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `webhook-tui: not built yet: run \`npm ci\` in ${tmp.dir} first (it installs the dependencies and builds dist/)`,
    ]);
  });
});
