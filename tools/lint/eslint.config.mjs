// ESLint's flat config for the whole repository, run by `npm run lint` (scripts/lint.mjs) with
// `--config tools/lint/eslint.config.mjs` from the repository root. It lives here, next to the
// packages it loads, because those are installed in tools/lint/node_modules (see package.json).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CDK = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'constructs/*'];
const RUNTIMES = 'One folder per runtime: see CONTRIBUTING.md, "Where each file runs".';

/** Imports of the CDK: synth-time code, which a backend or the handler must never load. */
const noCdk = (who) => ({ group: CDK, message: `${who} never imports aws-cdk-lib or constructs. ${RUNTIMES}` });

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      'lib/**/*.js',
      'lib/tokens.mjs', // the ES module build of ./tokens (scripts/build-tokens-esm.mjs)
      '**/*.d.ts',
      '**/*.d.mts',
      'assets/',
      'dist/',
      '**/cdk.out/',
      'test/*.snapshot/',
      'test/languages/**/target/',
      'tools/python/.venv/',
      '.jsii',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The code base uses `require()` where loading must be lazy or fresh (jose, the shipped bundle).
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['**/*.cjs', 'jest*.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['test/**/*.ts', 'tools/stand-ins/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    // Tests read untyped JSON (templates, asset manifests, package-lock.json) and index into it.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Imports one way (CONTRIBUTING.md): the backend and the shared code run without the CDK; the handler
  // runs in Lambda with lib/shared only.
  {
    files: ['lib/backend/**/*.ts', 'lib/tokens.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noCdk('Backend code (lib/backend, lib/tokens.ts)'),
            {
              regex: '^\\.\\.?/(\\.\\./)*(construct(/|$)|index$)|^\\.\\.?/?$',
              message: `Backend code never imports the construct (lib/construct, lib/index.ts). ${RUNTIMES}`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noCdk('Shared code (lib/shared)'),
            {
              regex:
                '^\\.\\.?/(\\.\\./)*(construct|backend)(/|$)|^\\.\\.?/(\\.\\./)*(index|tokens)$|^\\.\\.?/?$|^\\.\\./\\.\\.',
              message: `Shared code imports only node: modules and lib/shared. ${RUNTIMES}`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            noCdk('The handler (lambda/)'),
            {
              regex: '^(\\.\\./)+lib(/(construct|backend)(/|$)|/index$|/tokens$|/?$)',
              message: `The handler imports only lib/shared from lib/. ${RUNTIMES}`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.{ts,mts,mjs,cjs}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+test(/|$)',
              message: `A script never imports from test/: what scripts and tests share lives in tools/stand-ins. ${RUNTIMES}`,
            },
          ],
        },
      ],
    },
  },
);
