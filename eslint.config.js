import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'
import * as fs from 'node:fs'

/**
 * src/'s floors, lowest first (docs/architecture.md): a module imports only from its own folder
 * and from folders on lower floors. Folders on one floor do not import each other.
 */
const FLOORS = [
  ['report'],
  ['platform'],
  ['python'],
  ['venv'],
  ['pip'],
  ['annotations'],
  ['guard', 'cache'],
  ['install'],
  ['action']
]

// A new folder gets its floor here before it lints (src/bin/ holds the entry points, above all).
const unplaced = fs
  .readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter(
    entry => entry.isDirectory() && entry.name !== 'bin' && !FLOORS.flat().includes(entry.name)
  )
if (unplaced.length > 0)
  throw new Error(`eslint.config.js: give src/${unplaced[0].name}/ a floor in FLOORS.`)

/**
 * For each folder, the imports that would point up or sideways.
 * @type {import('typescript-eslint').ConfigArray}
 */
const layerRules = FLOORS.flatMap((floor, level) =>
  floor.map(folder => {
    const above = [...FLOORS.slice(level + 1).flat(), ...floor.filter(f => f !== folder)]
    return {
      files: [`src/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: [...above.map(f => `../${f}/*`), '../main.js', '../post.js', '../bin/*'],
                message: `src/${folder}/ may import only from its own folder and lower floors (docs/architecture.md, "Layers").`
              }
            ]
          }
        ]
      }
    }
  })
)

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.bench/',
      'example/.venv/',
      'example/.runner/',
      'example/.cache/',
      'example/.wheelhouse*/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    // One place prints: src/report/log.ts keeps user text from becoming a workflow command.
    files: ['src/**/*.ts'],
    ignores: ['src/report/log.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['info', 'notice', 'warning', 'error', 'group', 'startGroup', 'debug'].map(property => ({
          object: 'core',
          property,
          message: 'Print through src/report/log.ts.'
        })),
        ...['stdout', 'stderr'].map(property => ({
          object: 'process',
          property,
          message: 'Print through src/report/log.ts.'
        }))
      ]
    }
  },
  ...layerRules,
  {
    // The runner's files change only in src/action/ (outputs, state, later steps' environment),
    // called from the two steps; a secret is registered by report/secrets.ts or an input's reader.
    files: ['src/**/*.ts'],
    ignores: ['src/action/**', 'src/report/secrets.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='core'][callee.property.name=/^(setOutput|exportVariable|addPath|saveState|setSecret)$/]",
          message:
            'Effects on the runner go through src/action/, called from src/main.ts or src/post.ts.'
        }
      ]
    }
  }
)
