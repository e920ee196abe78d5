import { defineConfig } from 'vitest/config'

// Unit tests: stores and the API client, in Node with fetch replaced at the boundary.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'vite.config.test.ts'],
    environment: 'node',
    restoreMocks: true,
    unstubGlobals: true,
    unstubEnvs: true,
  },
})
