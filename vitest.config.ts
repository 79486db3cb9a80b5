import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    globalSetup: ['./test/support/temp-root.ts'],
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
