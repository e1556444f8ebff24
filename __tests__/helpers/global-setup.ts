import * as fs from 'node:fs'
import { WHEELHOUSE } from './paths.js'
import { buildWheelhouse } from '../../scripts/wheelhouse.mjs'

export default function setup(): void {
  fs.rmSync(WHEELHOUSE, { recursive: true, force: true })
  buildWheelhouse(WHEELHOUSE)
}
