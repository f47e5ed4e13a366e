// Browser tests: a commune officer's day in a 360 px wide Chromium window,
// against the real toso binary serving the demo commune (see scripts/e2e.sh).
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
});

/** Sign in through the login form, as the demo's commune officer by default. */
async function signIn(user = 'canboxa') {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill(user);
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** The figure shown on the overview card whose label starts with `label`. */
async function figure(label) {
  const card = page.locator('.card', { hasText: label }).first();
  return (await card.locator('.figure').textContent()).trim();
}

/** Every visible form control has a label. */
async function assertLabelled() {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.name || el.id));
  assert.deepEqual(unlabelled, [], 'unlabelled inputs');
}

/** The page fits a 360 px screen: nothing wider than the viewport except scrollable tables. */
async function assertFitsPhone() {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 362, `page is ${width}px wide at 360px`);
}

test('sign in: a wrong password is refused, the right one leads to the commune', async () => {
  await page.goto(C);
  assert.match(page.url(), /\/login\?next=/, 'anonymous users are sent to the login page');
  await assertLabelled();
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill('canboxa');
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  assert.ok(await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').isVisible());
  await shot('00-login');
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(C);
  assert.equal(await page.locator('h1').textContent(), 'Đặc khu Cát Hải');
});

test('the overview shows the reference figures and fits a phone', async () => {
  const response = await page.goto(`${C}?as_of=30/11/2025`);
  const body = await response.body();
  assert.ok(body.length < 100 * 1024, `overview is ${body.length} bytes`);
  assert.equal(await page.locator('h1').textContent(), 'Đặc khu Cát Hải');
  assert.equal(await figure('Số thôn, tổ dân phố'), '58');
  assert.equal(await figure('Số Tổ công nghệ số cộng đồng đã thành lập'), '58');
  assert.equal(await figure('Số thành viên Tổ công nghệ số cộng đồng'), '386');
  assert.equal(await figure('Tỷ lệ Tổ CNSCĐ'), '100%');
  await assertLabelled();
  await assertFitsPhone();
  await shot('01-overview');
});

test('keyboard: the skip link is the first stop and leads to the content', async () => {
  await page.goto(C);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent);
  assert.match(focused, /Bỏ qua/);
  await page.keyboard.press('Enter');
  // Following the link is a navigation within the page that may land after
  // the key press returns: wait for it rather than read the address at once.
  await page.waitForURL(/#main$/, { timeout: 5000 });
  assert.match(page.url(), /#main$/);
});

test('create a village, its team and members, and see the overview change', async () => {
  await page.goto(`${C}/villages/new`);
  await assertLabelled();
  await page.getByLabel('Tên thôn, tổ dân phố').fill('Thôn Thử Nghiệm');
  await page.getByLabel('Ngày bắt đầu hoạt động').fill('01/07/2025');
  await shot('02-village-form');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.waitForURL(/\/villages\?saved/);
  assert.ok(await page.getByRole('cell', { name: 'Thôn Thử Nghiệm', exact: true }).isVisible());
  await shot('03-villages');

  await page.goto(C);
  assert.equal(await figure('Số thôn, tổ dân phố'), '59');
  assert.ok(await page.getByText('Thôn, tổ dân phố chưa có tổ (1)').isVisible());

  await page.goto(`${C}/teams/new`);
  await page.getByLabel('Thôn, tổ dân phố (với Tổ công nghệ số cộng đồng)').selectOption({ label: 'Thôn Thử Nghiệm' });
  await page.getByLabel('Ngày thành lập').fill('01/11/2025');
  await page.getByLabel('Quyết định thành lập').selectOption({ label: 'Quyết định số 1907/QĐ-UBND ngày 31/10/2025' });
  await page.getByLabel('Nhóm Zalo của tổ').fill('https://zalo.me/g/thunghiem1');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.waitForURL(/\/teams\/\d+\?saved/);
  assert.equal(await page.locator('h1').textContent(), 'Tổ công nghệ số cộng đồng Thôn Thử Nghiệm');
  assert.ok(await page.locator('.qr svg').isVisible(), 'QR code of the Zalo group');

  const members = [
    ['Nguyễn Văn Đức', '0912 000 111', 'Tổ trưởng', 'Trưởng thôn'],
    ['Trần Thị Hạnh', '', 'Tổ phó', 'Hội Phụ nữ'],
    ['Lê Quang Huy', '', 'Thành viên', 'Đoàn Thanh niên'],
  ];
  for (const [name, phone, role, affiliation] of members) {
    await page.getByLabel('Họ và tên').fill(name);
    await page.getByLabel('Số điện thoại').fill(phone);
    await page.getByLabel('Chức danh trong tổ').selectOption({ label: role });
    await page.getByLabel('Chức vụ / đơn vị').selectOption({ label: affiliation });
    await page.getByLabel('Ngày tham gia').fill('01/11/2025');
    await page.getByRole('button', { name: 'Thêm thành viên' }).click();
    await page.waitForURL(/\?saved/);
  }
  assert.ok(await page.getByRole('heading', { name: 'Thành viên (3)' }).isVisible());
  await assertFitsPhone();
  await shot('04-team');

  await page.goto(C);
  assert.equal(await figure('Số thôn, tổ dân phố'), '59');
  assert.equal(await figure('Số Tổ công nghệ số cộng đồng đã thành lập'), '59');
  assert.equal(await figure('Số thành viên Tổ công nghệ số cộng đồng'), '389');
  assert.equal(await figure('Tỷ lệ Tổ CNSCĐ'), '100%');
  assert.ok(await page.getByText(/Thêm người «Lê Quang Huy»/).isVisible(), 'recent changes list the new member');
  await shot('05-overview-after');
});

test('a validation error is shown beside the field with the input kept', async () => {
  await page.goto(`${C}/teams`);
  await shot('06-teams');
  await page.getByRole('link', { name: 'Tổ công nghệ số cộng đồng Thôn Bến' }).click();
  await page.getByLabel('Họ và tên').fill('Phạm Thị Thu');
  await page.getByLabel('Số điện thoại').fill('12345');
  await page.getByLabel('Ngày tham gia').fill('01/11/2025');
  await page.getByRole('button', { name: 'Thêm thành viên' }).click();
  const error = page.locator('#e-phone');
  assert.match(await error.textContent(), /Số điện thoại «12345» không hợp lệ/);
  assert.equal(await page.getByLabel('Họ và tên').inputValue(), 'Phạm Thị Thu');
  assert.equal(await page.getByLabel('Số điện thoại').inputValue(), '12345');
  assert.equal(await page.getByLabel('Số điện thoại').getAttribute('aria-invalid'), 'true');
  await shot('07-validation-error');
});

test('search without diacritics finds people, villages and documents', async () => {
  await page.goto(`${C}/search`);
  await assertLabelled();
  await page.getByLabel('Tên người, thôn hoặc văn bản').fill('nguyen van duc');
  await page.getByRole('button', { name: 'Tìm' }).click();
  assert.ok(await page.getByRole('link', { name: 'Nguyễn Văn Đức' }).first().isVisible());
  await shot('08-search');
  await page.goto(`${C}/search?q=thu+nghiem`);
  assert.ok(await page.getByRole('link', { name: 'Thôn Thử Nghiệm' }).isVisible());
  await page.goto(`${C}/search?q=cong+dan+so`);
  assert.ok(await page.getByText('1643/UBND-VHXH').isVisible());
});

test('documents: filter by kind and year, and register a new one', async () => {
  await page.goto(`${C}/documents`);
  await page.getByLabel('Loại văn bản').selectOption({ label: 'Công văn' });
  await page.getByRole('button', { name: 'Lọc' }).click();
  assert.ok(await page.getByText('3 văn bản.').isVisible());
  await shot('09-documents');
  await page.goto(`${C}/documents/new`);
  await page.getByLabel('Loại văn bản').selectOption({ label: 'Kế hoạch' });
  await page.getByLabel('Số, ký hiệu').fill('30/KH-UBND');
  await page.getByLabel('Ngày ban hành').fill('05/12/2025');
  await page.getByLabel('Trích yếu').fill('Kế hoạch tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.waitForURL(/\/documents\?saved/);
  assert.ok(await page.getByRole('link', { name: '30/KH-UBND' }).isVisible());
});

test('a team leader sees their own team only', async () => {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await signIn('totruong');
  await page.waitForURL(/\/teams\/\d+$/);
  assert.ok(await page.getByRole('heading', { name: 'Thêm thành viên' }).isVisible());
  await shot('12-team-leader');
  const response = await page.goto(`${C}/villages`);
  assert.equal(response.status(), 403);
  assert.ok(await page.getByText('Bạn không có quyền truy cập nội dung này.').isVisible());
  await page.goto(BASE);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await signIn();
});

test('a team member logs an activity on a phone and the commune overview shows it at once', async () => {
  await page.goto(C);
  const before = Number((await figure('Số người dân được hỗ trợ')).replaceAll('.', ''));
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await signIn('thanhvien');
  await page.waitForURL(/\/teams\/\d+$/);
  await page.getByLabel('Hỗ trợ về').selectOption({ label: 'VNeID / định danh điện tử' });
  await page.getByLabel('Số người được hỗ trợ').fill('4');
  await page.getByRole('button', { name: 'Ghi lượt hỗ trợ' }).click();
  await page.waitForURL(/\?saved/);
  assert.ok(await page.getByText(/VNeID \/ định danh điện tử: 4 người/).first().isVisible());
  await assertFitsPhone();
  await shot('13-activity-logged');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await signIn();
  await page.waitForURL(C);
  const after = Number((await figure('Số người dân được hỗ trợ')).replaceAll('.', ''));
  assert.equal(after, before + 4);
});

test('the quick-response team and a figure traced to its records', async () => {
  await page.goto(`${C}/teams`);
  await page.getByRole('link', { name: /Đội hỗ trợ chuyển đổi số phản ứng nhanh/ }).click();
  assert.ok(await page.getByRole('heading', { name: /Thành viên \(9\)/ }).isVisible());
  await shot('10-quick-response-team');
  await page.goto(`${C}?as_of=30/11/2025`);
  const members = await figure('Số thành viên Tổ công nghệ số cộng đồng');
  assert.equal(members, '389', 'the 386 of the demo and the 3 added above');
  await page.locator('.card', { hasText: 'Số thành viên Tổ công nghệ số cộng đồng' }).locator('a').click();
  assert.ok(await page.getByText(`${members} hồ sơ làm căn cứ (trang 1/2)`).isVisible());
  assert.equal(await page.locator('table.records tbody tr').count(), 200);
  await shot('11-records');
  // The second page numbers on from 201 and holds the rest.
  await page.getByRole('link', { name: 'Trang sau →' }).click();
  assert.equal(await page.locator('table.records tbody tr').count(), 189);
  assert.equal(await page.locator('table.records tbody tr').first().locator('td').first().innerText(), '201');
});
