import { defineConfig } from 'vitest/config'

// Integration tests spawn real interpreters and pip; they are slow and share the machine's two cores.
// The timeouts only catch a hang: a loaded machine can make one action run take minutes.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    globalSetup: ['__tests__/helpers/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
