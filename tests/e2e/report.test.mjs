// Browser test: the reporting cycle of the Department's request
// 4675/SKHCN-CNTT in a 360 px Chromium window (see scripts/e2e.sh for the
// server and the demo data, where Cát Hải's report is already accepted and
// a dozen other communes of Hải Phòng are in every state): the province
// reopens Cát Hải's report; the commune makes a new version, previews it,
// downloads the DOCX and the PDF and submits it; the province returns it
// with a comment; the commune sees the comment, makes another version and
// resubmits; the province accepts; a later change of a member leaves the
// accepted figures as they were; the board shows submitted, on-time and
// late communes; the province makes its consolidated report and downloads
// its DOCX, PDF and XLSX (page 1 of the PDF kept as a PNG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
const C = `${BASE}/communes/11914`;
mkdirSync(SHOTS, { recursive: true });

let browser;
let context;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({
    viewport: { width: 360, height: 740 }, locale: 'vi-VN', acceptDownloads: true,
  });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });


/** Sign in as `user` (after signing out whoever was signed in). */
async function signIn(user) {
  await context.clearCookies();
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill(user);
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

const state = async () => (await page.locator('#cycle-state').textContent()).trim();

/** Download the file behind the link named `name`; returns its name and bytes. */
async function download(name) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name }).first().click(),
  ]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

test('the cycle of 4675/SKHCN-CNTT, the board and the consolidated report', async () => {
  const started = Date.now();

  // The province's officer: the board, where the demo's communes are in
  // every state; Cát Hải's version 1 is accepted.
  await signIn('sokhcn');
  await page.goto(`${BASE}/provinces/31/requests`);
  await page.getByRole('link', { name: 'Xem tình hình báo cáo' }).first().click();
  await page.waitForURL(/\/provinces\/31\/requests\/\d+$/);
  const board = page.url();
  const catHai = page.locator('tr[data-commune="11914"]');
  assert.match(await catHai.textContent(), /Sở đã chấp nhận/);
  assert.match(await catHai.textContent(), /Đúng hạn/);
  assert.ok(await page.locator('tr[data-state="submitted"]').count() >= 2, 'reports awaiting review');
  assert.ok(await page.locator('td', { hasText: /^Trễ \d+ ngày$/ }).count() >= 1, 'a late report');
  assert.ok(await page.locator('td', { hasText: /^Quá hạn \d+ ngày$/ }).count() >= 1, 'overdue communes');
  assert.equal(await page.locator('tr[data-commune]').count(), 114, 'every commune of Hải Phòng');
  await shot('22-board');

  // Reopened with a reason.
  await catHai.getByRole('link', { name: 'bản 1' }).click();
  await page.waitForURL(/\/communes\/11914\/reports\/\d+$/);
  await page.getByLabel('Lý do mở lại').fill('Cập nhật số liệu thôn mới thành lập');
  await page.getByRole('button', { name: 'Mở lại báo cáo' }).click();
  await page.waitForURL(/\?saved$/);
  assert.equal(await state(), 'Sở trả lại');

  // The commune's officer makes version 2 from the form.
  await signIn('canboxa');
  await page.waitForURL(C);
  await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo' }).click();
  await page.waitForURL(`${C}/reports`);
  assert.ok(await page.getByText('Công văn số 4675/SKHCN-CNTT ngày 19/12/2025').isVisible());
  await page.getByRole('link', { name: 'Lập phiên bản mới' }).first().click();
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
  assert.match(await page.locator('h1').textContent(), /phiên bản 2/);
  const v2 = page.url().replace(/\?.*$/, '');
  const paper = await page.locator('.paper').textContent();
  // The counts agree with the API on the same date (other browser tests
  // add a village and members before this one runs, so they are read, not
  // assumed).
  const api = await (await page.request.get(`${BASE}/api/v1/communes/11914/indicators?as_of=2025-11-30`)).json();
  const shown = (code) => api.indicators.find((i) => i.key === code).display;
  for (const expected of [`${shown('villages')} thôn`, `${shown('members')} thành viên`,
    `${shown('teams')} Tổ Công nghệ số`, shown('coverage'), '1907/QĐ-UBND', '31/10/2025',
    'https://zalo.me/g/xuubpv554', '1643/UBND-VHXH', '1688/VHXH', '2086/UBND-VHXH', '1.440', 'Vũ Hữu Vững']) {
    assert.ok(paper.includes(expected), `the report lacks «${expected}»`);
  }
  await shot('21-report');

  for (const [ext, magic] of [['docx', 'PK'], ['pdf', '%PDF']]) {
    const file = await download(new RegExp(`\\.${ext}$`));
    assert.equal(file.name, `bao-cao-4675-SKHCN-CNTT-11914-v2.${ext}`);
    assert.ok(file.bytes.length > 1000, `${ext} has ${file.bytes.length} bytes`);
    assert.equal(file.bytes.subarray(0, magic.length).toString('latin1'), magic);
  }
  await page.getByRole('button', { name: 'Gửi phiên bản 2 lên Sở' }).click();
  await page.waitForURL(/\?saved$/);
  assert.equal(await state(), 'Đã gửi, chờ Sở xem xét');

  // The province returns it with a comment.
  await signIn('sokhcn');
  await page.goto(v2);
  await page.getByLabel('Góp ý khi trả lại').fill('Ghi rõ số hồ sơ dịch vụ công trực tuyến theo từng thôn');
  await page.getByRole('button', { name: 'Trả lại cho xã' }).click();
  await page.waitForURL(/\?saved$/);
  assert.equal(await state(), 'Sở trả lại');

  // The commune sees the comment on its home, in its notices and on the
  // report, makes version 3 from version 2 and resubmits.
  await signIn('canboxa');
  await page.waitForURL(C);
  assert.ok(await page.getByText(/Ghi rõ số hồ sơ dịch vụ công trực tuyến/).first().isVisible(), 'the comment on the home page');
  await page.getByRole('link', { name: 'Thông báo' }).click();
  await page.waitForURL(`${BASE}/notices`);
  assert.ok(await page.getByText('Ý kiến của Sở: Ghi rõ số hồ sơ dịch vụ công trực tuyến theo từng thôn').isVisible());
  await shot('23-notices');
  await page.goto(v2);
  assert.ok(await page.getByText(/^Sở trả lại: Ghi rõ số hồ sơ/).isVisible(), 'the comment on the report');
  await page.getByRole('link', { name: 'Tạo phiên bản mới từ phiên bản này' }).click();
  await page.waitForURL(/\/reports\/new\?/);
  await page.getByRole('button', { name: 'Tạo báo cáo' }).click();
  await page.waitForURL(/\/reports\/\d+/);
  assert.match(await page.locator('h1').textContent(), /phiên bản 3/);
  const v3 = page.url().replace(/\?.*$/, '');
  await page.getByRole('button', { name: 'Gửi phiên bản 3 lên Sở' }).click();
  await page.waitForURL(/\?saved$/);

  // The province accepts: the figures are locked.
  await signIn('sokhcn');
  await page.goto(v3);
  await page.getByRole('button', { name: 'Chấp nhận' }).click();
  await page.waitForURL(/\?saved$/);
  assert.equal(await state(), 'Sở đã chấp nhận');
  const accepted = await page.locator('.paper').textContent();

  // A later change of a member (one more in a team, from before the as-of
  // date) changes the live figure, not the accepted version.
  await signIn('canboxa');
  await page.goto(`${C}/teams`);
  await page.getByRole('link', { name: 'Tổ công nghệ số cộng đồng Thôn Thử Nghiệm' }).click();
  await page.getByLabel('Họ và tên').fill('Đỗ Văn Bình');
  await page.getByLabel('Chức danh trong tổ').selectOption({ label: 'Thành viên' });
  await page.getByLabel('Chức vụ / đơn vị').selectOption({ label: 'Hội Nông dân' });
  await page.getByLabel('Ngày tham gia').fill('01/11/2025');
  await page.getByRole('button', { name: 'Thêm thành viên' }).click();
  await page.waitForURL(/\?saved/);
  const live = await (await page.request.get(`${BASE}/api/v1/communes/11914/indicators?as_of=2025-11-30`)).json();
  const liveMembers = live.indicators.find((i) => i.key === 'members').display;
  assert.notEqual(liveMembers, shown('members'), 'the live figure moved');
  await page.goto(v3);
  assert.equal(await page.locator('.paper').textContent(), accepted, 'the accepted version is unchanged');
  assert.ok(!accepted.includes(`${liveMembers} thành viên`));

  // The province's consolidated report, summed from the accepted versions.
  await signIn('sokhcn');
  await page.goto(board);
  assert.match(await catHai.textContent(), /Sở đã chấp nhận/);
  await page.getByRole('link', { name: 'Báo cáo tổng hợp của Sở' }).click();
  await page.waitForURL(/\/report$/);
  await page.getByLabel('Họ và tên người ký').fill('Nguyễn Văn Giám');
  await page.getByRole('button', { name: 'Xem trước' }).click();
  assert.ok(await page.locator('.paper').isVisible());
  await page.getByRole('button', { name: 'Tạo báo cáo' }).click();
  await page.waitForURL(/\/report\/1(\?saved)?$/);
  const consolidated = await page.locator('.paper').textContent();
  assert.ok(consolidated.includes('SỞ KHOA HỌC VÀ CÔNG NGHỆ'));
  assert.ok(consolidated.includes('4675/SKHCN-CNTT'));
  assert.ok(await page.getByRole('link', { name: 'Đặc khu Cát Hải — phiên bản 3' }).isVisible(), 'the version it sums');
  await shot('24-consolidated');
  const files = {};
  for (const [label, ext, magic] of [['Tải DOCX', 'docx', 'PK'], ['Tải PDF', 'pdf', '%PDF'], ['Tải phụ lục XLSX', 'xlsx', 'PK']]) {
    const file = await download(label);
    assert.equal(file.name, `bao-cao-tong-hop-4675-SKHCN-CNTT-31-v1.${ext}`);
    assert.equal(file.bytes.subarray(0, magic.length).toString('latin1'), magic);
    files[ext] = file.bytes;
  }
  // Page 1 of the PDF, kept as a PNG; its text has the Department's heading.
  const pdf = `${SHOTS}/consolidated.pdf`;
  writeFileSync(pdf, files.pdf);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdf, `${SHOTS}/25-consolidated-pdf-page1`]);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
  assert.ok(text.includes('SỞ KHOA HỌC VÀ CÔNG NGHỆ'), 'the PDF names the Department');
  assert.ok(text.includes('/BC-SKHCN'));
  console.log(`walked the cycle and made the consolidated report in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
