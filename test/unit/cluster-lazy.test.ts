/**
 * Without cluster.redis nothing about Redis is loaded: BullMQ and ioredis are imported by one module only
 * (cluster/bullmq-bus.ts), and that module, and the modules that import it, are reached only through import().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Static (not type-only) imports of a file: the module specifiers. */
function staticImports(text: string): string[] {
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)].map((m) => m[1]!);
}

describe('cluster mode is loaded lazily', () => {
  const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: staticImports(readFileSync(f, 'utf8')) }));

  it('imports bullmq and ioredis in cluster/bullmq-bus.ts only', () => {
    const users = all.filter((f) => f.imports.some((i) => i === 'bullmq' || i === 'ioredis')).map((f) => f.file);
    expect(users).toEqual(['engine/cluster/bullmq-bus.ts']);
  });

  it('reaches the Redis modules only through import(): statically, only node.ts and read-view.ts import the bus', () => {
    const REDIS = /(^|\/)(bullmq-bus|node|read-view)\.js$/;
    const allowed = new Set(['engine/cluster/node.ts', 'engine/cluster/read-view.ts']);
    const offenders = all.flatMap((f) =>
      f.imports
        .filter((i) => REDIS.test(i) && (i.includes('cluster/') || f.file.startsWith('engine/cluster/')))
        .filter((i) => !(allowed.has(f.file) && i === './bullmq-bus.js'))
        .map((i) => `${f.file} -> ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});
