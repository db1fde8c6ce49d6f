import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The packed-and-installed package (minutes: npm install, native build): `npm run test:package`, run by .ci/run.
    exclude: ['test/package/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real tmux servers and engines; two cores here.
    maxWorkers: 2,
    pool: 'forks',
  },
});
