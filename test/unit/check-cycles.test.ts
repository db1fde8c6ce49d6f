import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-cycles.mjs', import.meta.url));

describe('check-cycles (npm run check:cycles)', () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => tmp?.cleanup());

  it('fails on a cycle made of type-only imports and names its files', () => {
    tmp = tempDir('wht-cycles-');
    mkdirSync(join(tmp.dir, 'sub'));
    writeFileSync(join(tmp.dir, 'a.ts'), "import type { B } from './sub/b.js';\nexport interface A { b: B }\n");
    writeFileSync(join(tmp.dir, 'sub', 'b.ts'), "import type { A } from '../a.js';\nexport interface B { a?: A }\n");
    writeFileSync(join(tmp.dir, 'c.ts'), "import type { A } from './a.js';\nexport type C = A;\n");
    const r = spawnSync(process.execPath, [SCRIPT, tmp.dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('import cycle among 2 files');
    expect(r.stderr).toMatch(/a\.ts -> .*sub\/b\.ts/);
    expect(r.stderr).not.toMatch(/c\.ts ->/);
  });

  it('with --folders, fails on folders of engine/ that import each other although no file cycle closes', () => {
    tmp = tempDir('wht-cycles-');
    for (const d of ['engine/a', 'engine/b']) mkdirSync(join(tmp.dir, d), { recursive: true });
    writeFileSync(
      join(tmp.dir, 'engine/a/one.ts'),
      "import type { Two } from '../b/two.js';\nexport type One = Two;\n",
    );
    writeFileSync(join(tmp.dir, 'engine/b/two.ts'), 'export type Two = string;\n');
    writeFileSync(
      join(tmp.dir, 'engine/b/three.ts'),
      "import type { One } from '../a/one.js';\nexport type Three = One;\n",
    );
    expect(spawnSync(process.execPath, [SCRIPT, tmp.dir], { encoding: 'utf8' }).status).toBe(0);
    const r = spawnSync(process.execPath, [SCRIPT, tmp.dir, '--folders'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/folder cycle in .*engine: (a <-> b|b <-> a)/);
  });

  it('passes on the shipped sources, files and folders', () => {
    const src = fileURLToPath(new URL('../../src', import.meta.url));
    const out = execFileSync(process.execPath, [SCRIPT, src, '--folders'], { encoding: 'utf8' });
    expect(out).toMatch(/no import cycles/);
  });
});
