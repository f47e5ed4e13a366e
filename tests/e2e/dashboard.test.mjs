// Browser test: the commune's dashboard, training courses and campaigns in a
// 360 px Chromium window (see scripts/e2e.sh for the server and the demo
// data). Read-only: it changes no figure the other browser tests check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill('canboxa');
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(C);
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

async function assertFitsPhone() {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 362, `page is ${width}px wide at 360px`);
}

async function assertLabelled() {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.name || el.id));
  assert.deepEqual(unlabelled, [], 'unlabelled inputs');
}

test('the dashboard draws its charts and shows 1.440 registrations as of 30/11/2025', async () => {
  await page.goto(C);
  await page.getByRole('link', { name: 'Bảng số liệu' }).click();
  await page.getByLabel('Đến ngày').fill('30/11/2025');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForURL(/until=30%2F11%2F2025/);
  const card = page.locator('[data-indicator="contest_registrations"] .figure');
  assert.equal((await card.textContent()).trim(), '1.440');
  // Charts: SVG images with an accessible name, drawn inside the phone's width.
  const chart = page.getByRole('img', { name: /Số người dân được hỗ trợ theo tháng/ });
  assert.ok(await chart.isVisible());
  const box = await chart.boundingBox();
  assert.ok(box.width <= 360, `chart is ${box.width}px wide`);
  assert.ok(await page.getByRole('heading', { name: 'Xếp hạng thôn, tổ dân phố' }).isVisible());
  await assertFitsPhone();
  await assertLabelled();
  await shot('20-dashboard');
  // A village of the ranking has its own dashboard.
  await page.locator('table a[href*="/villages/"]').first().click();
  await page.waitForURL(/\/villages\/\d+\/dashboard/);
  assert.ok(await page.getByRole('heading', { name: /Bảng số liệu: / }).isVisible());
  await assertFitsPhone();
});

test('training courses and campaigns list the reference report\'s records', async () => {
  await page.goto(`${C}/training`);
  assert.ok(await page.getByText('Tập huấn sử dụng Hệ thống Chính quyền số thành phố').isVisible());
  assert.ok(await page.getByText(/Ứng dụng trí tuệ nhân tạo \(AI\)/).first().isVisible());
  await assertFitsPhone();
  await shot('21-training');
  await page.getByRole('link', { name: 'Thêm lớp tập huấn' }).click();
  await assertLabelled();
  await assertFitsPhone();
  await page.goto(`${C}/campaigns`);
  assert.ok(await page.getByText('Chủ nhật xanh').first().isVisible());
  await assertFitsPhone();
  await shot('22-campaigns');
  await page.getByRole('link', { name: 'Thêm đợt ra quân' }).click();
  await assertLabelled();
  await assertFitsPhone();
});
