/**
 * Issue 6, item 3, in Chromium (zh-CN): the builder previews each mask rule on a sample of the
 * field's kind and on what the admin types, with lib/masking's own rules running in the page.
 * What the admin types into 试一试 is never sent anywhere (it is a real phone number, maybe).
 * The spec creates the admin on a fresh install, or signs in as the one another spec made.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ADMIN, setUpOnce, shot, signIn } from './first-run';

test.describe.configure({ mode: 'serial' });

async function asAdmin(page: Page) {
  await page.goto('/setup');
  if (new URL(page.url()).pathname === '/setup') {
    await setUpOnce(page);
    return;
  }
  await signIn(page, ADMIN.email);
}

/** Picks an option of the mask rule select by its name. */
async function chooseRule(page: Page, name: string) {
  await page.getByTestId('prop-mask').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: name }).first().click();
}

test('the builder previews mask rules on samples and on typed values, without sending them', async ({ page }) => {
  // Many steps on one page; a production build, but a loaded 2-core machine.
  test.setTimeout(300_000);
  await asAdmin(page);
  await page.goto('/admin/forms');
  await page.getByRole('link', { name: /设计/ }).first().click();
  await page.waitForURL('**/builder');

  const typed = '+1 415 555 0132';
  const sent: string[] = [];
  page.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));

  // 手机号 carries the phone rule: the sample is a mainland mobile number.
  await page.getByTestId('canvas-field-phone').click();
  const preview = page.getByTestId('mask-preview');
  await expect(preview).toContainText('13812345678');
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('138****5678');
  await page.getByTestId('mask-try-input').fill(typed);
  await expect(page.getByTestId('mask-try-output')).toHaveText('+1 4** *** *132');

  // Each rule in the list shows what it does to a sample of its own.
  await page.getByTestId('prop-mask').click();
  const list = page.locator('.ant-select-dropdown:visible');
  await expect(list.locator('.ant-select-item-option', { hasText: '身份证号' })).toContainText('110105********1234');
  await expect(list.locator('.ant-select-item-option', { hasText: '姓名' })).toContainText('欧阳**');
  await shot(page, '19-builder-mask-rules');
  // A custom rule: keep 1 + 2, ●, a fixed middle of 4 that hides the true length.
  await list.locator('.ant-select-item-option', { hasText: '自定义' }).click();
  await expect(page.getByTestId('mask-custom')).toBeVisible();
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('138****5678');
  await page.getByTestId('mask-keep-start').fill('1');
  await page.getByTestId('mask-keep-end').fill('2');
  await page.getByTestId('mask-char').fill('●');
  await page.getByTestId('mask-length').fill('4');
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('1●●●●78');
  await expect(page.getByTestId('mask-try-output')).toHaveText('+●●●●32');
  // A letter is no mask character: said at the input, and the preview hides everything.
  await page.getByTestId('mask-char').fill('a');
  // Not toBeVisible: antd fades the message in, which on a loaded machine can outlast the wait.
  await expect(page.getByTestId('mask-char')).toHaveClass(/ant-input-status-error/);
  await expect(page.locator('.ant-form-item-explain-error').first()).toHaveText('请输入一个符号，如 * 或 ●');
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('******');
  await page.getByTestId('mask-char').fill('●');
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('1●●●●78');
  await preview.scrollIntoViewIfNeeded();
  await shot(page, '20-builder-mask-custom');

  // 联系人 has no rule: masked readers would see it fully hidden; the name rule keeps the surname.
  await page.getByTestId('canvas-field-contact').click();
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('******');
  await expect(preview).toContainText('未指定规则时');
  await chooseRule(page, '姓名');
  await expect(preview).toContainText('欧阳娜娜');
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('欧阳**');
  await page.getByTestId('mask-try-input').fill('张三');
  await expect(page.getByTestId('mask-try-output')).toHaveText('张*');

  await page.getByTestId('canvas-field-address').click();
  await expect(page.getByTestId('mask-preview-sample')).toHaveText('广东省深圳市******');
  await preview.scrollIntoViewIfNeeded();
  await shot(page, '21-builder-mask-address');

  // The draft carries the custom rule, and the builder calls it valid.
  await expect(page.getByTestId('builder-valid')).toBeVisible();
  expect(sent.filter((s) => s.includes(typed) || s.includes(encodeURIComponent(typed)))).toEqual([]);
});
