/**
 * The page every browser test gets: it records Content-Security-Policy
 * violations, React hydration errors (#418 and friends) and uncaught page
 * errors, and fails the test when any was seen. A CSP that blocks antd's
 * styles or Next's scripts, or a time rendered differently by server and
 * browser, therefore fails whichever test meets it.
 */
import { expect, test as base, type Locator, type Page } from '@playwright/test';

export interface PageProblems {
  list: string[];
}

declare global {
  interface Window {
    fwCspViolations?: string[];
  }
}

export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { list: [] };
  await page.addInitScript(() => {
    window.fwCspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.fwCspViolations?.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error' && /Content Security Policy|Hydration|hydrat|Minified React error #4(18|19|20|21|22|23|25)/i.test(text)) {
      problems.list.push(`console: ${text.slice(0, 300)}`);
    }
  });
  page.on('pageerror', (e) => problems.list.push(`pageerror: ${e.message.slice(0, 300)}`));
  return problems;
}

/** Violations reported inside the page since it was loaded (the console catches those of earlier pages). */
export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.fwCspViolations ?? []).catch(() => []);
}

export const test = base.extend<{ problems: PageProblems }>({
  problems: [
    async ({ page }, use) => {
      const problems = await watchPage(page);
      await use(problems);
      problems.list.push(...(await cspViolations(page)).map((v) => `csp: ${v}`));
      expect(problems.list, 'CSP violations, hydration or page errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/**
 * Chooses `option` in an antd select until the select shows it. A click that lands while the
 * dropdown is still opening (its animation) is lost now and then on a loaded machine (CI saw it
 * in the permission editor and the new-user dialog), so the choice is retried until it shows.
 */
export async function chooseShown(page: Page, select: Locator, option: string): Promise<void> {
  const offered = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: option });
  await expect(async () => {
    if (!(await select.textContent())?.includes(option)) {
      if (!(await offered.count())) await select.click();
      await offered.first().click({ timeout: 2_000 });
    }
    await expect(select).toContainText(option, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}
