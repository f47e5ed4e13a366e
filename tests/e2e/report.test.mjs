// Browser test: the commune officer answers the Department's request
// 4675/SKHCN-CNTT in a 360 px Chromium window and downloads the DOCX and the
// PDF (see scripts/e2e.sh for the server and the demo data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
const C = `${BASE}/communes/11914`;
mkdirSync(SHOTS, { recursive: true });

let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 }, locale: 'vi-VN', acceptDownloads: true,
  });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

test('an officer answers 4675/SKHCN-CNTT and downloads the DOCX and the PDF', async () => {
  const started = Date.now();
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill('canboxa');
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(C);

  await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo' }).click();
  await page.waitForURL(`${C}/reports`);
  assert.ok(await page.getByText('Công văn số 4675/SKHCN-CNTT ngày 19/12/2025').isVisible());
  await page.getByRole('link', { name: 'Lập báo cáo' }).first().click();
  await page.waitForURL(/\/reports\/new\?request=/);
  // The form comes filled from the request and the template: the as-of
  // date asked for, the subject, the body with its figures as placeholders.
  assert.equal(await page.getByLabel('Số liệu tính đến ngày').inputValue(), '30/11/2025');
  assert.match(await page.getByLabel('Nội dung báo cáo').inputValue(), /\{members\}/);
  await page.getByLabel('Họ và tên người ký').fill('Vũ Hữu Vững');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 362, `the form is ${width}px wide at 360px`);

  // Preview first: every figure links to its records.
  await page.getByRole('button', { name: 'Xem trước' }).click();
  const contest = page.locator('.paper a.fig', { hasText: '1.440' });
  assert.equal(await contest.count(), 1);
  assert.match(await contest.getAttribute('href'), /\/indicators\/contest_registrations\?as_of=30\/11\/2025$/);
  await shot('20-report-preview');

  await page.getByRole('button', { name: 'Tạo báo cáo' }).click();
  await page.waitForURL(/\/reports\/\d+/);
  assert.match(await page.locator('h1').textContent(), /phiên bản 1/);
  const paper = await page.locator('.paper').textContent();
  // The counts agree with the API on the same date (other browser tests
  // add a village before this one runs, so they are read, not assumed).
  const api = await (await page.request.get(`${BASE}/api/v1/communes/11914/indicators?as_of=2025-11-30`)).json();
  const shown = (code) => api.indicators.find((i) => i.code === code).display;
  for (const expected of [`${shown('villages')} thôn`, `${shown('members')} thành viên`,
    `${shown('teams')} Tổ Công nghệ số`, shown('coverage'), '1907/QĐ-UBND', '31/10/2025',
    'https://zalo.me/g/xuubpv554', '1643/UBND-VHXH', '1688/VHXH', '2086/UBND-VHXH', '1.440', 'Vũ Hữu Vững']) {
    assert.ok(paper.includes(expected), `the report lacks «${expected}»`);
  }
  await shot('21-report');

  for (const [ext, magic] of [['docx', 'PK'], ['pdf', '%PDF']]) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: new RegExp(`\\.${ext}$`) }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `bao-cao-4675-SKHCN-CNTT-11914-v1.${ext}`);
    const bytes = readFileSync(await download.path());
    assert.ok(bytes.length > 1000, `${ext} has ${bytes.length} bytes`);
    assert.equal(bytes.subarray(0, magic.length).toString('latin1'), magic);
  }
  // Not asserted (no wall-clock limits in tests): printed for the record.
  console.log(`answered the request and downloaded both files in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // A figure leads to the records behind it.
  await page.locator('.paper a.fig', { hasText: shown('members') }).first().click();
  await page.waitForURL(/\/indicators\/members\?as_of=30\/11\/2025/);
  assert.ok(await page.getByText(shown('members')).first().isVisible());
});
