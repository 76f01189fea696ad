/**
 * The first visit of a browser run, shared by the specs: whichever spec runs
 * first creates the admin with the 客户管理 example through the setup page and
 * keeps the example accounts' initial passwords, which that page shows once.
 * The state is kept in a file of this run's output folder (Playwright empties
 * it at the start of a run), so it survives a worker restarted after a failure.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';

export const ADMIN = { name: '王敏', email: 'admin@example.com', password: 'Admin2026x' };
export const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

const STATE = 'test-results/first-run.json';
const saved = existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as Record<string, string>) : undefined;

/** Current password per account; example accounts start with the ones shown on the setup result. */
export const passwords = {
  map: new Map<string, string>(Object.entries(saved ?? { [ADMIN.email]: ADMIN.password })),
  get(email: string) {
    return this.map.get(email);
  },
  set(email: string, password: string) {
    this.map.set(email, password);
    mkdirSync('test-results', { recursive: true });
    writeFileSync(STATE, JSON.stringify(Object.fromEntries(this.map)));
  },
  values() {
    return this.map.values();
  },
};

export async function setUpOnce(page: Page): Promise<void> {
  if (existsSync(STATE) && passwords.map.size > 1) return;
  await page.goto('/');
  await page.waitForURL('**/setup');
  await shot(page, '01-setup');
  await page.getByLabel('姓名').fill(ADMIN.name);
  await page.getByLabel('邮箱').fill(ADMIN.email);
  await page.getByLabel('密码', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('确认密码').fill(ADMIN.password);
  await expect(page.getByRole('checkbox')).toBeChecked();
  await page.getByRole('button', { name: /创建管理员/ }).click();
  await expect(page.getByText('初始化完成')).toBeVisible({ timeout: 30_000 });
  const accounts = page.getByTestId('example-account');
  await expect(accounts).toHaveCount(8);
  for (const text of await accounts.allInnerTexts()) {
    const email = /[\w.-]+@example\.com/.exec(text)?.[0];
    const password = /[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}/.exec(text)?.[0];
    expect(email && password, text).toBeTruthy();
    passwords.set(email!, password!);
  }
  // Eight example accounts, each with its own password, none of them the admin's.
  expect(new Set(passwords.values()).size).toBe(9);
  await shot(page, '01b-setup-done');
  await page.getByTestId('enter-app').click();
  await page.waitForURL('**/apps');
}

/** Fills the change-password form (forced or from the settings page). */
export async function changePassword(page: Page, current: string, next: string) {
  await page.getByLabel('当前密码').fill(current);
  await page.getByLabel('新密码', { exact: true }).fill(next);
  await page.getByLabel('确认新密码').fill(next);
  await page.getByTestId('change-password-submit').click();
}

/**
 * Signs in; an account whose password someone else chose lands on the forced
 * change first, which this helper completes with a password of its own.
 */
export async function signIn(page: Page, email: string, password = passwords.get(email)!) {
  await page.goto('/sign-in');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await page.locator('button[type=submit]').click();
  // The client goes to /apps first; the server may then send it on to the forced change.
  const forced = page.getByRole('heading', { name: '请设置你自己的密码' });
  await page.getByTestId('user-menu').or(forced).waitFor();
  if (await forced.isVisible()) {
    const mine = `${password}-Own7`;
    await changePassword(page, password, mine);
    await page.waitForURL('**/apps');
    passwords.set(email, mine);
  }
}

/** A mainland mobile number as masked on every page: 138****5678. */
export const MASKED_PHONE = /^1[3-9]\d\*{4}\d{4}$/;

/** Opens the example's 客户 list from the workbench. */
export async function openCustomers(page: Page): Promise<void> {
  await page.goto('/apps');
  await page.getByTestId('app-cards').getByText('客户', { exact: true }).first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
}
