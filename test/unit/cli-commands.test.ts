import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';

function capture(): { out: string[]; err: string[]; io: { out(t: string): void; err(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t) } };
}

describe('CLI commands (src/cli/commands/<name>.ts, one list)', () => {
  it('registers every file in src/cli/commands through the one list, each command once', () => {
    const dir = new URL('../../src/cli/commands/', import.meta.url);
    // Files that define a command (helpers beside them, e.g. loadtest-options.ts, define none).
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && readFileSync(new URL(f, dir), 'utf8').includes('defineCommand('))
      .filter((f) => f !== 'command.ts');
    const index = readFileSync(new URL('index.ts', dir), 'utf8');
    for (const f of files) expect(index, f).toContain(`from './${f.replace(/\.ts$/, '.js')}'`);
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(files.length);
  });

  it('an unknown option is a usage error: exit 2 naming it', async () => {
    const c = capture();
    expect(await main(['status', '--bogus-flag'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/bogus-flag/);
  });
});
