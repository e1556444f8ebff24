// The bundle's entry (dist/post/index.js): runs the post step (see src/bin/main.ts).
import { runStep } from '../action/entry.js'
import { run } from '../post.js'

await runStep("venv-guard's post step", run)
