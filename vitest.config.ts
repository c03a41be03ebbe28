import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Memory tests (RSS/heap bounds) force full collections between measurements instead of guessing
    // when V8 collects.
    execArgv: ['--expose-gc'],
  },
});
