/**
 * A newcomer's first hour, in Chromium, in Chinese: create the admin with
 * the 客户管理 example, look at the builder, sign in as a salesperson, see
 * only their own customers, fail and then pass validation, and meet a 404
 * for a colleague's customer. Screenshots land in screenshots/.
 */
import type { Page } from '@playwright/test';
// Every page of the walkthrough is watched for CSP violations and hydration errors.
import { expect, test } from './fixtures';
import { ADMIN, setUpOnce, shot, signIn } from './first-run';

test.describe.configure({ mode: 'serial' });

async function signOut(page: Page) {
  await page.context().clearCookies();
}

test('first visit creates the admin and loads the example', async ({ page }) => {
  // The setup page, its example accounts and their own passwords (first-run.ts).
  await setUpOnce(page);
  // Another spec of this run may have done the first visit already.
  if (!page.url().endsWith('/apps')) await signIn(page, ADMIN.email);
  // Admin rights configure; they do not open customer data.
  await expect(page.getByTestId('app-cards')).toHaveCount(0);
});

test('the admin sees the builder with the 客户 form', async ({ page }) => {
  await signIn(page, ADMIN.email);
  await page.goto('/admin/forms');
  await expect(page.getByText('客户', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: /设计/ }).first().click();
  await page.waitForURL('**/builder');
  await expect(page.getByText('手机号').first()).toBeVisible();
  await expect(page.getByText('身份证号').first()).toBeVisible();
  await shot(page, '02-builder');
});

/** A name no other test (or earlier run against the same server) has used. */
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Opens the 客户 app of the signed-in user; returns its list URL. */
async function openCustomers(page: Page): Promise<string> {
  await page.getByTestId('app-cards').getByText('客户').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  return page.url();
}

/** Creates a customer through the form as the signed-in user; returns the record's URL. */
async function createCustomer(page: Page, listUrl: string, name: string): Promise<string> {
  await page.goto(listUrl);
  await page.getByTestId('new-record').click();
  await page.waitForURL('**/new');
  await page.getByLabel('客户名称').fill(name);
  await page.getByLabel('联系人').fill('李雷');
  await page.getByLabel('手机号').fill('13912345678');
  await page.getByTestId('record-form-submit').click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  return page.url();
}

/** The list filtered by the search box's parameter: counts only what this test created. */
async function expectFound(page: Page, listUrl: string, name: string, count: number) {
  await page.goto(`${listUrl}?q=${encodeURIComponent(name)}`);
  await expect(page.getByText(new RegExp(`共\\s*${count}\\s*条`)).first()).toBeVisible();
  if (count > 0) await expect(page.locator('tbody tr.ant-table-row', { hasText: name })).toHaveCount(count);
}

test('a salesperson sees only their own customers and gets field errors in Chinese', async ({ page }) => {
  // A customer of a colleague in 销售二部, made by this test.
  await signIn(page, 'sales3@example.com');
  const listUrl = await openCustomers(page);
  const theirs = unique('二部客户');
  const colleagueRecordUrl = await createCustomer(page, listUrl, theirs);
  await signOut(page);

  await signIn(page, 'sales1@example.com');
  await openCustomers(page);
  // Every row on the list is one of 陈思远's (sales1) own.
  const owners = await page.locator('tbody tr.ant-table-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
  expect(owners.length).toBeGreaterThan(5);
  for (const row of owners) expect(row).toContain('陈思远');
  await shot(page, '03-records-list');
  // The colleague's new customer is not among them, even searched by name.
  await expectFound(page, listUrl, theirs, 0);

  const mine = unique('杭州测试科技');
  await page.goto(listUrl);
  await page.getByTestId('new-record').click();
  await page.waitForURL('**/new');
  await page.getByLabel('客户名称').fill(mine);
  await page.getByLabel('联系人').fill('李雷');
  await page.getByLabel('手机号').fill('12345');
  await page.getByTestId('record-form-submit').click();
  await expect(page.getByText(/手机号/).filter({ hasText: /11 位|请输入/ }).first()).toBeVisible();
  await shot(page, '04-record-form-errors');
  await page.getByLabel('手机号').fill('13912345678');
  await page.getByTestId('record-form-submit').click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  await expect(page.getByText(mine).first()).toBeVisible();
  await shot(page, '05-record');
  await expectFound(page, listUrl, mine, 1);

  // A colleague's customer is simply not found.
  const res = await page.goto(colleagueRecordUrl);
  expect(res?.status()).toBe(404);
  await expect(page.getByText(/不存在或无权访问/)).toBeVisible();
  await signOut(page);
});

test('客服 can read everything but has no create button', async ({ page }) => {
  // Customers of two salespeople in two departments, made by this test.
  const names = { sales1: unique('一部客户'), sales3: unique('二部客户') };
  let listUrl = '';
  for (const [who, name] of Object.entries(names)) {
    await signIn(page, `${who}@example.com`);
    listUrl = await openCustomers(page);
    await createCustomer(page, listUrl, name);
    await signOut(page);
  }
  await signIn(page, 'support1@example.com');
  await openCustomers(page);
  for (const name of Object.values(names)) await expectFound(page, listUrl, name, 1);
  await expect(page.getByTestId('new-record')).toHaveCount(0);
});

test('English is one click away', async ({ page }) => {
  await signIn(page, 'sales1@example.com');
  await page.getByRole('button', { name: /简体中文/ }).click();
  await page.getByRole('menuitem', { name: /English/ }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en', { timeout: 10_000 });
  await expect(page.getByText('Workbench').first()).toBeVisible();
  await shot(page, '06-english');
});

// Sign-in hardening (issue 5 item 4): after 5 wrong passwords the form says to wait, in Chinese.
// (After setup, so the sign-in page is reachable; an e-mail of its own, so no other test is held back.)
test('the sign-in form names a rate limit after repeated wrong passwords', async ({ page }) => {
  await page.goto('/sign-in');
  for (let i = 0; i < 6; i++) {
    await page.getByLabel('邮箱').fill('guesser-target@example.com');
    await page.getByLabel('密码').fill(`wrong-${i}`);
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/auth/callback/credentials')), page.locator('button[type=submit]').click()]);
    await expect(page.locator('.ant-alert-error')).toBeVisible();
  }
  await expect(page.locator('.ant-alert-error')).toContainText(/尝试次数过多，请 \d+ 分钟后再试/);
  await shot(page, '07-sign-in-rate-limited');
});

// Sessions honour server-side revocation (issue 5 item 9): a copy of the session cookie is dead
// once next-auth's own sign-out ran, although its JWT is still validly signed.
test('after sign-out, a copied session cookie gets no user from /api/auth/session', async ({ playwright, baseURL }) => {
  const browser = await playwright.request.newContext({ baseURL });
  const { csrfToken } = await (await browser.get('/api/auth/csrf')).json();
  await browser.post('/api/auth/callback/credentials', { form: { csrfToken, email: ADMIN.email, password: ADMIN.password, json: 'true' } });
  const live = await (await browser.get('/api/auth/session')).json();
  expect(live.user?.email).toBe(ADMIN.email);
  // The session secret stays in the httpOnly cookie: page JavaScript reads this JSON.
  expect(Object.keys(live).sort()).toEqual(['expires', 'user']);
  expect(live).not.toHaveProperty('sid');
  const stolen = await playwright.request.newContext({ baseURL, storageState: await browser.storageState() });
  const again = (await (await browser.get('/api/auth/csrf')).json()).csrfToken;
  await browser.post('/api/auth/signout', { form: { csrfToken: again, json: 'true' } });
  expect(await (await stolen.get('/api/auth/session')).json()).toEqual({});
  await Promise.all([browser.dispose(), stolen.dispose()]);
});
