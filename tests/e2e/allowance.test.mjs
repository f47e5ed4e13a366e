// Browser test: who worked which day (issue 22), walked as the demo commune
// officer on a phone. November 2025 opens with the example policy of Hải
// Phòng; a team's attendance sheet shows the support log ("H") and duty
// days ("T"); the allowance list downloads as XLSX and PDF (the PDF's grand
// total is the page's); the month is approved; a duty day deleted later
// (a correction of the records) shows as a difference against the approved
// month, whose total does not move. The officer's pages fit 360 px.
// The Rust test crates/web/tests/allowance.rs corrects a support entry the
// same way and reads the XLSX back. See scripts/e2e.sh for the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
const C = `${BASE}/communes/11914`;
const PHONE = { width: 360, height: 740 };
mkdirSync(SHOTS, { recursive: true });

let browser;
let page;
const shared = {};

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN', acceptDownloads: true });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

async function assertFitsPhone() {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 362, `page is ${width}px wide at 360px`);
}

/** "1.400.000 đ" → 1400000. */
const amount = (text) => Number(text.replace(/[^\d]/g, ''));

/** The grand total in the list's last row. */
async function grandTotal() {
  const cell = page.locator('table.allowance tr.total').last().locator('td').last();
  return amount(await cell.textContent());
}

test('the officer opens November 2025: the policy, every team, the list', async () => {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill('canboxa');
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));

  await page.getByRole('link', { name: 'Chi trả' }).click();
  await page.getByLabel('Tháng').fill('2025-11');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForURL(/month=2025-11/);
  assert.ok(await page.getByRole('heading', { name: 'Ngày hoạt động và chi trả tháng 11/2025' }).isVisible());
  assert.ok(await page.getByText('ví dụ minh họa', { exact: false }).first().isVisible(), 'the example policy is marked');
  assert.ok(await page.getByText('Chưa duyệt', { exact: false }).isVisible());
  shared.total = await grandTotal();
  assert.ok(shared.total > 0);
  // The grand total is the sum of the teams' subtotals.
  const subtotals = await page.locator('table.allowance tr.total').evaluateAll((rows) =>
    rows.slice(0, -1).map((r) => Number(r.lastElementChild.textContent.replace(/[^\d]/g, ''))));
  assert.equal(subtotals.reduce((a, b) => a + b, 0), shared.total);
  await assertFitsPhone();
  await shot('60-allowances-november');
});

test("a team's attendance sheet shows the support log and the duty days", async () => {
  await page.getByRole('link', { name: 'Tổ công nghệ số cộng đồng Tổ dân phố 1', exact: true }).first().click();
  await page.waitForURL(/\/days\?month=2025-11/);
  assert.ok(await page.getByRole('heading', { name: 'Bảng chấm công tháng 11/2025' }).isVisible());
  const marks = await page.locator('table.sheet td.day').allTextContents();
  assert.ok(marks.some((m) => m.includes('H')), 'a support day');
  assert.ok(marks.some((m) => m.includes('T')), 'a duty day');
  assert.ok(await page.getByText('Bộ phận một cửa đặc khu Cát Hải', { exact: false }).first().isVisible());
  await assertFitsPhone();
  await shot('61-attendance-sheet');
  shared.sheet = page.url();
});

test('the list downloads as XLSX and PDF; the PDF carries the same total', async () => {
  await page.goto(`${C}/allowances?month=2025-11`);
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Tải Excel (XLSX)' }).click(),
  ]);
  assert.equal(xlsx.suggestedFilename(), 'chi-tra-11914-2025-11.xlsx');
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');
  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Tải PDF' }).click(),
  ]);
  assert.equal(pdf.suggestedFilename(), 'chi-tra-11914-2025-11.pdf');
  const work = mkdtempSync(join(tmpdir(), 'toso-allowance-'));
  const file = join(work, 'list.pdf');
  writeFileSync(file, readFileSync(await pdf.path()));
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
  assert.match(text, /11\/2025/);
  const written = shared.total.toLocaleString('de-DE');
  assert.ok(text.includes(written), `the PDF has the total ${written}`);
});

test('approved, the month is frozen; a later correction shows as a difference', async () => {
  await page.getByRole('button', { name: 'Duyệt bảng chi trả tháng 11/2025' }).click();
  await page.waitForURL(/month=2025-11/);
  assert.ok(await page.getByText('Đã duyệt', { exact: false }).first().isVisible());
  await shot('62-allowances-approved');

  // A duty day of Tổ dân phố 1 entered by mistake is deleted.
  await page.goto(shared.sheet);
  await page.getByRole('button', { name: 'Xóa' }).first().click();
  await page.waitForURL(/deleted/);
  assert.ok(await page.getByText('Đã xóa.').isVisible());

  await page.goto(`${C}/allowances?month=2025-11`);
  assert.ok(await page.getByRole('heading', { name: 'Chênh lệch so với bảng đã duyệt' }).isVisible());
  assert.equal(await grandTotal(), shared.total, 'the approved list does not move');
  await assertFitsPhone();
  await shot('63-allowances-difference');
});

test("the province officer sees every commune's month at 360 px and goes down to Cát Hải's list", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
  const province = await context.newPage();
  await province.goto(`${BASE}/login`);
  await province.getByLabel('Tên đăng nhập hoặc số điện thoại').fill('sokhcn');
  await province.getByLabel('Mật khẩu').fill('toso-demo');
  await province.getByRole('button', { name: 'Đăng nhập' }).click();
  await province.waitForURL(/\/provinces\/31$/);

  // From the menu, not a typed address.
  await province.getByRole('navigation', { name: 'Mục chính' }).getByRole('link', { name: 'Chi trả theo tháng' }).click();
  await province.waitForURL(/\/provinces\/31\/allowances/);
  await province.getByLabel('Tháng').fill('2025-11');
  await province.getByRole('button', { name: 'Xem' }).click();
  await province.waitForURL(/month=2025-11/);
  assert.ok(await province.getByRole('heading', { name: 'Chi trả cho Tổ công nghệ số cộng đồng tháng 11/2025' }).isVisible());

  // Cát Hải's row is its approved list (the officer's test above), with the
  // correction made since counted beside it.
  const catHai = province.locator('tr[data-commune="11914"]');
  assert.equal(amount(await catHai.locator('td').nth(4).textContent()), shared.total);
  assert.match(await catHai.textContent(), /Đã duyệt/);
  assert.match(await catHai.textContent(), /Hồ sơ đã sửa sau khi duyệt: \d+ dòng khác/);
  // A row for every commune of Hải Phòng; the footer is their sum.
  assert.equal(await province.locator('tbody tr[data-commune]').count(), 114);
  const rows = await province.locator('tbody tr[data-commune]').evaluateAll((trs) =>
    trs.map((tr) => Number(tr.querySelectorAll('td')[4].textContent.replace(/[^\d]/g, ''))));
  const footer = amount(await province.locator('tfoot td').nth(4).textContent());
  assert.equal(rows.reduce((a, b) => a + b, 0), footer);
  assert.equal(amount(await province.locator('[data-total="amount"]').textContent()), footer);
  // The province's policy is said once, above the table, not in every row.
  assert.match(await province.locator('[data-policy]').textContent(),
    /chính sách của tỉnh, từ \d\d\/\d\d\/\d{4}: áp dụng cho 114\/114 xã\./);
  const body = await province.locator('main').textContent();
  assert.equal(body.split('ví dụ minh họa').length - 1, 1, 'the policy\'s title once');
  const wide = await province.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 362, `the page is ${wide}px wide at 360px`);
  await province.screenshot({ path: `${SHOTS}/64-province-allowances.png` });

  // Down to the commune's own list of that month.
  await catHai.locator('th a').click();
  await province.waitForURL(/\/communes\/11914\/allowances\?month=2025-11/);
  const cell = province.locator('table.allowance tr.total').last().locator('td').last();
  assert.equal(amount(await cell.textContent()), shared.total);
  await context.close();
});
