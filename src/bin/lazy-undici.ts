// What @actions/http-client takes from undici, loaded on first use from a bundle of its own.
// @actions/core imports the client for OIDC tokens, which venv-guard never asks for, and only the
// client's getAgentDispatcher makes a ProxyAgent; undici in the main bundle (a megabyte) cost
// every run ~10 ms just to read and compile. tsconfig.json's "paths" points the bundle's `undici` here, by
// that exact key (`undici/*` would bring this file back in place of the real `undici/index.js`);
// scripts/build.mjs bundles undici itself into dist/undici/index.cjs, and entry.test.ts checks
// that the bundles take nothing from this file but what it exports.
import { createRequire } from 'node:module'

type Undici = typeof import('undici/index.js')

/** undici's own bundle, as seen from a bundle in dist/<entry>/ (`base`, its file URL). */
export const UNDICI_BUNDLE = '../undici/index.cjs'

let undici: Undici | undefined

/**
 * undici, required at run time from the bundle's place (webpack leaves createRequire alone); from
 * the sources (a local runner that maps `undici` here too), the package itself.
 */
export function undiciFor(base: string): Undici {
  const require = createRequire(base)
  try {
    return (undici ??= require(UNDICI_BUNDLE) as Undici)
  } catch {
    return (undici ??= require('undici/index.js') as Undici)
  }
}

export const ProxyAgent = class {
  constructor(options: import('undici/index.js').ProxyAgent.Options) {
    return new (undiciFor(import.meta.url).ProxyAgent)(options)
  }
} as unknown as Undici['ProxyAgent']
