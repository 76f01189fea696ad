/**
 * Issue 5, items 17 and 19–24, in Chromium (zh-CN, Asia/Shanghai; the server
 * runs in UTC, see playwright.config.ts). The spec builds its own world: it
 * creates the admin if the install is fresh (or signs in as the one the
 * walkthrough creates, same credentials), and its own staff user and record.
 * Every page is watched for CSP violations and hydration errors (fixtures.ts).
 */
import type { Browser, Page } from '@playwright/test';
import { chooseShown, expect, test, watchPage } from './fixtures';
import { ADMIN, passwords, setUpOnce, signIn } from './first-run';

test.describe.configure({ mode: 'serial' });

// E2E_RUN pins the run id (a worker restarted after a failure would otherwise make a new one).
const RUN = process.env.E2E_RUN ?? Date.now().toString(36);
const STAFF = { name: `界面测试${RUN}`, email: `ui-${RUN}@example.com`, password: 'Staff2026x' };

/** A signed-in admin: creates the first admin (with the example) on a fresh install (first-run.ts). */
async function asAdmin(page: Page) {
  await page.goto('/setup');
  if (new URL(page.url()).pathname === '/setup') {
    // Item 23: the setup page promises only what the product does (own random passwords, removable example).
    await expect(page.getByText(/每个示例用户都有自己的随机密码/)).toBeVisible();
    await expect(page.getByText(/与管理员相同的密码/)).toHaveCount(0);
    await setUpOnce(page);
    return;
  }
  await signIn(page, ADMIN.email);
}

async function newPage(browser: Browser, width = 1440) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems = await watchPage(page);
  return { page, problems, close: () => context.close() };
}

/** Shanghai wall-clock time as the app prints it (YYYY-MM-DD HH:mm), from an explicit zone, not the runner's. */
function shanghai(ms: number): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const formOfApp = (url: string) => new URL(url).pathname.split('/')[2];
let recordUrl = '';
let createdBetween: [number, number] = [0, 0];

test('17: pages and the API send the security headers, with a fresh CSP nonce per response', async ({ page, request }) => {
  const first = await request.get('/sign-in', { maxRedirects: 0 });
  const second = await request.get('/sign-in', { maxRedirects: 0 });
  for (const res of [first, second]) {
    const h = res.headers();
    expect(h['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
    expect(h['content-security-policy']).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy']).toContain("object-src 'none'");
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('same-origin');
    expect(h['permissions-policy']).toContain('camera=()');
    // Served over plain HTTP here: HSTS would be ignored by browsers and wrong to send.
    expect(h['strict-transport-security']).toBeUndefined();
  }
  const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];
  const nonce = nonceOf(first.headers()['content-security-policy']);
  expect(nonce).toBeTruthy();
  expect(nonceOf(second.headers()['content-security-policy'])).not.toBe(nonce);
  // Next put the nonce on its scripts, and antd's server-rendered styles carry it too.
  const html = await first.text();
  expect(html).toContain(`nonce="${nonce}"`);
  expect(html).toMatch(new RegExp(`<style[^>]*nonce="${nonce!.replace(/[+/=]/g, '\\$&')}"`));

  const api = await request.get('/api/v1/forms');
  expect(api.status()).toBe(401);
  expect(api.headers()['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
  expect(api.headers()['referrer-policy']).toBe('same-origin');
  expect(api.headers()['permissions-policy']).toContain('camera=()');

  // The styled page really renders under the policy (the fixture fails on any violation).
  await page.goto('/sign-in');
  await expect(page.locator('button[type=submit]')).toHaveCSS('background-color', 'rgb(31, 94, 255)');
});

test('19: editing a user after a cancelled 新建用户 keeps their groups', async ({ page }) => {
  await asAdmin(page);
  await page.goto('/admin/users');
  // This spec's own staff user, in 管理者 (view, create, edit and delete every 客户).
  await page.getByRole('button', { name: /新建用户/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('姓名').fill(STAFF.name);
  await dialog.getByLabel('邮箱').fill(STAFF.email);
  await dialog.getByLabel('初始密码').fill(STAFF.password);
  await chooseShown(page, dialog.locator('.ant-form-item').filter({ hasText: '用户组' }).locator('.ant-select'), '管理者');
  await dialog.locator('.ant-modal-title').click();
  await dialog.getByRole('button', { name: /^创\s*建$/ }).click();
  await expect(page.getByText(`已创建用户 ${STAFF.name}`)).toBeVisible();
  // The admin chose it: the first sign-in replaces it (first-run.ts signIn does).
  passwords.set(STAFF.email, STAFF.password);
  const row = page.locator('tr.ant-table-row').filter({ hasText: STAFF.email });
  await expect(row.getByText('管理者')).toBeVisible();

  // The bug: open 新建用户, cancel, then 编辑 — 用户组 showed empty and 保存 emptied it.
  await page.getByRole('button', { name: /新建用户/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: /^取\s*消$/ }).click();
  await expect(page.getByRole('dialog')).toBeHidden();
  await row.getByRole('button', { name: /编辑/ }).click();
  const edit = page.getByRole('dialog', { name: new RegExp(`编辑用户：${STAFF.name}`) });
  await expect(edit.getByLabel('姓名')).toHaveValue(STAFF.name);
  await expect(edit.locator('.ant-select-selection-item, .ant-select-selection-overflow-item').filter({ hasText: '管理者' })).toBeVisible();
  await edit.getByRole('button', { name: /^保\s*存$/ }).click();
  await expect(page.getByText('已保存')).toBeVisible();
  await page.reload();
  await expect(page.locator('tr.ant-table-row').filter({ hasText: STAFF.email }).getByText('管理者')).toBeVisible();

  // And the other way round: a cancelled edit does not leak into the next 新建用户.
  await page.locator('tr.ant-table-row').filter({ hasText: STAFF.email }).getByRole('button', { name: /编辑/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: /^取\s*消$/ }).click();
  await page.getByRole('button', { name: /新建用户/ }).click();
  await expect(page.getByRole('dialog').getByLabel('姓名')).toHaveValue('');
  await expect(page.getByRole('dialog').getByText('管理者')).toHaveCount(0);
});

test('20: the record form asks before unsaved input is lost', async ({ page }) => {
  await signIn(page, STAFF.email);
  await page.getByTestId('app-cards').getByText('客户').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  await page.getByTestId('new-record').click();
  await page.waitForURL('**/new');
  const newUrl = page.url();
  await page.getByLabel('客户名称').fill('未保存的客户');

  // An in-app link: asked, and staying keeps the input.
  await page.locator('.ant-breadcrumb a', { hasText: '工作台' }).click();
  await expect(page.locator('.ant-modal-confirm-title', { hasText: '离开此页面？' })).toBeVisible();
  await page.getByTestId('unsaved-stay').click();
  expect(page.url()).toBe(newUrl);
  await expect(page.getByLabel('客户名称')).toHaveValue('未保存的客户');

  // The side menu and 取消 ask too; leaving goes where the link pointed.
  await page.getByTestId('record-form-cancel').click();
  await expect(page.locator('.ant-modal-confirm-title', { hasText: '离开此页面？' })).toBeVisible();
  await page.getByTestId('unsaved-stay').click();
  await page.locator('.fw-shell__sider').getByRole('link', { name: '工作台' }).click();
  await page.getByTestId('unsaved-leave').click();
  await page.waitForURL(/\/apps$/);

  // Reload or tab close: the browser's own prompt.
  await page.goto(newUrl);
  await page.getByLabel('客户名称').fill('未保存的客户');
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const prompt = await dialog;
  expect(prompt.type()).toBe('beforeunload');
  await prompt.dismiss();
});

test('20: the builder and the grant editor ask before unsaved changes are lost', async ({ page }) => {
  await asAdmin(page);
  await page.goto('/admin/forms');
  await page.getByRole('link', { name: /设计/ }).first().click();
  await page.waitForURL('**/builder');
  const builderUrl = page.url();
  await page.getByTestId('palette-text').click();
  await page.locator('.fw-shell__sider').getByRole('link', { name: '用户组', exact: true }).click();
  await expect(page.locator('.ant-modal-confirm-title', { hasText: '离开此页面？' })).toBeVisible();
  await page.getByTestId('unsaved-stay').click();
  expect(page.url()).toBe(builderUrl);

  const grantsUrl = builderUrl.replace(/\/builder$/, '/grants');
  await page.goto(grantsUrl);
  // The draft above was never saved; the grant editor starts clean.
  await expect(page.locator('[data-testid="grants-editor"][data-hydrated="true"]')).toBeVisible();
  await page.getByTestId('switch-客服-edit').click();
  await page.locator('.fw-shell__sider').getByRole('link', { name: '用户', exact: true }).click();
  await expect(page.locator('.ant-modal-confirm-title', { hasText: '离开此页面？' })).toBeVisible();
  await page.getByTestId('unsaved-stay').click();
  expect(page.url()).toBe(grantsUrl);
  await page.locator('.fw-shell__sider').getByRole('link', { name: '用户', exact: true }).click();
  await page.getByTestId('unsaved-leave').click();
  await page.waitForURL('**/admin/users');
});

test('21: a record shows its times in Shanghai time, the same in server HTML and browser, without hydration errors', async ({ page }) => {
  await signIn(page, STAFF.email);
  await page.getByTestId('app-cards').getByText('客户').first().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  await page.getByTestId('new-record').click();
  await page.waitForURL('**/new');
  await page.getByLabel('客户名称').fill(`时区测试${RUN}`);
  await page.getByLabel('联系人').fill('韩梅梅');
  await page.getByLabel('手机号').fill('13912345678');
  const before = Date.now();
  await page.getByTestId('record-form-submit').click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  createdBetween = [before, Date.now()];
  recordUrl = page.url();
  const expected = new Set([shanghai(createdBetween[0]), shanghai(createdBetween[1])]);

  await page.reload();
  const shown = (await page.getByTestId('record-created-at').innerText()).trim();
  expect(expected.has(shown), `${shown} in ${[...expected].join(' / ')}`).toBe(true);
  // The server rendered the same text (in UTC it printed a time 8 hours off, then React threw #418).
  const html = await (await page.request.get(recordUrl)).text();
  expect(html).toContain(shown);
  // The list shows the same time in the same format.
  await page.goto(`/apps/${formOfApp(recordUrl)}?sort=updatedAt&order=desc`);
  await expect(page.locator('tbody tr.ant-table-row').filter({ hasText: `时区测试${RUN}` }).getByText(shown)).toBeVisible();
});

test('22: at 390 px the records list and a record page fit the phone, with a drawer menu', async ({ browser }) => {
  const { page, problems, close } = await newPage(browser, 390);
  await signIn(page, STAFF.email);
  await expect(page.locator('.fw-shell__sider')).toBeHidden();
  await page.getByTestId('nav-menu-button').click();
  await expect(page.locator('.fw-shell__drawer').getByRole('link', { name: '工作台' })).toBeVisible();
  await page.keyboard.press('Escape');

  await page.goto(`/apps/${formOfApp(recordUrl)}`);
  await expect(page.locator('tbody tr.ant-table-row').first()).toBeVisible();
  const fits = () => page.evaluate(() => [document.scrollingElement!.scrollWidth, window.innerWidth]);
  const [listWidth, viewport] = await fits();
  expect(listWidth).toBeLessThanOrEqual(viewport);
  await page.screenshot({ path: 'test-results/mobile-390-records-list.png', fullPage: true });

  await page.goto(recordUrl);
  await expect(page.getByTestId('record-created-at')).toBeVisible();
  const [recordWidth] = await fits();
  expect(recordWidth).toBeLessThanOrEqual(viewport);
  // 手机号 on one line, not one digit per line.
  // Measured in one step: the record re-renders into one column once the browser knows its
  // width, and a node measured across that re-render would be gone.
  const phone = page.getByText('13912345678', { exact: true });
  await expect(phone).toBeVisible();
  await expect
    .poll(() => phone.evaluate((el) => ({ lines: el.getClientRects().length, short: el.getBoundingClientRect().height < 30 })))
    .toEqual({ lines: 1, short: true });
  await page.screenshot({ path: 'test-results/mobile-390-record.png', fullPage: true });
  expect(problems.list).toEqual([]);
  await close();
});

test('23: the pages promise only what exists; the delete dialog says who can restore', async ({ page }) => {
  await signIn(page, STAFF.email);
  await page.goto(recordUrl);
  await expect(page.getByText('加密存储')).toBeVisible();
  await expect(page.getByText(/审计日志/)).toHaveCount(0);
  await page.getByTestId('delete-record').click();
  await expect(page.getByText('对这条记录有查看权限的管理员可以在回收站中恢复它')).toBeVisible();
  await expect(page.getByText('删除后记录移入回收站，管理员可以恢复。')).toHaveCount(0);
  await page.getByRole('button', { name: /^删\s*除$/ }).last().click();
  await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
  await page.context().clearCookies();

  // The admin has no view grant in the example: the recycle bin says so instead of restoring.
  await asAdmin(page);
  await page.goto(`/admin/forms/${formOfApp(recordUrl)}/recycle-bin`);
  await expect(page.getByText(`时区测试${RUN}`)).toHaveCount(0);
  await page.goto('/admin/departments');
  await expect(page.getByText(/本部门及下级/)).toHaveCount(0);
  await page.goto('/admin/groups');
  await expect(page.getByText(/可见的行与字段/)).toHaveCount(0);
});

test('24: 打开 on the forms list explains a missing view grant; English has one name for 工作台', async ({ page }) => {
  await asAdmin(page);
  await page.goto('/admin/forms');
  const design = await page.getByRole('link', { name: /设计/ }).first().getAttribute('href');
  const formId = design!.split('/')[3];
  const open = page.getByTestId(`open-app-${formId}`);
  await expect(open).toBeDisabled();
  await open.hover({ force: true });
  await expect(page.getByText(/没有此表单的查看权限/)).toBeVisible();

  await page.goto('/apps');
  await page.getByRole('button', { name: /简体中文/ }).click();
  await page.getByRole('menuitem', { name: /English/ }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en', { timeout: 10_000 });
  await expect(page.locator('.fw-shell__sider').getByRole('link', { name: 'Workbench' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Workbench' })).toBeVisible();
  await expect(page.getByText('Apps', { exact: true })).toHaveCount(0);
});
