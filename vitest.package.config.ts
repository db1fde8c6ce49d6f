import { defineConfig } from 'vitest/config';

/** `npm run test:package`: the npm-packed tarball installed into a fresh prefix (test/package). */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
