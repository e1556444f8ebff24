import { defineConfig } from 'vitest/config'

// Integration tests spawn real interpreters and pip; they are slow and share the machine's two cores.
// The timeouts only catch a hang: a loaded machine can make one action run take minutes.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    globalSetup: ['__tests__/helpers/global-setup.ts'],
    setupFiles: ['__tests__/helpers/each-test.ts'],
    // GitHub's workflow parser imports its JSON schemas without an import attribute, which Node
    // refuses; transformed by vite, as the tests' own code is, it loads.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
