// The bundle's entry (dist/main/index.js): runs the main step. src/main.ts only exports run(), so
// that a local runner (@github/local-action) can import it and call run() itself.
import { runStep } from '../action/entry.js'
import { run } from '../main.js'

await runStep('venv-guard', run)
