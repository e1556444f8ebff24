// The bundle's entry (dist/post/index.js): runs the post step (see src/bin/main.ts).
import { run } from '../post.js'

await run()
