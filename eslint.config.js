// Typed rules need the TypeScript compiler API, which is why the project pins typescript 5.9.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { noImportCycle } from './eslint/no-import-cycle.js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'migrations/**', 'test-artifacts/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify plugins and handlers are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @paperboy/config.' },
      ],
    },
  },
  {
    // Modules that import each other, even for types only, are one module split in two: the
    // shared part belongs in a module both import.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX, paperboy: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })] },
    // import-x follows imports across packages but skips type-only ones; the local rule follows
    // relative imports of every kind.
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }], 'paperboy/no-import-cycle': 'error' },
  },
  {
    files: ['packages/config/src/**', '**/*.test.ts', 'packages/testing/src/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['eslint.config.js', 'eslint/**/*.js'], ...tseslint.configs.disableTypeChecked },
);
