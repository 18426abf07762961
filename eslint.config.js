// Lint configuration: ESLint's and typescript-eslint's recommended rules over the TypeScript and
// JavaScript sources of every package. Bundles, compiled output and test data are not linted.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'algorithm/reference/build/**', '**/dist/**', '**/lib/**', '**/testdata/**', '**/test/data/**', '**/fixtures/**', '.tmp/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
