import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const postgresUrl = process.env.TEST_DATABASE_URL;

if (process.env.CI && !postgresUrl) {
  // CI must prove the integration tests on a real PostgreSQL server too.
  throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL integration run cannot be skipped.');
}
if (!postgresUrl) {
  console.warn('\n[formwarden] TEST_DATABASE_URL is not set: integration tests run on PGlite only.\n');
}

const integration = ['test/integration/**/*.test.ts'];

export default defineConfig({
  resolve: {
    alias: [
      // `server-only` throws outside React Server Components; tests run the same
      // server code directly, so they get the empty module the RSC build gets.
      { find: /^server-only$/, replacement: `${root}test/helpers/server-only.ts` },
      { find: /^@\//, replacement: root },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['lib/**/*.test.ts', 'test/*.test.ts', 'test/policy/**/*.test.ts', 'cli/**/*.test.ts', 'components/**/*.test.ts'] },
      },
      { extends: true as const, test: { name: 'pglite', include: integration, env: { FW_TEST_DB: 'pglite' } } },
      ...(postgresUrl
        ? [{ extends: true as const, test: { name: 'postgres', include: integration, env: { FW_TEST_DB: 'postgres', TEST_DATABASE_URL: postgresUrl } } }]
        : []),
    ],
  },
});
