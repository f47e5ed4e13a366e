// Browser test: the JSON API as a commune officer meets it on a phone
// (issue 23). The officer creates a read-and-write token at /account, opens
// the API's reference page from there (every route of the OpenAPI document
// listed, the page fits 360 px), reads the commune's figures with the token
// and logs an activity twice with one Idempotency-Key (one activity); then
// creates a service token for the commune's systems, and revokes it. See
// scripts/e2e.sh for the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
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
  const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
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

/** The secret shown once after a token is created. */
async function newSecret() {
  const secret = await page.getByRole('status').locator('code').textContent();
  assert.match(secret, /^toso_[0-9a-f]{64}$/);
  return secret;
}

test('the officer creates a write token and opens the reference page', async () => {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill('canboxa');
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await page.goto(`${BASE}/account`);
  await page.getByLabel('Tên mã (để nhớ dùng vào việc gì)').fill('Thử API trên điện thoại');
  await page.getByLabel('Quyền').selectOption({ label: 'Đọc và ghi' });
  await page.getByRole('button', { name: 'Tạo mã truy cập' }).click();
  shared.token = await newSecret();
  assert.ok(await page.getByRole('cell', { name: 'Đọc và ghi' }).first().isVisible());
  await assertFitsPhone();

  await page.getByRole('link', { name: 'tài liệu API' }).click();
  await page.waitForURL(/\/api\/v1\/docs$/);
  const doc = await (await page.request.get(`${BASE}/api/v1/openapi.json`)).json();
  assert.equal(doc.openapi, '3.1.0');
  const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  assert.ok(routes.length >= 20, `${routes.length} routes`);
  for (const route of routes) {
    assert.ok(await page.locator('.api-toc').getByText(route, { exact: true }).count() === 1, `${route} listed`);
  }
  assert.ok(await page.locator('#problem-idempotency-mismatch').isVisible());
  await assertFitsPhone();
  await shot('api-docs');
});

test('the token reads the figures and logs an activity once per key', async () => {
  const headers = { Authorization: `Bearer ${shared.token}` };
  const figures = await page.request.get(`${BASE}/api/v1/communes/11914/indicators?as_of=2025-11-30`, { headers });
  assert.equal(figures.status(), 200);
  const table = await figures.json();
  assert.equal(table.indicators.find((i) => i.key === 'villages').value, 58);
  const count = async () => {
    const rows = await (await page.request.get(`${BASE}/api/v1/communes/11914/activities?by=category`, { headers })).json();
    return rows.rows.reduce((sum, r) => sum + r.activities, 0);
  };
  const before = await count();
  const send = () => page.request.post(`${BASE}/api/v1/communes/11914/teams/1/activities`, {
    headers: { ...headers, 'Idempotency-Key': 'e2e-api-1' },
    data: { activity_date: new Date().toISOString().slice(0, 10), category: 'vneid', citizens_helped: 1 },
  });
  const first = await send();
  assert.equal(first.status(), 201, await first.text());
  const again = await send();
  assert.equal(again.status(), 201);
  assert.equal(again.headers()['idempotent-replayed'], 'true');
  assert.deepEqual(await again.json(), await first.json());
  assert.equal(await count(), before + 1);
  // A refusal is a problem document in Vietnamese, naming the field.
  const refused = await page.request.post(`${BASE}/api/v1/communes/11914/teams/1/activities`, {
    headers, data: { activity_date: '2025-11-20', category: 'vneid', citizens_helped: 'ba' },
  });
  assert.equal(refused.status(), 422);
  assert.equal(refused.headers()['content-type'], 'application/problem+json');
  const problem = await refused.json();
  assert.equal(problem.field, 'citizens_helped');
  assert.equal(problem.title, 'Dữ liệu chưa hợp lệ');
});

test('the officer creates a service token for the commune and revokes it', async () => {
  await page.goto(`${BASE}/communes/11914/service-tokens`);
  await page.getByLabel('Tên hệ thống dùng mã').fill('Phần mềm một cửa');
  await page.getByRole('button', { name: 'Tạo mã truy cập' }).click();
  const secret = await newSecret();
  await assertFitsPhone();
  await shot('service-tokens');
  const headers = { Authorization: `Bearer ${secret}` };
  const read = await page.request.get(`${BASE}/api/v1/communes/11914`, { headers });
  assert.equal(read.status(), 200);
  const write = await page.request.post(`${BASE}/api/v1/communes/11914/teams/1/activities`, {
    headers, data: { activity_date: '2025-11-20', category: 'vneid', citizens_helped: 1 },
  });
  assert.equal(write.status(), 403, 'a read token does not write');
  assert.equal((await write.json()).type, '/api/v1/docs#problem-read-only-token');
  await Promise.all([
    page.waitForURL(/saved/),
    page.getByRole('button', { name: /Thu hồi/ }).first().click(),
  ]);
  const after = await page.request.get(`${BASE}/api/v1/communes/11914`, { headers });
  assert.equal(after.status(), 401);
});
