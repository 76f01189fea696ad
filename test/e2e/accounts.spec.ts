/**
 * Accounts in the browser: an example account and an account an admin reset
 * must choose their own password at first sign-in, and nothing else of the
 * app opens until they do.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, changePassword, passwords, setUpOnce, shot, signIn } from './first-run';

test.describe.configure({ mode: 'serial' });

test('an example account must choose its own password at first sign-in', async ({ page }) => {
  await setUpOnce(page);
  await page.context().clearCookies();
  const email = 'sales2@example.com';
  const initial = passwords.get(email)!;
  // The admin's password opens no example account.
  await page.goto('/sign-in');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(ADMIN.password);
  await page.locator('button[type=submit]').click();
  await expect(page.getByText('邮箱或密码错误')).toBeVisible();

  await page.getByLabel('密码').fill(initial);
  await page.locator('button[type=submit]').click();
  await page.waitForURL('**/password-change');
  await expect(page.getByRole('heading', { name: '请设置你自己的密码' })).toBeVisible();
  await shot(page, '10-forced-password-change');
  // Nothing else opens meanwhile.
  await page.goto('/apps');
  await page.waitForURL('**/password-change');

  await changePassword(page, 'Wrong2026x', 'Mine2026x');
  await expect(page.getByText('当前密码不正确')).toBeVisible();
  await expect(page).toHaveURL(/\/password-change$/);
  await changePassword(page, initial, initial);
  await expect(page.getByText('新密码不能与当前密码相同')).toBeVisible();

  await changePassword(page, initial, 'Mine2026x');
  await page.waitForURL('**/apps');
  await expect(page.getByTestId('app-cards')).toBeVisible();
  passwords.set(email, 'Mine2026x');
});

test('after an admin reset the user chooses a new password; staff change theirs from the settings page', async ({ page }) => {
  await signIn(page, ADMIN.email);
  await page.goto('/admin/users');
  const row = page.locator('tr', { hasText: 'sales4@example.com' });
  await row.getByRole('button', { name: /重置密码/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('新密码', { exact: true }).fill('Reset2026x');
  await dialog.getByLabel('确认新密码').fill('Reset2026x');
  await dialog.getByRole('button', { name: /重置密码/ }).click();
  await expect(dialog).toBeHidden();
  await page.context().clearCookies();

  await page.goto('/sign-in');
  await page.getByLabel('邮箱').fill('sales4@example.com');
  await page.getByLabel('密码').fill('Reset2026x');
  await page.locator('button[type=submit]').click();
  await page.waitForURL('**/password-change');
  await changePassword(page, 'Reset2026x', 'Sales4Own1');
  await page.waitForURL('**/apps');

  // Later, by choice, from the user menu. (The forced change's own 密码已修改
  // notice goes first, so the one checked below is this change's.)
  await expect(page.getByText('密码已修改')).toHaveCount(0);
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: /修改密码/ }).click();
  await page.waitForURL('**/settings/password');
  await changePassword(page, 'Sales4Own1', 'Sales4Own2');
  await expect(page.getByText('密码已修改')).toBeVisible();
  await shot(page, '11-change-password');
  passwords.set('sales4@example.com', 'Sales4Own2');
  // It really changed: the new password signs in, straight to the apps.
  await page.context().clearCookies();
  await signIn(page, 'sales4@example.com', 'Sales4Own2');
  await expect(page).toHaveURL(/\/apps$/);
});
