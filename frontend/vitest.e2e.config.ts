import { defineConfig } from 'vitest/config'

// Browser tests: the built UI with the real backend, and the dev server's hot reload.
// One file at a time: they start servers and Chromium on a 2-core machine.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 150_000,
    teardownTimeout: 30_000,
  },
})
