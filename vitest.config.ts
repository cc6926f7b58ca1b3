import { defineConfig } from 'vitest/config';

// Tests beside the code (src/**/*.test.ts) plus cross-cutting suites in test/.
// Database suites open their own files/schemas, so files may run in parallel on the 2 cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
