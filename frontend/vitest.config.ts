import { defineConfig } from 'vitest/config'

// Unit tests in Node (pages and components in jsdom), with fetch replaced at the client boundary.
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'vite.config.test.ts'],
    environment: 'node',
    restoreMocks: true,
    unstubGlobals: true,
    unstubEnvs: true,
  },
})
