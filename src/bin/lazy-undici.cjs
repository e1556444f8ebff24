// What @actions/http-client takes from undici, loaded on first use. @actions/core imports the
// client for OIDC tokens, which venv-guard never asks for: loading undici (a megabyte) at start
// costs every run ~15 ms, and only the client's getAgentDispatcher makes a ProxyAgent.
// tsconfig.json's "paths" points the bundle's `undici` here, by that exact key (`undici/*` would
// bring this file back in place of the real `undici/index.js`); entry.test.ts checks that the
// bundles take nothing from it but what it exports.
/** @type {typeof import('undici/index.js') | undefined} */
let undici

exports.ProxyAgent = class ProxyAgent {
  /** @param {import('undici/index.js').ProxyAgent.Options} options */
  constructor(options) {
    // A require, not an import: webpack then evaluates undici here, on this first call.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    undici ??= require('undici/index.js')
    return new undici.ProxyAgent(options)
  }
}
