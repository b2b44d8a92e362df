// ESLint for the whole codebase (issue 12): the recommended rules of ESLint and
// typescript-eslint, promises that are neither awaited nor handled on purpose (a lost
// rejection is a lost error, or a write that may not have happened), and React's rules
// of hooks in the renderer. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'release/**', 'docs/**/*.py'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.cts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['src-renderer/vite.config.ts', 'src-renderer/verify-page/vite.config.ts', 'eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // node:test runs what test() and describe() register; their promises are its to await.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      // A leading underscore names what is left out on purpose (a destructured field dropped, a callback's unused argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // Every screen loads its data in an effect: it shows "Loading…", asks the API, then
      // shows the answer or the error. This rule is for state derived from props, which
      // these are not; the hook rules that catch real defects (rules-of-hooks, the
      // dependency lists, refs read during render) stay on.
      'react-hooks/set-state-in-effect': 'off',
      // React ignores what an event handler returns; each async handler here catches its own
      // errors and shows them (the screens' tests provoke them).
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
