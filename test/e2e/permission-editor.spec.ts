/**
 * The permission editor in Chromium (zh-CN): a field mode changed in the fields × groups
 * matrix is saved for the whole form, is what the editor shows after a reload, and is what
 * 客服 sees at the next page load; a condition
 * on a field the group hides is refused at its cell while editing, and saving waits for the
 * fix. Runs after the other specs (its own project): it changes the example's 客服 grant, and
 * puts it back at the end.
 */
import type { Page } from '@playwright/test';
import { chooseShown, expect, test } from './fixtures';
import { ADMIN, openCustomers, setUpOnce, signIn } from './first-run';

// The first spec of a fresh install loads the example (300 records) first: that takes its time on a busy machine.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const GROUP = '客服';
/** The group's column head (antd may render a table head twice for its scroll layout). */
const head = (page: Page) => page.getByTestId(`grant-${GROUP}`).first();

async function openEditor(page: Page) {
  await setUpOnce(page);
  await page.context().clearCookies();
  await signIn(page, ADMIN.email);
  await page.goto('/admin/forms');
  await page.locator('tr', { has: page.getByText('客户', { exact: true }) }).getByRole('link', { name: /权限/ }).first().click();
  await page.waitForURL(/\/admin\/forms\/[0-9a-f-]{36}\/grants$/);
  await expect(page.getByTestId('actions-matrix')).toBeVisible();
  await expect(page.getByTestId('fields-matrix')).toBeVisible();
  await expect(page.locator('[data-testid="grants-editor"][data-hydrated="true"]')).toBeVisible();
}

/** The page at 1280 and at 390 wide, from the top (screenshots/, for the review of the editor). */
async function shots(page: Page, name: string, fullPage = true) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `screenshots/${name}-${width}.png`, fullPage });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Picks an option of an antd Select by its visible text. */
async function choose(page: Page, testId: string, option: string | RegExp) {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: option }).first().click();
}

/**
 * Chooses until the select shows the option: a click that lands while an antd dropdown is still
 * opening can be lost (seen three times in CI, in the mode matrix and the condition dialog), so
 * each try checks what the select shows and opens it again if needed. `choose` is only for an
 * option whose effect is checked otherwise (条件 opens the condition dialog).
 */
const chooseShownIn = (page: Page, testId: string, option: string) => chooseShown(page, page.getByTestId(testId), option);

test('a field mode changed in the editor is saved for the form, and the next page load of 客服 obeys it', async ({ page }) => {
  await openEditor(page);
  // The example masks 手机号 for 客服; hide it instead.
  const phone = page.getByTestId(`mode-${GROUP}-phone`);
  await expect(phone).toContainText('脱敏');
  await chooseShownIn(page, `mode-${GROUP}-phone`, '隐藏');
  await expect(phone).toContainText('隐藏');
  await expect(head(page)).toContainText('未保存');
  const save = page.getByTestId('save-grants');
  await expect(save).toContainText('1 个用户组');
  await save.click();
  // A save on a busy machine can take a while: wait for it, however long, up to the bound.
  await expect(page.getByTestId('grants-saved')).toContainText('下一次请求', { timeout: 60_000 });
  await expect(head(page)).not.toContainText('未保存', { timeout: 60_000 });
  await shots(page, 'editor-saved');

  await page.reload();
  await expect(page.getByTestId(`mode-${GROUP}-phone`)).toContainText('隐藏');
  await expect(head(page)).not.toContainText('未保存');
  await expect(page.getByTestId('save-grants')).toBeDisabled();

  // 客服's next page load: no 手机号 column, no masked phone, and the record page has no 手机号.
  await page.context().clearCookies();
  await signIn(page, 'support1@example.com');
  await openCustomers(page);
  await expect(page.locator('tbody tr.ant-table-row').first()).toBeVisible();
  await expect(page.getByRole('columnheader', { name: /手机号/ })).toHaveCount(0);
  await expect(page.getByTestId('masked-phone')).toHaveCount(0);
  await page.locator('tbody tr.ant-table-row').first().locator('a[href*="/apps/"]').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('record-created-at')).toBeVisible();
  await expect(page.getByText('手机号')).toHaveCount(0);
  await page.screenshot({ path: 'screenshots/editor-obeyed-support-record.png', fullPage: true });
});

test('a condition on a field the group hides is refused at its cell while editing', async ({ page }) => {
  await openEditor(page);
  await chooseShownIn(page, `mode-${GROUP}-*`, '只读');
  // 客服 sees every record; narrow it to VIP customers with a condition.
  await choose(page, `scope-${GROUP}-view`, '条件');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  // Encrypted fields are offered, disabled, with the reason.
  await page.getByTestId('condition-field-0').click();
  await expect(page.locator('.ant-select-item-option-disabled').filter({ hasText: '手机号（加密，不能作为条件）' })).toBeVisible();
  await chooseShownIn(page, 'condition-field-0', '客户等级');
  await chooseShownIn(page, 'condition-value-0', 'VIP');
  await shots(page, 'editor-condition', false);
  await dialog.getByTestId('condition-ok').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`condition-${GROUP}-view`)).toContainText('客户等级 等于 VIP');

  // Hiding the field the condition uses is refused where the condition is, and blocks saving.
  await chooseShownIn(page, `mode-${GROUP}-level`, '隐藏');
  const viewCell = page.getByTestId('actions-matrix').getByRole('alert').filter({ hasText: '隐藏的字段「客户等级」' });
  await expect(viewCell).toBeVisible();
  await expect(page.getByTestId('save-grants')).toBeDisabled();

  // Reveal and export are in plain sight: the example's 客服 reveals with a reason and holds no
  // export. A masked field without a mask rule says how it will look.
  await expect(page.getByTestId(`switch-${GROUP}-reveal`)).toBeChecked();
  await expect(page.getByTestId(`reason-${GROUP}`)).toBeChecked();
  await expect(page.getByTestId(`switch-${GROUP}-export`)).not.toBeChecked();
  await page.getByTestId(`reason-${GROUP}`).click();
  await expect(page.getByTestId(`reason-${GROUP}`)).not.toBeChecked();
  await chooseShownIn(page, `mode-${GROUP}-name`, '脱敏');
  await expect(page.getByTestId('fields-matrix')).toContainText('该字段没有脱敏规则');
  await shots(page, 'editor-problems');

  await chooseShownIn(page, `mode-${GROUP}-level`, '同其余字段');
  await expect(viewCell).toHaveCount(0);
  await expect(page.getByTestId('save-grants')).toBeEnabled();

  // 还原 puts back what is saved.
  await page.getByTestId('reset-grants').click();
  await page.locator('.ant-modal-confirm').getByRole('button', { name: '确 定' }).or(page.locator('.ant-modal-confirm').getByRole('button', { name: '确定' })).click();
  await expect(page.getByTestId('save-grants')).toBeDisabled();
  await expect(page.getByTestId(`scope-${GROUP}-view`)).toContainText('全部');
});

test('the example grant is put back, and 客服 sees phones masked again', async ({ page }) => {
  await openEditor(page);
  await chooseShownIn(page, `mode-${GROUP}-phone`, '脱敏');
  await page.getByTestId('save-grants').click();
  await expect(page.getByTestId('grants-saved')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('save-grants')).toBeDisabled({ timeout: 60_000 });
  await page.reload();
  await expect(page.getByTestId(`mode-${GROUP}-phone`)).toContainText('脱敏');

  await page.context().clearCookies();
  await signIn(page, 'support1@example.com');
  await openCustomers(page);
  await expect(page.getByTestId('masked-phone').first()).toHaveText(/^1[3-9]\d\*{4}\d{4}$/);
});
