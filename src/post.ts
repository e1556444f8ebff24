import { saveCaches } from './cache.js'

await saveCaches()
