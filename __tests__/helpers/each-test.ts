import { beforeEach } from 'vitest'

// What a step told (src/report/log.ts) is kept for its summary; each test is a step of its own.
// Imported when the test runs, so that the test file's mocks (@actions/core) are in place.
beforeEach(async () => {
  const { forgetTold } = await import('../../src/report/log.js')
  forgetTold()
})
