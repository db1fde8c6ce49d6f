import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logConfigSchema } from '../../src/engine/logs/config.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration table: log.*', () => {
  const defaults = logConfigSchema.parse({}) as Record<string, unknown>;
  it.each(Object.entries(defaults))('documents log.%s with its default', (key, value) => {
    const row = README.split('\n').find((l) => l.startsWith(`| \`log.${key}\` |`));
    expect(row, `README row for log.${key}`).toBeDefined();
    expect(row!.split('|')[2]!.trim()).toMatch(new RegExp(`^\`${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
  });

  it('has no row for a key the schema does not have', () => {
    const rows = README.split('\n').map((l) => /^\| `log\.([A-Za-z]+)` \|/.exec(l)?.[1]).filter(Boolean);
    expect(rows.sort()).toEqual(Object.keys(defaults).sort());
  });
});
