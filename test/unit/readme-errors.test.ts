import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/main.js';
import { ERROR_CODES, WhtError, type ErrorCode } from '../../src/engine/errors.js';
import { toHttpError } from '../../src/engine/intake/http/responses.js';

describe('README Errors section', () => {
  it('lists every error code with its meaning, exit code, HTTP status and retry policy, and nothing else', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('<!-- errors:start -->')[1]?.split('<!-- errors:end -->')[0] ?? '';
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const documented = rows.map((l) => l.split('|').map((c) => c.trim()));
    expect(documented.map((c) => c[1]!.replaceAll('`', ''))).toEqual(Object.keys(ERROR_CODES));
    for (const [, code, doc, exit, http, retried] of documented) {
      const entry = ERROR_CODES[code!.replaceAll('`', '') as keyof typeof ERROR_CODES];
      expect(doc).toBe(entry.doc);
      expect(exit).toBe(String(entry.exit));
      expect(http).toBe(String(entry.http));
      expect(retried).toBe(entry.retryable ? 'yes' : 'no');
    }
  });

  it("the CLI exits and the HTTP server answers with the registry's numbers for every code", () => {
    for (const [code, entry] of Object.entries(ERROR_CODES) as Array<[ErrorCode, (typeof ERROR_CODES)[ErrorCode]]>) {
      const err = new WhtError(code, 'x');
      expect(exitCodeFor(err), code).toBe(entry.exit);
      expect(toHttpError(err, 1).status, code).toBe(entry.http);
    }
    expect(exitCodeFor(new Error('not ours'))).toBe(1);
  });
});
