import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/engine/errors.js';

describe('README Errors section', () => {
  it('lists every error code with its meaning and retry policy, and nothing else', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('<!-- errors:start -->')[1]?.split('<!-- errors:end -->')[0] ?? '';
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const documented = rows.map((l) => l.split('|').map((c) => c.trim()));
    expect(documented.map((c) => c[1]!.replaceAll('`', ''))).toEqual(Object.keys(ERROR_CODES));
    for (const [, code, doc, retried] of documented) {
      const entry = ERROR_CODES[code!.replaceAll('`', '') as keyof typeof ERROR_CODES];
      expect(doc).toBe(entry.doc);
      expect(retried).toBe(entry.retryable ? 'yes' : 'no');
    }
  });
});
