// Browser test: citizens reach their village team (issue 20), walked as a
// new user would on a phone. The commune officer downloads the poster of
// Tổ dân phố 1 (page 1 kept as test-artifacts/poster-page1.png) and its QR
// code is decoded (zbarimg, Debian package zbar-tools); a citizen with no
// account opens the decoded address in a 360 px window (a small page, no
// horizontal scroll at 320 px), sends a request and gets a tracking code;
// the team's member takes it and closes it as done with 2 citizens helped;
// the citizen's status page then says so, and the commune's "citizens
// helped" grew by 2; the demo's overdue request is flagged for the officer.
// See scripts/e2e.sh for the server (`toso serve --demo`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
// The run keeps test-artifacts/: the poster's first page lands beside the screenshots.
const ARTIFACTS = dirname(SHOTS);
const C = `${BASE}/communes/11914`;
const PHONE = { width: 360, height: 740 };
mkdirSync(SHOTS, { recursive: true });

// The citizen of this test (synthetic).
const CITIZEN = { name: 'Lê Thị Dân', phone: '0987 654 321', digits: '0987654321' };
const DESCRIPTION = 'Cài lại ứng dụng VNeID trên điện thoại mới';

let browser;
let officer; // the commune officer's page (canboxa)
let citizen; // the citizen's page: a fresh context, no cookies
let member; // the team member's page (thanhvien)
const shared = {};

/** A Debian tool the test needs, or a clear failure naming its package. */
function tool(name, args, pkg) {
  try {
    return execFileSync(name, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') {
      assert.fail(`${name} is missing: install the Debian package ${pkg}`);
    }
    throw e;
  }
}

async function phonePage(options = {}) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN', ...options });
  return context.newPage();
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  officer = await phonePage({ acceptDownloads: true });
  citizen = await phonePage();
  member = await phonePage();
});

after(async () => {
  await browser?.close();
});

const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** Sign in through the login form. */
async function signIn(page, user) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill(user);
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** The commune's citizens helped to date: the overview card, checked against the JSON API. */
async function citizensHelped() {
  await officer.goto(C);
  const card = officer.locator('.card', { hasText: 'Số người dân được hỗ trợ' }).first();
  const shown = Number((await card.locator('.figure').textContent()).trim().replaceAll('.', ''));
  const response = await officer.request.get(`${BASE}/api/v1/communes/11914/indicators`);
  assert.equal(response.status(), 200);
  const api = (await response.json()).indicators.find((i) => i.key === 'citizens_helped');
  assert.equal(api.value, shown, 'the overview and the API agree');
  return shown;
}

test('the commune officer downloads the poster of Tổ dân phố 1; its QR code opens this server', async () => {
  await signIn(officer, 'canboxa');
  shared.helpedBefore = await citizensHelped();

  await officer.goto(`${C}/teams`);
  await officer.getByRole('link', { name: 'Tổ công nghệ số cộng đồng Tổ dân phố 1', exact: true }).click();
  await officer.waitForURL(/\/teams\/\d+$/);
  await shot(officer, '40-team-poster-link');
  const [download] = await Promise.all([
    officer.waitForEvent('download'),
    officer.getByRole('link', { name: 'Tải áp phích (PDF)' }).click(),
  ]);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-', 'the poster is a PDF');
  assert.match(download.suggestedFilename(), /^ap-phich-[A-Z0-9]{8}\.pdf$/);
  const work = mkdtempSync(join(tmpdir(), 'toso-poster-'));
  const pdf = join(work, 'poster.pdf');
  writeFileSync(pdf, bytes);

  // Page 1 as a PNG, kept; its QR codes decoded: the village page's and the Zalo group's.
  tool('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, join(ARTIFACTS, 'poster-page1')], 'poppler-utils');
  const png = join(ARTIFACTS, 'poster-page1.png');
  const decoded = tool('zbarimg', ['--raw', '-q', png], 'zbar-tools').toString().split('\n').map((l) => l.trim()).filter(Boolean);
  const village = decoded.find((l) => /\/v\/[A-Z0-9]{8}$/.test(l));
  assert.ok(village, `no village address among the poster's QR codes: ${decoded.join(', ')}`);
  assert.ok(village.startsWith(`${BASE}/v/`), `the QR code leads elsewhere: ${village}`);
  shared.village = village;

  // The leader listed on the poster, whom the village page must show too.
  const text = tool('pdftotext', ['-layout', pdf, '-'], 'poppler-utils').toString();
  assert.match(text, /TỔ DÂN PHỐ 1/);
  const row = text.match(/^\s*(\S.*?)\s{2,}Tổ trưởng\s/m);
  assert.ok(row, `no leader listed on the poster:\n${text}`);
  shared.leader = row[1];
});

test('a citizen with no account opens the village page on a phone: small, no script, fits 320 px', async (t) => {
  assert.ok(shared.village, 'the poster step decoded the address');
  const responses = [];
  citizen.on('response', (r) => responses.push(r));
  const response = await citizen.goto(shared.village);
  assert.equal(response.status(), 200);
  await citizen.waitForLoadState('load');
  assert.equal((await citizen.locator('h1').textContent()).trim(), 'Tổ dân phố 1');
  assert.ok(await citizen.getByText(shared.leader, { exact: true }).first().isVisible(), `the leader ${shared.leader} is listed`);
  assert.ok(await citizen.getByRole('button', { name: 'Gửi yêu cầu' }).isVisible());

  // What the phone downloads: the page and the stylesheet, compressed as served.
  const fetched = responses.filter((r) => !r.url().endsWith('/favicon.ico'));
  const paths = fetched.map((r) => new URL(r.url()).pathname).sort();
  assert.deepEqual(paths, [new URL(shared.village).pathname, '/static/app.css'].sort(), 'only the page and its stylesheet');
  let total = 0;
  for (const r of fetched) {
    const sizes = await r.request().sizes();
    total += sizes.responseBodySize + sizes.responseHeadersSize;
  }
  assert.ok(await response.headerValue('content-encoding'), 'the page is served compressed');
  t.diagnostic(`the village page and its stylesheet: ${total} bytes transferred`);
  assert.ok(total <= 20 * 1024, `the village page weighs ${total} bytes (at most 20 KB)`);
  assert.equal(await citizen.evaluate(() => document.scripts.length), 0, 'no script');
  await shot(citizen, '41-citizen-village');

  await citizen.setViewportSize({ width: 320, height: 740 });
  const width = await citizen.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `the village page is ${width}px wide at 320px`);
  await shot(citizen, '42-citizen-village-320');
  await citizen.setViewportSize(PHONE);
});

test('the citizen sends a request and gets a tracking code, without name or phone on the page', async () => {
  await citizen.getByLabel('Cần hỗ trợ về').selectOption({ label: 'VNeID / định danh điện tử' });
  await citizen.getByLabel('Nội dung (không bắt buộc)').fill(DESCRIPTION);
  await citizen.getByLabel('Họ và tên').fill(CITIZEN.name);
  await citizen.getByLabel('Số điện thoại').fill(CITIZEN.phone);
  await citizen.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  await citizen.waitForURL(/\/tra-cuu\/[A-Z0-9]{8}\?moi$/);
  const code = (await citizen.locator('strong.code').textContent()).trim();
  assert.match(code, /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/, 'a code of 8 characters shown as XXXX-XXXX');
  const heading = (await citizen.getByRole('heading', { level: 2 }).first().textContent()).trim();
  assert.equal(heading, `Yêu cầu ${code}: đã tiếp nhận, đang chờ tổ liên hệ`);
  const body = await citizen.content();
  for (const secret of [CITIZEN.name, CITIZEN.phone, CITIZEN.digits, DESCRIPTION]) {
    assert.ok(!body.includes(secret), `the status page shows «${secret}»`);
  }
  await shot(citizen, '43-citizen-status');
  await citizen.setViewportSize({ width: 320, height: 740 });
  const width = await citizen.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `the status page is ${width}px wide at 320px`);
  await citizen.setViewportSize(PHONE);
  shared.code = code;
  shared.status = citizen.url().replace(/\?moi$/, '');
});

test('the team member takes the request and closes it as done with 2 citizens helped', async () => {
  assert.ok(shared.code, 'the citizen step sent a request');
  await signIn(member, 'thanhvien');
  await member.getByRole('link', { name: 'Yêu cầu của dân', exact: true }).click();
  await member.waitForURL(/\/communes\/11914\/requests$/);
  const row = member.getByRole('row', { name: new RegExp(shared.code) });
  assert.match(await row.textContent(), new RegExp(CITIZEN.name), 'the team sees who to call');
  await shot(member, '44-member-queue');
  await row.getByRole('link', { name: shared.code }).click();
  await member.waitForURL(/\/requests\/\d+$/);
  assert.equal((await member.locator('h1').textContent()).trim(), `Yêu cầu ${shared.code}`);
  assert.ok(await member.getByRole('link', { name: /^Gọi 0987 654 321$/ }).isVisible(), 'a tap to call the citizen');

  await member.getByRole('button', { name: 'Nhận hỗ trợ' }).click();
  await member.waitForURL(/\?saved/);
  assert.match(await member.locator('.facts').textContent(), /Đang hỗ trợ/);
  await member.getByLabel('Số người được hỗ trợ').fill('2');
  await member.getByRole('button', { name: 'Đóng: đã hỗ trợ' }).click();
  await member.waitForURL(/\?saved/);
  assert.match(await member.locator('.facts').textContent(), /Đã hỗ trợ/);
  assert.ok(await member.getByText('Lượt hỗ trợ đã ghi').isVisible(), 'the closing recorded an activity');
  await shot(member, '45-member-request-done');
});

test('the citizen reloads the status page: done', async () => {
  await citizen.goto(shared.status);
  const heading = (await citizen.getByRole('heading', { level: 2 }).first().textContent()).trim();
  assert.equal(heading, `Yêu cầu ${shared.code}: đã hỗ trợ`);
  assert.ok(!(await citizen.content()).includes(CITIZEN.name));
  await shot(citizen, '46-citizen-status-done');
});

test('the commune counts the 2 citizens helped at once', async () => {
  assert.equal(await citizensHelped(), shared.helpedBefore + 2);
});

test('the officer sees the overdue request escalated to the quick-response team', async () => {
  await officer.goto(`${C}/requests?overdue=1`);
  const rows = officer.locator('tbody tr');
  assert.ok(await rows.count() >= 1, 'the demo has an overdue request');
  for (const text of await rows.allTextContents()) {
    assert.match(text, /Quá hạn, đã chuyển Đội phản ứng nhanh/);
    assert.ok(!text.includes(shared.code), 'the request just closed is not overdue');
  }
  await shot(officer, '47-officer-overdue');
  await officer.goto(C);
  const line = officer.locator('section', { has: officer.getByRole('heading', { name: 'Yêu cầu hỗ trợ của người dân' }) });
  assert.match(await line.textContent(), /\d+ yêu cầu quá hạn, đã chuyển Đội hỗ trợ chuyển đổi số phản ứng nhanh/);
  await shot(officer, '48-overview-overdue');
  await line.getByRole('link', { name: /yêu cầu quá hạn/ }).click();
  await officer.waitForURL(/\/requests\?overdue=1$/);
});
