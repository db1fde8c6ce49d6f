import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.bench-out/**', '.e2e-build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        performance: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine never sees UI code: dependencies point bin -> cli -> tui -> (engine, widgets).
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['blessed', 'blessed-contrib', 'neo-blessed'],
              message: 'src/engine must not import UI libraries.',
            },
            {
              group: ['**/tui/**', '**/widgets/**', '**/cli/**'],
              message: 'src/engine must not import tui, widgets or cli.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/widgets/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/engine/**', '**/tui/**', '**/cli/**'], message: 'widgets take plain data only.' }],
        },
      ],
    },
  },
);
