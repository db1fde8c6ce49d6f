import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { BUILD_DIR, buildForPty, PtyScreen } from '../helpers/pty.js';

let s: PtyScreen | null = null;
beforeAll(() => buildForPty(), 60_000);
afterEach(async () => { await s?.close(); s = null; });

describe('scratch', () => {
  it('dumps screens', async () => {
    for (const [cols, rows] of [[120, 40], [80, 24], [60, 24], [40, 12]] as const) {
      s = new PtyScreen({ args: [path.join(BUILD_DIR, 'test/fixtures/dashboard-fixture.js')], cols, rows });
      await s.waitFor(/delivered|too small/, 8000);
      await new Promise((r) => setTimeout(r, 2500));
      await s.waitFor(() => true);
      console.log(`---- ${cols}x${rows}\n${s.text()}`);
      s.write('q');
      await s.exited;
      await s.close(); s = null;
    }
    expect(1).toBe(1);
  });
});
