import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaKeys, type SchemaKey } from '../../src/engine/config/json-schema.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface Row {
  keys: string[];
  defaults: string[];
  link?: string;
}

/** The README "Configuration" table: `a.b` / `c` rows share a parent; defaults `1` / `2` pair with the keys. */
function readmeRows(): Row[] {
  const section = read('README.md').split('\n## Configuration')[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((line) => {
      const [, keyCell = '', defaultCell = ''] = line.split(/(?<!\\)\|/).map((c) => c.trim());
      const parts = keyCell.split(' / ').map((p) => p.replace(/`/g, '').trim());
      const parent = parts[0]!.split('.').slice(0, -1).join('.');
      const keys = parts
        .flatMap((p) => p.split(', '))
        .map((p, i) => (i === 0 || p.includes('.') ? p : `${parent}.${p}`));
      const defaults = defaultCell.split(' / ').map((d) => /`([^`]*)`/.exec(d)?.[1] ?? '');
      const link = /\]\(([^)#]+)/.exec(defaultCell)?.[1];
      return { keys, defaults, ...(link ? { link } : {}) };
    });
}

const covers = (documented: string, key: string) => key === documented || key.startsWith(`${documented}.`);

describe('README Configuration table', () => {
  const schema = schemaKeys();
  const rows = readmeRows();
  const delegated = rows.filter((r) => r.keys.every((k) => k.endsWith('.*')));
  const roots = new Set(delegated.flatMap((r) => r.keys.map((k) => k.slice(0, -2))));

  it('documents every key of the schema, and only keys that exist', () => {
    const documented = rows.filter((r) => !delegated.includes(r)).flatMap((r) => r.keys);
    const missing = schema.filter((s) => !roots.has(s.key.split('.')[0]!) && !documented.some((d) => covers(d, s.key)));
    expect(missing.map((m) => m.key)).toEqual([]);
    const unknown = documented.filter((d) => !schema.some((s) => covers(d, s.key)));
    expect(unknown).toEqual([]);
  });

  it('gives each key the default the schema has', () => {
    const byKey = new Map<string, SchemaKey>(schema.map((s) => [s.key, s]));
    const wrong: string[] = [];
    for (const row of rows) {
      row.keys.forEach((key, i) => {
        const s = byKey.get(key);
        const shown = row.defaults[i] ?? row.defaults[0] ?? '';
        if (!s?.hasDefault) return;
        if (JSON.stringify(s.default) !== shown)
          wrong.push(`${key}: README says ${shown}, schema ${JSON.stringify(s.default)}`);
      });
    }
    expect(wrong).toEqual([]);
  });

  it('sends keys it does not list to a doc that names each of them', () => {
    expect(delegated.length).toBeGreaterThan(0);
    for (const row of delegated) {
      const doc = read(row.link!);
      for (const root of row.keys.map((k) => k.slice(0, -2))) {
        const keys = schema.filter((s) => s.key.startsWith(`${root}.`));
        expect(keys.length).toBeGreaterThan(0);
        // Named in full, relative to the root, or by an enclosing key (`alerts.memory` covers its fields).
        const named = (key: string) => {
          const rel = key.slice(root.length + 1).replace(/^NAME\./, '');
          const parts = rel.split('.');
          return (
            parts.some((_, i) => doc.includes(`\`${parts.slice(0, i + 1).join('.')}\``)) || doc.includes(`\`${key}\``)
          );
        };
        expect(keys.filter((k) => !named(k.key)).map((k) => k.key)).toEqual([]);
      }
    }
  });
});
