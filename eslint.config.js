// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Packages that belong to the edges (bot, tab, HTTP server), never to the shared core. */
const edgePackages = [
  'botbuilder',
  'botbuilder-*',
  'botframework-*',
  'restify',
  'restify-*',
  'react',
  'react-dom',
  'react-dom/*',
  '@fluentui/*',
  '@microsoft/teams-js',
  'adaptivecards',
  'adaptivecards-*',
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'tab/dist/', 'data/', 'coverage/', 'test-artifacts/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-undef': 'off',
    },
  },
  {
    // The shared core knows nothing of its edges: no bot, tab or server code, no edge frameworks.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: edgePackages,
              message: 'src/ is the shared core: edge frameworks belong in bot/, tab/ or server/.',
            },
            {
              group: [
                '**/bot/**',
                '**/tab/**',
                '**/server/**',
                '../../bot',
                '../../tab',
                '../../server',
              ],
              message: 'src/ must not import from bot/, tab/ or server/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The tab's browser code talks to the server over /api/*: it may import only *types* from src/.
    files: ['tab/src/**/*.ts', 'tab/src/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/**', '!./**'],
              allowTypeImports: true,
              message: 'The tab imports only types from src/; call the server over /api instead.',
            },
            {
              group: ['**/bot/**', '**/server/**', 'botbuilder', 'restify'],
              message: 'The tab is browser code.',
            },
          ],
        },
      ],
    },
  },
  {
    // botbuilder lives behind one thin module so a move to its successor touches one place.
    files: ['bot/**/*.ts'],
    ignores: ['bot/bot-framework.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['botbuilder', 'botbuilder-*', 'botframework-*'],
              allowTypeImports: false,
              message: 'Import botbuilder only in bot/bot-framework.ts.',
            },
            {
              group: ['react', '@fluentui/*', '**/tab/**'],
              message: 'The bot does not use the tab.',
            },
          ],
        },
      ],
    },
  },
);
