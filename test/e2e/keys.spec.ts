/**
 * Encryption in Chromium (zh-CN): 客服 finds a caller by the whole mobile number although the
 * number is encrypted, and sees it masked; part of a number finds nobody. The admin's 数据加密
 * page shows where the master key lies (the quick start's generated key, beside the embedded
 * database: warned about), rotates the data key and the lookup index key, and shows both
 * jobs' progress. In the builder, turning encryption off on 身份证号 names the risk before it
 * publishes, the decryption's progress shows under the tabs, and turning it on again seals the
 * values once more.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, MASKED_PHONE, openCustomers, setUpOnce, shot, signIn } from './first-run';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

const PHONE = /^1[3-9]\d{9}$/;
test('客服 finds a customer by the whole mobile number and sees it masked', async ({ page }) => {
  await setUpOnce(page);
  // A number from the list as the manager sees it (every field in plain).
  await page.context().clearCookies();
  await signIn(page, 'manager@example.com');
  await openCustomers(page);
  await expect(page.locator('td').filter({ hasText: PHONE }).first()).toBeVisible();
  const phones = (await page.locator('td').allInnerTexts()).map((s) => s.trim()).filter((s) => PHONE.test(s));
  // One that only one customer has.
  const phone = phones.find((p) => phones.filter((q) => q === p).length === 1 && p !== '13912345678')!;
  expect(phone).toMatch(PHONE);

  await page.context().clearCookies();
  await signIn(page, 'support1@example.com');
  await openCustomers(page);
  const search = page.getByTestId('records-search').locator('input');
  await expect(search).toHaveAttribute('placeholder', /完整的手机号/);
  await search.fill(phone.slice(0, 7));
  await search.press('Enter');
  await page.waitForURL(/q=/);
  await expect(page.getByText('共 0 条').first()).toBeVisible();
  await search.fill(`${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`);
  await search.press('Enter');
  await expect(page.getByText('共 1 条').first()).toBeVisible();
  const masked = page.getByTestId('masked-phone');
  await expect(masked).toHaveCount(1);
  await expect(masked).toHaveText(MASKED_PHONE);
  expect(await masked.innerText()).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
  // The number itself is nowhere in the page (only in the search box the user typed it into).
  const html = (await page.content()).replaceAll(/value="[^"]*"/g, '');
  expect(html).not.toContain(phone);
  await shot(page, '50-support-finds-by-phone');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '50b-support-finds-by-phone-phone');
});

test('the admin sees where the master key lies, rotates the data key and follows the re-encryption', async ({ page }) => {
  await setUpOnce(page);
  await page.context().clearCookies();
  await signIn(page, ADMIN.email);
  await page.goto('/admin/keys');
  const admin = page.getByTestId('data-keys');
  await expect(page.getByTestId('keys-admin')).toContainText('主密钥可以解开全部数据密钥');
  await expect(page.getByTestId('master-key-warning')).toContainText('与内置数据库在同一个文件夹');
  await expect(admin.locator('tbody tr.ant-table-row')).toHaveCount(1);
  // The example's customers were sealed at setup, in the request; the job runner reported the count.
  await expect(admin.locator('tbody tr.ant-table-row').first().locator('td').nth(4)).not.toHaveText('0', { timeout: 10_000 });
  await page.getByTestId('rotate-key').click();
  await page.getByTestId('rotate-confirm').click();
  await expect(page.getByText('已启用新的数据密钥')).toBeVisible();
  await expect(admin.locator('tbody tr.ant-table-row')).toHaveCount(2);
  await expect(admin.locator('tbody tr.ant-table-row').first()).toContainText('待重新加密');
  await expect(admin.locator('tbody tr.ant-table-row').nth(1)).toContainText('当前');
  // The app's job runner re-encrypts every record; old versions retire after the grace period.
  const progress = page.getByTestId('reseal-progress');
  await expect(progress).toContainText(/已处理 (\d[\d,]*) \/ \1 条记录/, { timeout: 60_000 });
  await expect(progress).toContainText('所有数据已重新加密，等待停用旧密钥');
  await expect(admin.locator('tbody tr.ant-table-row').first().locator('td').nth(3)).toHaveText('0');
  await shot(page, '51-admin-keys');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '51b-admin-keys-phone');
});

test('the admin rotates the lookup index key; 客服 still finds a customer by phone during and after the rebuild', async ({ page }) => {
  await setUpOnce(page);
  await page.context().clearCookies();
  await signIn(page, ADMIN.email);
  await page.goto('/admin/keys');
  const lookup = page.getByTestId('lookup-keys');
  await expect(lookup.locator('tbody tr.ant-table-row')).toHaveCount(1);
  await page.getByTestId('rotate-lookup').click();
  await page.getByTestId('rotate-lookup-confirm').click();
  await expect(page.getByText('已启用新的查找索引密钥')).toBeVisible();
  await expect(lookup.locator('tbody tr.ant-table-row')).toHaveCount(2);
  await expect(lookup).toContainText(/已处理 (\d[\d,]*) \/ \1 条记录/, { timeout: 60_000 });
  await expect(lookup.locator('tbody tr.ant-table-row').first().locator('td').nth(3)).toHaveText('0');
  await expect(lookup).toContainText('所有索引已重建，等待停用旧密钥');
  await shot(page, '52-admin-lookup-key');

  // A number from the list as the manager sees it, found by 客服 under the new key.
  await page.context().clearCookies();
  await signIn(page, 'manager@example.com');
  await openCustomers(page);
  const phones = (await page.locator('td').allInnerTexts()).map((s) => s.trim()).filter((s) => PHONE.test(s));
  const phone = phones.find((p) => phones.filter((q) => q === p).length === 1 && p !== '13912345678')!;
  await page.context().clearCookies();
  await signIn(page, 'support1@example.com');
  await openCustomers(page);
  const search = page.getByTestId('records-search').locator('input');
  await search.fill(phone);
  await search.press('Enter');
  await expect(page.getByText('共 1 条').first()).toBeVisible();
  await expect(page.getByTestId('masked-phone')).toHaveText(MASKED_PHONE);
});

test('turning encryption off on 身份证号 names the risk, decrypts in the background with progress, and turning it on seals again', async ({ page }) => {
  await setUpOnce(page);
  await page.context().clearCookies();
  await signIn(page, ADMIN.email);
  await page.goto('/admin/forms');
  await page.getByRole('link', { name: /设计/ }).first().click();
  await page.waitForURL('**/builder');
  await page.getByTestId('canvas-field-idNo').click();
  const encrypted = page.getByTestId('prop-encrypted');
  await expect(encrypted).toHaveAttribute('aria-checked', 'true');
  await encrypted.click();
  await page.getByTestId('publish').click();
  const warning = page.getByTestId('decrypt-warning');
  await expect(warning).toContainText('将关闭「身份证号」的加密存储');
  await expect(warning).toContainText('以明文保存在数据库和今后的备份中');
  await shot(page, '53-builder-decrypt-confirm');
  await page.locator('.ant-modal-confirm .ant-btn-dangerous').filter({ hasText: '解密并发布' }).click();
  const jobs = page.getByTestId('field-jobs');
  await expect(jobs).toContainText('「身份证号」的已有数据已全部解密', { timeout: 60_000 });
  await expect(jobs).toContainText(/已处理 (\d[\d,]*) \/ \1 条记录/);
  await shot(page, '54-builder-decrypted');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '54b-builder-decrypted-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // On again: no warning, and a job seals the values once more.
  await page.getByTestId('canvas-field-idNo').click();
  await page.getByTestId('prop-encrypted').click();
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('decrypt-warning')).toHaveCount(0);
  await page.locator('.ant-modal-confirm .ant-btn-primary').click();
  await expect(jobs).toContainText('「身份证号」的已有数据已全部加密', { timeout: 60_000 });
});
