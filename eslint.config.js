// Lint configuration: ESLint's and typescript-eslint's recommended rules over the TypeScript and
// JavaScript sources of every package. Bundles, compiled output and test data are not linted.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'algorithm/reference/build/**',
      '**/dist/**',
      '**/lib/**',
      '**/testdata/**',
      '**/test/data/**',
      '**/fixtures/**',
      '.tmp/**',
      'coverage/**',
      'examples/*/processing-containers/*/app/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The algorithm package stands alone (its container is a bundle of it): no toolkit imports.
    files: ['algorithm/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kaapana-ext/*'],
              message: 'algorithm/ stands alone: use its own src/errors.ts (OtsuError) and src/atomic-write.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain package carries no GitHub Actions runtime, and starts processes only through its Exec.
    files: ['packages/core/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*', '@kaapana-ext/actions-kit', '@kaapana-ext/actions-kit/*'],
              message: 'packages/core is the pure domain package: Actions glue belongs in packages/actions-kit.',
            },
          ],
          paths: [{ name: 'node:child_process', message: 'start processes through core/exec (Exec, nodeExec).' }],
        },
      ],
    },
  },
  {
    // Functions read as named phases: none over 60 lines in product code. A longer one needs its
    // reason next to it (an eslint-disable-next-line comment with the reason after `--`).
    files: ['packages/*/src/**', 'action-*/src/**', 'algorithm/src/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
);
