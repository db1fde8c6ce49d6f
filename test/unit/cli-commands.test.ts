import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';

function capture(): { out: string[]; err: string[]; io: { out(t: string): void; err(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t) } };
}

describe('CLI commands (src/cli/commands/<name>.ts, one list)', () => {
  it('registers one command per file in src/cli/commands, each once', () => {
    const files = readdirSync(new URL('../../src/cli/commands/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && !['index.ts', 'command.ts'].includes(f))
      .map((f) => f.replace(/\.ts$/, ''));
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...files].sort());
  });

  it('an unknown option is a usage error: exit 2 naming it', async () => {
    const c = capture();
    expect(await main(['status', '--bogus-flag'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/bogus-flag/);
  });
});
