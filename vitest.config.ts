import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real tmux servers and engines; two cores here.
    maxWorkers: 2,
    pool: 'forks',
  },
});
