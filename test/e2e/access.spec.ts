/**
 * 权限查询 in Chromium (zh-CN), as the admin: 客服 刘佳怡's rights by user, the records list and a
 * record through her eyes (view-as: read-only, phones masked as she sees them, no 身份证号, no
 * reveal), and the explanation of 手机号 on that record naming the group and scope that decide it.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, MASKED_PHONE, setUpOnce, shot, signIn } from './first-run';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

const SUPPORT = '刘佳怡';

test('the admin sees 客服 刘佳怡\'s rights, her list and record as she sees them, and why 手机号 is masked', async ({ page }) => {
  await setUpOnce(page);
  await page.context().clearCookies();
  await signIn(page, ADMIN.email);
  await page.goto('/admin/access');
  await page.getByTestId('pick-user').click();
  await page.keyboard.type(SUPPORT);
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: SUPPORT }).first().click();
  await page.waitForURL(/tab=user&userId=[0-9a-f-]{36}/);
  const forms = page.getByTestId('user-forms');
  await expect(forms).toContainText('客户');
  await expect(forms).toContainText('客服');
  await shot(page, '40-access-by-user');

  // View-as: her list, read-only, masked as she sees it.
  await forms.getByTestId('view-as-link').first().click();
  await page.waitForURL(/\/admin\/access\/view-as\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  const [, userId, formId] = /view-as\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/.exec(page.url())!;
  await expect(page.getByTestId('view-as-banner')).toContainText(SUPPORT);
  const phones = page.getByTestId('masked-phone');
  await expect(phones.first()).toBeVisible();
  for (const text of (await phones.allInnerTexts()).slice(0, 10)) expect(text).toMatch(MASKED_PHONE);
  await expect(page.getByRole('columnheader', { name: /身份证号/ })).toHaveCount(0);
  await expect(page.getByTestId('new-record')).toHaveCount(0);
  await shot(page, '41-view-as-list');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '41b-view-as-list-phone');
  await page.setViewportSize({ width: 1440, height: 900 });

  // One record through her eyes: masked, no 身份证号, and nothing to click that acts (no reveal, no edit).
  await page.locator('tbody tr.ant-table-row').first().locator(`a[href^="/admin/access/view-as/${userId}/${formId}/"]`).first().click();
  await page.waitForURL(/\/view-as\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  const recordId = page.url().split('/').pop()!;
  await expect(page.getByTestId('view-as-banner')).toBeVisible();
  await expect(page.getByTestId('masked-phone')).toHaveText(MASKED_PHONE);
  await expect(page.getByText('身份证号')).toHaveCount(0);
  await expect(page.getByTestId('reveal-phone')).toHaveCount(0);
  await expect(page.getByTestId('edit-record')).toHaveCount(0);
  await shot(page, '42-view-as-record');

  // Explain 手机号 on that record: masked, because of group 客服, scope 全部.
  await page.goto(`/admin/access?tab=explain&userId=${userId}&formId=${formId}&recordId=${recordId}&field=phone`);
  const answer = page.getByTestId('explain-result');
  await expect(answer).toBeVisible();
  const fields = answer.getByTestId('explain-fields');
  await expect(fields).toContainText('手机号');
  await expect(fields).toContainText('脱敏');
  await expect(fields).toContainText('客服');
  await expect(answer.getByTestId('explain-actions')).toContainText('全部');
  await shot(page, '43-explain-record-field');
});
