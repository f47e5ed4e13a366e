// Browser test: every table of every page is readable on a 360 px phone, for
// every role (see scripts/e2e.sh for the server and the demo data).
//
// The pages are not listed by hand: for each demo account the test signs in
// and walks the app from its navigation (every menu link, then the links of
// each page's content, three steps deep; one page per route shape, so one team
// page stands for all), plus an import preview. On each page it checks that
// the page itself never scrolls sideways, and that each visible table either
// fits or scrolls inside its own box, with the last column reachable and the
// first column still on screen, uncovered, once the box is scrolled to its end.
// A table page added to the app is visited as soon as a menu or a page links to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
const C = `${BASE}/communes/11914`;
const WIDTH = 360;
mkdirSync(SHOTS, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh 360 px window signed in as `user` (every demo account's password is toso-demo). */
async function signedIn(user, options = {}) {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 740 }, locale: 'vi-VN', ...options });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Tên đăng nhập hoặc số điện thoại').fill(user);
  await page.getByLabel('Mật khẩu').fill('toso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

/**
 * The shape of a page's route: numeric ids after the commune or province code
 * become `#` and the query is dropped, so `/communes/11914/teams/7` and
 * `/communes/11914/teams/8` are the same page to check.
 */
function shape(url) {
  const parts = new URL(url).pathname.split('/');
  return parts.map((p, i) => (i > 2 && /^\d+$/.test(p) ? '#' : p)).join('/');
}

/** Links worth visiting: pages of this app, not downloads, the API or the way out. */
function visitable(href) {
  const url = new URL(href);
  if (url.origin !== new URL(BASE).origin) return false;
  const path = url.pathname;
  if (!(path === '/' || path === '/account' || path.startsWith('/communes/') || path.startsWith('/provinces/')
    || path === '/nation' || path.startsWith('/nation/'))) {
    return false;
  }
  // The province's and the nation's tables link every commune and province:
  // the demo's own (Cát Hải, Hải Phòng) stand for all, the others hold no data.
  if (/^\/communes\/\d+/.test(path) && !path.startsWith('/communes/11914')) return false;
  if (/^\/provinces\/\d+/.test(path) && !path.startsWith('/provinces/31')) return false;
  return !/\.(csv|xlsx|xls|docx|pdf|png|svg)$/.test(path)
    && !/\/(docx|pdf|xlsx)$/.test(path)
    && !/\/(export|template|download)\//.test(path);
}

/** The menu links and the content links of the current page. */
async function links(page) {
  return page.evaluate(() => {
    const hrefs = (sel) => [...document.querySelectorAll(sel)]
      .filter((a) => !a.hasAttribute('download'))
      .map((a) => a.href.split('#')[0]);
    return { nav: hrefs('nav.nav a[href], header a[href]'), main: hrefs('main a[href]') };
  });
}

/**
 * Checks the current page at 360 px and returns its problems (empty when it is
 * readable) and the number of tables seen. Folded sections holding a table are
 * opened first, so their tables are checked too. Each table is brought on screen, its
 * scroll box (the nearest element that scrolls sideways, if any) scrolled to the
 * end, and then: the box lies within the screen, the last cell of the header and
 * of the first body row lie within the box and right of the first column, and
 * the point in the middle of the first cell's first line belongs to that cell (it is on
 * screen, not scrolled away and not painted over). A cell showing a raw code
 * (`thanh_toan_khong_tien_mat`) instead of its Vietnamese label is a problem too.
 */
async function tableProblems(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    for (const d of document.querySelectorAll('main details:not([open])')) {
      if (d.querySelector('table')) d.open = true;
    }
    await frame();
    const vw = window.innerWidth;
    const problems = [];
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth > vw) problems.push(`the page is ${pageWidth}px wide on a ${vw}px screen`);
    const tables = [...document.querySelectorAll('main table')].filter((t) => t.checkVisibility());
    for (const [i, table] of tables.entries()) {
      const caption = table.closest('section')?.querySelector('h2, h3')?.textContent?.trim();
      const name = `table ${i + 1}${caption ? ` («${caption}»)` : ''}`;
      let box = table;
      while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
      if (box === document.documentElement || box === document.body) box = null;
      const bounds = () => (box ? box.getBoundingClientRect() : { left: 0, right: vw });
      const b0 = bounds();
      if (b0.left < -1 || b0.right > vw + 1) {
        problems.push(`${name}: its box spans ${Math.round(b0.left)}…${Math.round(b0.right)}px`);
      }
      for (const cell of table.querySelectorAll('td')) {
        const text = cell.textContent.trim();
        if (/^[a-z]+(_[a-z]+)+$/.test(text)) {
          problems.push(`${name}: a cell shows the code «${text}» instead of its name`);
          break;
        }
      }
      const rows = [...table.rows].filter((r) => r.cells.length > 0);
      const body = rows.filter((r) => r.parentElement.tagName !== 'THEAD');
      for (const row of [rows[0], body[0]].filter((r, j, all) => r && all.indexOf(r) === j)) {
        const first = row.cells[0];
        const last = row.cells[row.cells.length - 1];
        window.scrollTo(0, window.scrollY + row.getBoundingClientRect().top - 120);
        if (box) box.scrollLeft = box.scrollWidth;
        await frame();
        const b = bounds();
        const f = first.getBoundingClientRect();
        const l = last.getBoundingClientRect();
        const where = row.parentElement.tagName === 'THEAD' ? 'header' : 'first row';
        if (l.right > b.right + 1) {
          problems.push(`${name}, ${where}: the last column ends at ${Math.round(l.right)}px, past its box (${Math.round(b.right)}px)`);
        }
        if (f.left < b.left - 1 || f.right > b.right + 1) {
          problems.push(`${name}, ${where}: the first column (${Math.round(f.left)}…${Math.round(f.right)}px) left its box when scrolled to the end`);
        }
        if (last !== first && l.left < f.right - 1) {
          problems.push(`${name}, ${where}: the last column (from ${Math.round(l.left)}px) is under the first (to ${Math.round(f.right)}px)`);
        }
        // The middle of the cell's first line: a tall cell's middle may be off screen.
        const hit = document.elementFromPoint((f.left + f.right) / 2, f.top + Math.min(f.height / 2, 12));
        if (!first.contains(hit)) {
          problems.push(`${name}, ${where}: the first column is covered by <${hit?.tagName?.toLowerCase()}> when scrolled to the end`);
        }
        if (box) box.scrollLeft = 0;
      }
    }
    window.scrollTo(0, 0);
    return { problems, tables: tables.length };
  });
}

/** A file name for the page's screenshot. */
const slug = (s) => s.replace(/^\/communes\/\d+/, 'xa').replace(/^\/provinces\/\d+/, 'tinh')
  .replace(/[^a-z0-9#]+/gi, '-').replace(/#/g, 'id').replace(/^-|-$/g, '') || 'home';

/** Route shapes already in a screenshot (one picture per page, whoever saw it first). */
const screenshotted = new Set();

/**
 * Walks the app as `user` from its landing page and checks every page. Menu
 * links count as depth 0 wherever they appear; content links add one, up to
 * `depth`. Returns the route shapes visited with their table counts.
 */
async function walk(user, depth = 3) {
  const page = await signedIn(user);
  const queue = [{ url: page.url(), depth: 0 }];
  const seen = new Set();
  const visited = new Map();
  const failures = [];
  while (queue.length) {
    const { url, depth: d } = queue.shift();
    const key = shape(url);
    if (seen.has(key)) continue;
    seen.add(key);
    const response = await page.goto(url);
    const { problems, tables } = await tableProblems(page);
    visited.set(key, tables);
    for (const p of problems) failures.push(`${user} ${url}: ${p}`);
    if (tables > 0 && !screenshotted.has(key)) {
      screenshotted.add(key);
      // A view of the first table wider than its box, scrolled to its end: the first column stays.
      await page.evaluate(() => {
        const boxes = [...document.querySelectorAll('main .scroll, main .table-wrap')];
        const box = boxes.find((b) => b.scrollWidth > b.clientWidth) ?? boxes[0];
        if (box) { box.scrollIntoView({ block: 'center' }); box.scrollLeft = box.scrollWidth; }
      });
      await page.screenshot({ path: `${SHOTS}/t-${user}-${slug(key)}.png` });
    }
    if (!response || response.status() >= 400) continue;
    const { nav, main } = await links(page);
    for (const href of nav) if (visitable(href)) queue.push({ url: href, depth: 0 });
    if (d < depth) for (const href of main) if (visitable(href)) queue.push({ url: href, depth: d + 1 });
  }
  return { page, visited, failures };
}

/** The route shapes of `visited` that have at least one table. */
const withTables = (visited) => [...visited].filter(([, n]) => n > 0).map(([k]) => k);

test('the commune officer: every page with a table reads at 360 px', async () => {
  const { page, visited, failures } = await walk('canboxa');
  const tabled = withTables(visited);
  // The walk must reach the table pages known today; a page it cannot reach any
  // more would otherwise go unchecked without anyone noticing.
  for (const expected of [
    '/communes/11914', '/communes/11914/villages', '/communes/11914/teams', '/communes/11914/teams/#',
    '/communes/11914/documents', '/communes/11914/contests', '/communes/11914/campaigns',
    '/communes/11914/training', '/communes/11914/dashboard', '/communes/11914/villages/#/dashboard',
    '/communes/11914/teams/#/dashboard', '/communes/11914/users', '/communes/11914/audit',
    '/communes/11914/indicators/members', '/communes/11914/indicators/teams',
  ]) {
    assert.ok(tabled.includes(expected), `no table checked on ${expected} (visited: ${[...visited.keys()].join(', ')})`);
  }
  for (const visitedToo of ['/communes/11914/members/#', '/communes/11914/reports']) {
    assert.ok(visited.has(visitedToo), `${visitedToo} was not visited`);
  }
  assert.deepEqual(failures, []);

  // The import preview: a villages list with one new village, previewed only.
  await page.goto(`${C}/import`);
  const csv = await page.evaluate(async (c) => (await fetch(`${c}/export/villages.csv`)).text(), C);
  const lines = csv.trimEnd().split(/\r?\n/);
  const extra = lines[lines.length - 1].replace(/^[^,;]*([,;])[^,;]*/, '9999$1Thôn Xem Trước Trên Điện Thoại');
  await page.getByLabel('Loại danh sách').selectOption('villages');
  await page.setInputFiles('#f-file', {
    name: 'thon.csv', mimeType: 'text/csv', buffer: Buffer.from([...lines, extra].join('\r\n') + '\r\n'),
  });
  await page.getByRole('button', { name: 'Xem trước' }).click();
  await page.getByRole('heading', { name: /Xem trước «thon\.csv»/ }).waitFor();
  const preview = await tableProblems(page);
  assert.equal(preview.tables, 1, 'the preview lists its rows in a table');
  assert.deepEqual(preview.problems, []);
  await page.screenshot({ path: `${SHOTS}/t-canboxa-import-preview.png`, fullPage: true });
  await page.context().close();
});

test('the Ministry, the province officer, the admin and a team\'s leader and member: every page reads at 360 px', async () => {
  const expected = {
    sokhcn: ['/provinces/31', '/provinces/31/requests', '/provinces/31/indicators/members', '/communes/11914/teams/#'],
    bokhcn: ['/nation', '/nation/indicators/members', '/provinces/31', '/communes/11914'],
    admin: ['/communes/11914/users', '/communes/11914/audit'],
    totruong: ['/communes/11914/teams/#', '/communes/11914/teams/#/dashboard'],
    thanhvien: ['/communes/11914/teams/#'],
  };
  const failures = [];
  for (const [user, shapes] of Object.entries(expected)) {
    const { page, visited, failures: found } = await walk(user);
    failures.push(...found);
    for (const s of shapes) {
      assert.ok(visited.has(s), `${user} did not reach ${s} (visited: ${[...visited.keys()].join(', ')})`);
    }
    assert.ok(withTables(visited).length > 0, `${user} saw no table at all`);
    await page.context().close();
  }
  assert.deepEqual(failures, []);
});

test('the check itself catches a table that overflows the page', async () => {
  // The page's Content-Security-Policy refuses injected styles; this window ignores it.
  const page = await signedIn('canboxa', { bypassCSP: true });
  await page.goto(`${C}/teams`);
  assert.deepEqual((await tableProblems(page)).problems, []);
  // A table put on a page without the wrapper is boxed by the stylesheet all the same.
  await page.evaluate(() => {
    for (const box of document.querySelectorAll('main .scroll')) box.replaceWith(...box.childNodes);
  });
  assert.equal(await page.locator('main .scroll').count(), 0);
  assert.deepEqual((await tableProblems(page)).problems, []);
  // Undo the boxes' scrolling: the table now pushes the page sideways.
  await page.goto(`${C}/teams`);
  await page.addStyleTag({
    content: '.scroll, .table-wrap, main table { overflow: visible !important; } main table { display: table !important; min-width: 900px; }',
  });
  const broken = (await tableProblems(page)).problems.join('\n');
  assert.match(broken, /the page is \d+px wide/);
  assert.match(broken, /the last column ends at/);
  // Scrolling without a sticky first column loses the row names.
  await page.addStyleTag({ content: '.scroll, .table-wrap { overflow-x: auto !important; } th, td { position: static !important; }' });
  assert.match((await tableProblems(page)).problems.join('\n'), /the first column .*(left its box|is covered)/);
  await page.context().close();
});
