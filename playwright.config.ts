import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests against a production build on port 3100, with a fresh
 * embedded database each run (only one process may open a data folder).
 */
// E2E_PORT lets several checkouts run their browser suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  // Never a silent skip: the browser tests are part of the suite.
  throw new Error(`Browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or run bash .ci/run).`);
}
const dataDir = `.test-data/e2e-${Date.now()}`;

export default defineConfig({
  testDir: 'test/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    ...devices['Desktop Chrome'],
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1440, height: 900 },
    // Headless Chromium would send en-US; the product's first language is 简体中文.
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  // The walkthrough is a fresh install's first hour, so it runs first; the other specs build
  // their own world on top of whatever install they find (they create the admin if needed).
  // The permission editor changes the example's grants, so it runs after the specs that use them.
  projects: [
    { name: 'walkthrough', testMatch: /walkthrough\.spec\.ts$/ },
    { name: 'review', testIgnore: /(walkthrough|permission-editor)\.spec\.ts$/ },
    { name: 'editor', testMatch: /permission-editor\.spec\.ts$/ },
  ],
  webServer: {
    command: `npm run build && npm run serve -- -p ${PORT}`,
    url: `http://localhost:${PORT}`,
    // TZ=UTC: the server in another zone than the browser (Asia/Shanghai), as in production,
    // so a time rendered in the process's zone shows up as a hydration error.
    env: { FW_DATA_DIR: dataDir, PORT: String(PORT), NEXTAUTH_URL: `http://localhost:${PORT}`, DATABASE_URL: '', TZ: 'UTC' },
    // E2E_REUSE=1 lets a developer iterate against a server they started (fresh data dir!).
    reuseExistingServer: process.env.E2E_REUSE === '1',
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
