import { run } from './setup.js'

await run()
