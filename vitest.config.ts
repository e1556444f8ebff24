import { defineConfig } from 'vitest/config'

// Integration tests spawn real interpreters and pip; they are slow and share the machine's two cores.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ['__tests__/helpers/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
