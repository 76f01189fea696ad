// Lint: TypeScript's recommended rules, plus the one-door rule: pages and
// components never reach the database, keys or the query builder.
import tseslint from 'typescript-eslint';

const dataAccess = {
  patterns: [
    { group: ['kysely', 'kysely/*', 'pg', '@electric-sql/pglite', '@electric-sql/pglite/*'], message: 'UI code reaches data only through operations (lib/*/operations).' },
    { group: ['@/lib/db', '@/lib/db/*', '**/lib/db', '**/lib/db/*'], message: 'UI code reaches data only through operations (lib/*/operations).' },
    { group: ['@/lib/crypto', '@/lib/crypto/*', '**/lib/crypto/*'], message: 'Keys and ciphertext never reach UI code.' },
    { group: ['@/lib/audit/append', '@/lib/examples/seed'], message: 'Operations write audit events; seeds are for setup and the CLI.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', '.data/**', '.test-data/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', dataAccess] },
  },
);
