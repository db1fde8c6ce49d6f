import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README examples', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('run the CLI one way: `webhook-tui ...` (installed, or `npx webhook-tui` in a clone), never ./bin or node bin/', () => {
    expect(readme.match(/(?:\.\/bin\/webhook-tui|node (?:\.\/)?bin\/webhook-tui)[^\n]*/g) ?? []).toEqual([]);
  });

  it('link only to files in the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.filter((l) => /^[a-z]+:|^\/\/|^\.\.\//i.test(l))).toEqual([]);
  });
});
