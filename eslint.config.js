import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

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
    // One place prints: src/action/log.ts keeps user text from becoming a workflow command.
    files: ['src/**/*.ts'],
    ignores: ['src/action/log.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['info', 'notice', 'warning', 'error', 'group', 'startGroup', 'debug'].map(property => ({
          object: 'core',
          property,
          message: 'Print through src/action/log.ts.'
        })),
        ...['stdout', 'stderr'].map(property => ({
          object: 'process',
          property,
          message: 'Print through src/action/log.ts.'
        }))
      ]
    }
  }
)
