import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/config/resolve.js';

describe('log.* config', () => {
  it('names every bad log key with what it got', () => {
    let message = '';
    try {
      resolveConfig(
        {
          log: {
            rotateAt: '2am',
            maxBytes: 10,
            importantLevel: 'loud',
            retainDays: -1,
            gzipLevel: 0,
            collapseWindowMs: 1.5,
          },
        },
        {},
      );
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of [
      'log.rotateAt',
      'log.maxBytes',
      'log.importantLevel',
      'log.retainDays',
      'log.gzipLevel',
      'log.collapseWindowMs',
    ])
      expect(message).toContain(key);
    expect(message).toMatch(/log\.rotateAt: .*HH:MM.*\(got "2am"\)/);
  });

  it('refuses unknown log keys', () => {
    expect(() => resolveConfig({ log: { rotate: true } }, {})).toThrow(/log\.rotate: unknown key/);
  });

  it('accepts level off and 0 for the limits that can be switched off', () => {
    const c = resolveConfig(
      { log: { level: 'off', retainDays: 0, maxTotalBytes: 0, collapseWindowMs: 0, rotateAt: '23:59' } },
      {},
    );
    expect(c.log).toMatchObject({
      level: 'off',
      retainDays: 0,
      maxTotalBytes: 0,
      collapseWindowMs: 0,
      rotateAt: '23:59',
    });
  });
});
