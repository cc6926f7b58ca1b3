// Lint: type-aware, zero warnings (npm run lint uses --max-warnings 0).
// The layer rules keep imports pointing inward, as docs/ARCHITECTURE.md describes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Forbid a layer from importing the layers outside it. */
function layer(files, forbidden) {
  return {
    files,
    // Tests beside the code drive the whole node (storage, payments, HTTP) on purpose.
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((dir) => ({
            group: [`**/${dir}/*`, `**/${dir}`],
            message: `This layer must not import from src/${dir} (see docs/ARCHITECTURE.md).`,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'web/dist/', 'coverage/', '.bench/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Tests read JSON answers as the type they expect: a generic used once is the point there.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-parameters': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  layer(['src/domain/**'], ['app', 'storage', 'payments', 'http', 'realtime', 'video', 'sdk', 'cli', 'protocol']),
  layer(['src/protocol/**'], ['app', 'storage', 'payments', 'http', 'realtime', 'video', 'sdk', 'cli']),
  layer(['src/app/**'], ['storage', 'payments', 'http', 'realtime', 'video', 'sdk', 'cli']),
  layer(['src/storage/**', 'src/payments/**'], ['http', 'realtime', 'video', 'sdk', 'cli']),
  layer(['src/http/**', 'src/realtime/**', 'src/video/**'], ['storage', 'payments', 'sdk', 'cli']),
);
