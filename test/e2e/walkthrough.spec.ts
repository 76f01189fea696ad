/**
 * A newcomer's first hour, in Chromium, in Chinese: create the admin with
 * the 客户管理 example, look at the builder, sign in as a salesperson, see
 * only their own customers, fail and then pass validation, and meet a 404
 * for a colleague's customer. Screenshots land in screenshots/.
 */
import type { Page } from '@playwright/test';
// Every page of the walkthrough is watched for CSP violations and hydration errors.
import { expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

const ADMIN = { name: '王敏', email: 'admin@example.com', password: 'Admin2026x' };
const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL('**/apps');
}

async function signOut(page: Page) {
  await page.context().clearCookies();
}

test('first visit creates the admin and loads the example', async ({ page }) => {
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
  await expect(page.getByText('sales1@example.com')).toBeVisible();
  await page.getByTestId('enter-app').click();
  await page.waitForURL('**/apps');
  // Admin rights configure; they do not open customer data.
  await expect(page.getByTestId('app-cards')).toHaveCount(0);
});

test('the admin sees the builder with the 客户 form', async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto('/admin/forms');
  await expect(page.getByText('客户', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: /设计/ }).first().click();
  await page.waitForURL('**/builder');
  await expect(page.getByText('手机号').first()).toBeVisible();
  await expect(page.getByText('身份证号').first()).toBeVisible();
  await shot(page, '02-builder');
});

let colleagueRecordUrl = '';

test('a salesperson of 销售二部 has their own customers', async ({ page }) => {
  await signIn(page, 'sales3@example.com', ADMIN.password);
  await page.getByTestId('app-cards').getByText('客户').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  await page.locator('tbody tr.ant-table-row').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  colleagueRecordUrl = page.url();
});

test('a salesperson sees only their own customers and gets field errors in Chinese', async ({ page }) => {
  await signIn(page, 'sales1@example.com', ADMIN.password);
  await page.getByTestId('app-cards').getByText('客户').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  // 300 customers over 4 salespeople: 75 each, all owned by 陈思远 (sales1).
  await expect(page.getByText(/共\s*75\s*条/).first()).toBeVisible();
  const owners = await page.locator('tbody tr.ant-table-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
  expect(owners.length).toBeGreaterThan(5);
  for (const row of owners) expect(row).toContain('陈思远');
  await shot(page, '03-records-list');

  await page.getByTestId('new-record').click();
  await page.waitForURL('**/new');
  await page.getByLabel('客户名称').fill('杭州测试科技有限公司');
  await page.getByLabel('联系人').fill('李雷');
  await page.getByLabel('手机号').fill('12345');
  await page.getByTestId('record-form-submit').click();
  await expect(page.getByText(/手机号/).filter({ hasText: /11 位|请输入/ }).first()).toBeVisible();
  await shot(page, '04-record-form-errors');
  await page.getByLabel('手机号').fill('13912345678');
  await page.getByTestId('record-form-submit').click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  await expect(page.getByText('杭州测试科技有限公司').first()).toBeVisible();
  await shot(page, '05-record');

  // A colleague's customer is simply not found.
  expect(colleagueRecordUrl).not.toBe('');
  const res = await page.goto(colleagueRecordUrl);
  expect(res?.status()).toBe(404);
  await expect(page.getByText(/不存在或无权访问/)).toBeVisible();
  await signOut(page);
});

test('客服 can read everything but has no create button', async ({ page }) => {
  await signIn(page, 'support1@example.com', ADMIN.password);
  await page.getByTestId('app-cards').getByText('客户').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  await expect(page.getByText(/共\s*301\s*条/).first()).toBeVisible();
  await expect(page.getByTestId('new-record')).toHaveCount(0);
});

test('English is one click away', async ({ page }) => {
  await signIn(page, 'sales1@example.com', ADMIN.password);
  await page.getByRole('button', { name: /简体中文/ }).click();
  await page.getByRole('menuitem', { name: /English/ }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en', { timeout: 10_000 });
  await expect(page.getByText('Workbench').first()).toBeVisible();
  await shot(page, '06-english');
});
