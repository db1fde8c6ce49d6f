import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateToken, readToken, tokenPath } from '../../src/engine/intake/http/token.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wht-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateToken', () => {
  it('creates a 0600 token on first start and returns the same one afterwards', async () => {
    const data = join(dir, 'data');
    expect(await readToken(data)).toBeUndefined();
    const t1 = await loadOrCreateToken(data);
    expect(t1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(tokenPath(data)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(data)).toBe(t1);
    expect(await readToken(data)).toBe(t1);
  });

  it('concurrent first starts agree on one token and see it whole', async () => {
    for (let round = 0; round < 20; round++) {
      rmSync(tokenPath(dir), { force: true });
      const tokens = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateToken(dir)));
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]!.length).toBeGreaterThanOrEqual(40);
    }
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('refuses a token file readable by others, or a symlink', async () => {
    writeFileSync(tokenPath(dir), 'x'.repeat(40));
    chmodSync(tokenPath(dir), 0o644);
    await expect(loadOrCreateToken(dir)).rejects.toThrow(/readable by other users/);
    rmSync(tokenPath(dir));
    writeFileSync(join(dir, 'elsewhere'), 'y'.repeat(40), { mode: 0o600 });
    symlinkSync(join(dir, 'elsewhere'), tokenPath(dir));
    await expect(readToken(dir)).rejects.toThrow(/symlink/);
  });
});
