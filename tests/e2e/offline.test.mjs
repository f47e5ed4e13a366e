// Browser test: field logging that survives no signal (issue 21). The demo's
// team member `thanhvien` (team of Tổ dân phố 1, Cát Hải 11914) uses the
// team page in a 360 px Chromium with a persistent profile, as an installed
// app would: one online visit installs it (manifest, service worker, page
// cached; bytes measured against the budget); offline, three entries are
// kept and listed, survive a reload and a closed and reopened browser; back
// online they are sent and the commune counts each once; an answer lost after
// the server wrote the entry is retried and not counted twice; refused
// entries keep the server's message until corrected or deleted; a session
// that expired offline keeps the queue until its author signs in again (not
// sent as whoever else signs in on the phone); signing out with an unsent
// entry asks first and then clears it; and without JavaScript the plain form
// still works, a double submission recorded once. The network is cut for
// real by a proxy in front of the member's browser (see setNetwork).
// See scripts/e2e.sh for the server (`toso serve --demo`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.TOSO_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.TOSO_SCREENSHOTS ?? 'test-artifacts/screenshots';
const PHONE = { width: 360, height: 740 };
const LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
// The member's browser profile: kept across a close and a relaunch, like a phone's.
const PROFILE = mkdtempSync(join(tmpdir(), 'toso-offline-profile-'));
mkdirSync(SHOTS, { recursive: true });

// The member's browser reaches the server through this proxy, which can cut
// the network for real: Playwright's offline mode sets navigator.onLine and
// stops the page's requests, but a service worker started by a relaunched
// browser may still reach the network, and a test of "opens from the cache"
// must not be passed by the network.
const proxy = { cut: false, sockets: new Set(), server: null, url: '' };
function startProxy() {
  proxy.server = http.createServer((req, res) => {
    if (proxy.cut) {
      req.socket.destroy();
      return;
    }
    const upstream = http.request(req.url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  // Playwright's own requests (route.fetch) tunnel through the proxy.
  proxy.server.on('connect', (req, socket, head) => {
    const [host, port] = req.url.split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  });
  proxy.server.on('connection', (socket) => {
    if (proxy.cut) {
      socket.destroy();
      return;
    }
    proxy.sockets.add(socket);
    socket.on('close', () => proxy.sockets.delete(socket));
  });
  return new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', () => {
    proxy.url = `http://127.0.0.1:${proxy.server.address().port}`;
    resolve();
  }));
}

/** No network for the member's browser (pages, scripts and service worker), or the network back. */
async function setNetwork(online) {
  proxy.cut = !online;
  if (!online) for (const socket of proxy.sockets) socket.destroy();
  await member.setOffline(!online);
}

// Today in Vietnam (the server's "today"), dd/mm/yyyy.
const TODAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
const OFFLINE_NOTES = ['Ngoại tuyến 1: chợ sáng', 'Ngoại tuyến 2: nhà văn hóa', 'Ngoại tuyến 3: trường học'];

let browser; // the officer's and the no-script contexts
let officer; // the commune officer's page (canboxa), always online
let member; // the member's persistent context
let page; // its page
const shared = {};

async function openMember(offline) {
  member = await chromium.launchPersistentContext(PROFILE, {
    ...LAUNCH, viewport: PHONE, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', offline,
    // Loopback goes through the proxy too (Chromium bypasses it by default).
    proxy: { server: proxy.url, bypass: '<-loopback>' },
  });
  page = member.pages()[0] ?? await member.newPage();
}

before(async () => {
  await startProxy();
  browser = await chromium.launch(LAUNCH);
  const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
  officer = await context.newPage();
  await signIn(officer, 'canboxa');
  await openMember(false);
});

after(async () => {
  await member?.close();
  await browser?.close();
  proxy.server?.close();
  rmSync(PROFILE, { recursive: true, force: true });
});

const shot = (p, name) => p.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** Sign in through the login form. */
async function signIn(p, user) {
  await p.goto(`${BASE}/login`);
  await fillLogin(p, user);
  await p.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Fill and send the login form on the page shown. */
async function fillLogin(p, user) {
  await p.getByLabel('Tên đăng nhập hoặc số điện thoại').fill(user);
  await p.getByLabel('Mật khẩu').fill('toso-demo');
  await p.getByRole('button', { name: 'Đăng nhập' }).click();
}

/** The commune's support activities to date, from the JSON API (as the officer). */
async function supportActivities() {
  const response = await officer.request.get(`${BASE}/api/v1/communes/11914/indicators`);
  assert.equal(response.status(), 200);
  const indicator = (await response.json()).indicators.find((i) => i.key === 'support_activities');
  return indicator.value;
}

/** Waits until the page lists `n` entries waiting ("Đang chờ gửi (n)"), or none. */
async function expectPending(n, p = page) {
  await p.waitForFunction((count) => {
    const section = document.getElementById('pending');
    if (!section) return false;
    if (count === 0) return section.hidden;
    const heading = section.querySelector('h3');
    return !section.hidden && heading && heading.textContent === `Đang chờ gửi (${count})` &&
      section.querySelectorAll('li').length === count;
  }, n, { timeout: 15000 });
}

/** Fills and submits the log form. */
async function logEntry({ note, citizens = '2', date = null }) {
  if (date) await page.getByLabel('Ngày', { exact: true }).fill(date);
  await page.getByLabel('Hỗ trợ về').selectOption({ label: 'VNeID / định danh điện tử' });
  await page.getByLabel('Số người được hỗ trợ').fill(citizens);
  await page.getByLabel('Ghi chú').fill(note);
  await page.getByRole('button', { name: 'Ghi lượt hỗ trợ' }).click();
}

/** Bytes received for each request of `context` until `stop()`: encoded body plus headers. */
function track(context) {
  const seen = [];
  const pending = [];
  const onFinished = (request) => pending.push((async () => {
    const response = await request.response();
    const sizes = await request.sizes();
    seen.push({
      path: new URL(request.url()).pathname,
      // Answered by the service worker (from its cache or its own fetch, reported apart).
      fromWorker: response ? response.fromServiceWorker() : false,
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
    });
  })().catch(() => {}));
  context.on('requestfinished', onFinished);
  return {
    async stop() {
      context.off('requestfinished', onFinished);
      await Promise.all(pending);
      return seen;
    },
  };
}

/** What GET `path` costs on the wire with gzip accepted (headers and body). */
function wireSize(path) {
  return new Promise((resolve, reject) => {
    http.get(`${BASE}${path}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 17 + res.rawHeaders.reduce((n, h) => n + h.length + 2, 0);
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => resolve(bytes));
    }).on('error', reject);
  });
}

/** The bytes the team page, its script and its service worker cost in `seen`. */
async function budget(seen) {
  const paths = [new URL(shared.team).pathname, '/static/app.js', '/static/sw.js'];
  let bytes = 0;
  const detail = [];
  for (const r of seen.filter((x) => paths.includes(x.path) && !x.fromWorker)) {
    // The browser fetches the worker's script itself: the request is reported,
    // its body not always; count what it costs on the wire.
    const size = r.path === '/static/sw.js' ? Math.max(r.bytes, await wireSize(r.path)) : r.bytes;
    bytes += size;
    detail.push(`${r.path} ${size}`);
  }
  // Not in the budget, shown for the record: the manifest, which Chromium fetches on each visit.
  const manifest = seen.filter((x) => x.path.endsWith('.webmanifest') && !x.fromWorker);
  detail.push(...manifest.map((r) => `(manifest ${r.bytes}, not counted)`));
  return { bytes, detail };
}

/** The service worker has no network either: what the page shows came from its cache. */
async function assertWorkerOffline() {
  const worker = member.serviceWorkers()[0] ?? await member.waitForEvent('serviceworker', { timeout: 5000 });
  assert.equal(await worker.evaluate(() => fetch('/healthz').then(() => 'online', () => 'offline')), 'offline');
}

/** The entries kept in the browser's IndexedDB (all users). */
function storedEntries(p) {
  return p.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('toso-offline', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('queue', { keyPath: 'id' });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('queue').objectStore('queue').getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    };
  }));
}

test('one online visit installs the team page: manifest, service worker, page cached, within the budget', async () => {
  const traffic = track(member);
  await signIn(page, 'thanhvien');
  await page.waitForURL(/\/communes\/11914\/teams\/\d+$/);
  shared.team = page.url();
  shared.user = await page.locator('form[data-offline-log]').getAttribute('data-user');
  assert.match(shared.user, /^\d+$/, 'the form is bound to the signed-in user');
  const worker = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const active = registration.active;
    if (active.state === 'activating') {
      await new Promise((done) => active.addEventListener('statechange', done, { once: true }));
    }
    return { state: active.state, scope: registration.scope };
  });
  assert.equal(worker.state, 'activated');
  assert.equal(worker.scope, `${BASE}/communes/11914/teams/`);
  // The worker kept this very page while installing: no second visit is needed.
  const cached = await page.evaluate(async (path) => Boolean(await caches.match(path)), new URL(shared.team).pathname);
  assert.ok(cached, 'the team page is cached after the first visit');

  // The manifest: linked, fetched with the session, and the page installable.
  const cdp = await member.newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest');
  assert.equal(manifest.url, `${shared.team}/manifest.webmanifest`);
  assert.deepEqual(manifest.errors, []);
  const data = JSON.parse(manifest.data);
  assert.equal(data.short_name, 'Tổ Số');
  assert.equal(data.start_url, new URL(shared.team).pathname);
  assert.match(data.name, /^Tổ Số — Tổ công nghệ số cộng đồng Tổ dân phố 1$/);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, [], 'Chromium finds the page installable');
  await cdp.detach();

  const first = await budget(await traffic.stop());
  console.log(`first visit: ${first.bytes} bytes (${first.detail.join(', ')})`);
  assert.ok(first.bytes <= 30 * 1024, `first visit costs ${first.bytes} bytes`);

  const again = track(member);
  const response = await page.goto(shared.team);
  assert.equal(response.status(), 200);
  await page.evaluate(() => navigator.serviceWorker.ready);
  assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'the worker controls the page');
  const seenAgain = await again.stop();
  assert.ok(seenAgain.some((r) => r.path === '/static/app.js' && r.fromWorker), 'the script came from the cache');
  const cachedVisit = await budget(seenAgain);
  console.log(`cached visit: ${cachedVisit.bytes} bytes (${cachedVisit.detail.join(', ')})`);
  assert.ok(!(await page.locator('#pending').isVisible()), 'nothing waiting yet');
  // Script and worker come from the cache: what remains is the page itself.
  assert.ok(cachedVisit.bytes <= 5 * 1024,
    `a cached visit costs ${cachedVisit.bytes} bytes (${cachedVisit.detail.join(', ')}), over 5 KB`);
});

test('offline: three entries are kept, survive a reload and a closed browser', async () => {
  await setNetwork(false);
  assert.equal(await page.evaluate(() => navigator.onLine), false);

  for (const note of OFFLINE_NOTES) {
    await logEntry({ note });
    await page.locator('#pending li', { hasText: note }).waitFor();
  }
  await expectPending(3);
  const lines = await page.locator('#pending li').allTextContents();
  OFFLINE_NOTES.forEach((note, i) => {
    assert.ok(lines[i].startsWith(`${TODAY} — VNeID / định danh điện tử: 2 người, 0 hồ sơ (${note})`), lines[i]);
  });
  assert.match(await page.locator('.offline-status').textContent(), /Đã lưu trên máy: lượt này sẽ tự gửi khi có mạng\./);
  assert.equal(await page.getByLabel('Ghi chú').inputValue(), '', 'the form is ready for the next entry');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 362, `the page is ${width}px wide at 360px`);
  await shot(page, '50-offline-pending');

  const reloaded = await page.reload();
  assert.ok(reloaded.fromServiceWorker(), 'the reload came from the service worker');
  await assertWorkerOffline();
  await expectPending(3);

  // The browser is closed and opened again, still with no network.
  await member.close();
  proxy.cut = true; // still no network when the browser opens again
  await openMember(true);
  const reopened = await page.goto(shared.team);
  assert.ok(reopened.fromServiceWorker());
  await assertWorkerOffline();
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  assert.equal((await page.locator('h1').textContent()).trim(), 'Tổ công nghệ số cộng đồng Tổ dân phố 1');
  await expectPending(3);
  assert.match(await page.locator('.offline-status').textContent(), /^Đang không có mạng/);
  await shot(page, '51-offline-reopened');
});

test('back online the queue is sent by itself, and the commune counts each entry once', async () => {
  const before = await supportActivities();
  const kept = await storedEntries(page);
  assert.equal(kept.length, 3);
  await setNetwork(true);
  await expectPending(0);
  assert.equal(await page.locator('.offline-status').textContent(), 'Đã gửi 3 lượt. Tải lại trang để xem');
  assert.equal(await supportActivities(), before + 3);
  assert.deepEqual((await storedEntries(page)).length, 0);
  await page.goto(shared.team);
  for (const note of OFFLINE_NOTES) {
    assert.ok(await page.getByText(`VNeID / định danh điện tử: 2 người, 0 hồ sơ (${note})`).isVisible(), note);
  }
  await shot(page, '52-offline-sent');
  // The same entry sent again (a second tab, a reinstalled app): the original, nothing more.
  const [status, answer] = await page.evaluate(async (entry) => {
    const body = new URLSearchParams(entry.fields);
    body.set('client_id', entry.id);
    body.set('csrf', document.querySelector('input[name="csrf"]').value);
    const response = await fetch(`${entry.team}/activities`, { method: 'POST', body, headers: { Accept: 'application/json' } });
    return [response.status, await response.json()];
  }, kept[0]);
  assert.equal(status, 200);
  assert.equal(answer.repeat, true);
  assert.equal(await supportActivities(), before + 3);
});

test('an answer lost after the server wrote the entry: the retry is a repeat, counted once', async () => {
  const before = await supportActivities();
  const first = [];
  await member.route('**/activities', async (route) => {
    if (route.request().method() !== 'POST' || first.length) return route.fallback();
    const response = await route.fetch(); // the server writes it…
    first.push(response.status());
    await route.abort('failed'); // …and the answer never arrives
  });
  await logEntry({ note: 'Câu trả lời bị mất' });
  await expectPending(1);
  assert.deepEqual(first, [201], 'the server recorded the entry');
  assert.match(await page.locator('.offline-status').textContent(), /Chưa gửi được/);
  assert.equal(await supportActivities(), before + 1);
  await member.unrouteAll();

  const [retry] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/activities') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Gửi ngay' }).click(),
  ]);
  assert.equal(retry.status(), 200);
  assert.equal((await retry.json()).repeat, true);
  await expectPending(0);
  assert.equal(await supportActivities(), before + 1);
});

test('online, a refused entry is shown by the server beside its field, as without the script', async () => {
  const before = await supportActivities();
  await logEntry({ note: 'Trực tuyến, số âm', citizens: '-1' });
  await page.locator('#e-citizens_helped').waitFor();
  assert.equal((await page.locator('#e-citizens_helped').textContent()).trim(), 'Số người được hỗ trợ không được là số âm.');
  assert.equal(await page.getByLabel('Ghi chú').inputValue(), 'Trực tuyến, số âm', 'what was typed is kept');
  assert.ok(await page.locator('#pending').isHidden());
  assert.deepEqual(await storedEntries(page), []);
  assert.equal(await supportActivities(), before);
  await page.goto(shared.team);
});

test('refused entries keep the server\'s message beside the field until corrected or deleted', async () => {
  await setNetwork(false);
  await logEntry({ note: 'Ngày sai', date: '31/12/2099' });
  await page.locator('#pending li', { hasText: 'Ngày sai' }).waitFor();
  await logEntry({ note: 'Số âm', citizens: '-1' });
  await expectPending(2);
  const before = await supportActivities();
  await setNetwork(true);
  await page.waitForFunction(() => document.querySelectorAll('#pending li.refused').length === 2);
  assert.equal(await page.locator('.offline-status').textContent(), '2 lượt chưa ghi được: xem lý do bên dưới, sửa hoặc xóa.');
  const future = page.locator('#pending li', { hasText: 'Ngày sai' });
  const negative = page.locator('#pending li', { hasText: 'Số âm' });
  assert.match(await future.locator('.error-text').textContent(),
    /^Ngày: Ngày hỗ trợ 31\/12\/2099 không được sau ngày hôm nay \(\d\d\/\d\d\/\d{4}\)\.$/);
  assert.equal(await negative.locator('.error-text').textContent(),
    'Số người được hỗ trợ: Số người được hỗ trợ không được là số âm.');
  await shot(page, '53-offline-refused');

  // Never dropped, never retried by itself: a reload shows them as they were.
  await page.reload();
  await expectPending(2);
  assert.equal(await page.locator('#pending li.refused').count(), 2);
  assert.equal(await supportActivities(), before);

  // Corrected: back in the form, saved under the same client id, sent.
  const id = (await storedEntries(page)).find((e) => e.fields.some(([, v]) => v === 'Ngày sai')).id;
  await future.getByRole('button', { name: 'Sửa' }).click();
  assert.equal(await page.getByLabel('Ngày', { exact: true }).inputValue(), '31/12/2099');
  assert.equal(await page.getByLabel('Ghi chú').inputValue(), 'Ngày sai');
  await page.getByLabel('Ngày', { exact: true }).fill(TODAY);
  await page.getByRole('button', { name: 'Ghi lượt hỗ trợ' }).click();
  await expectPending(1);
  assert.equal(await supportActivities(), before + 1);
  assert.ok(!(await storedEntries(page)).some((e) => e.id === id));

  // Deleted, after a confirmation.
  let asked = '';
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.accept(); });
  await negative.getByRole('button', { name: 'Xóa' }).click();
  await expectPending(0);
  assert.match(asked, /^Xóa lượt chưa gửi này\?\n.*Số âm/);
  assert.equal(await supportActivities(), before + 1);
});

test('a session that expired offline: the queue waits, is never sent as another user, and goes once its author signs in', async () => {
  await setNetwork(false);
  await logEntry({ note: 'Sau khi phiên hết hạn' });
  await expectPending(1);
  await member.clearCookies({ name: 'toso_session' }); // the session ends while the phone is offline
  const before = await supportActivities();
  await setNetwork(true);
  const status = page.locator('.offline-status');
  await status.getByRole('link', { name: 'Đăng nhập lại' }).waitFor();
  assert.equal(await status.textContent(), 'Phiên đăng nhập đã hết: đăng nhập lại để gửi 1 lượt đang chờ. Đăng nhập lại');
  await expectPending(1);
  assert.equal(await supportActivities(), before);

  // Someone else takes the phone and signs in from that link: the entry is
  // neither shown to them nor sent as theirs.
  await status.getByRole('link', { name: 'Đăng nhập lại' }).click();
  await page.waitForURL(/\/login\?next=/);
  await fillLogin(page, 'canboxa');
  await page.waitForURL(shared.team);
  assert.notEqual(await page.locator('form[data-offline-log]').getAttribute('data-user'), shared.user);
  await page.locator('.offline-status').waitFor({ state: 'attached' });
  assert.ok(await page.locator('#pending').isHidden(), 'another user sees no entry of the member');
  assert.equal((await storedEntries(page)).filter((e) => e.user === shared.user).length, 1);
  assert.equal(await supportActivities(), before);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForURL(/\/login/);
  assert.equal((await storedEntries(page)).filter((e) => e.user === shared.user).length, 1,
    'signing out another user keeps the member\'s entries');

  // The member signs in again: the entry is sent as theirs, once.
  await page.goto(`${BASE}/login?next=${encodeURIComponent(new URL(shared.team).pathname)}`);
  await fillLogin(page, 'thanhvien');
  await page.waitForURL(shared.team);
  // The list starts hidden on a fresh page, so wait for the sender's word
  // rather than for an empty list.
  await page.locator('.offline-status', { hasText: 'Đã gửi 1 lượt.' }).waitFor();
  await expectPending(0);
  assert.equal(await supportActivities(), before + 1);
  await page.goto(shared.team);
  assert.ok(await page.getByText('VNeID / định danh điện tử: 2 người, 0 hồ sơ (Sau khi phiên hết hạn)').isVisible());
});

test('signing out with an unsent entry asks first, then clears it from the phone', async () => {
  await member.route('**/activities', (route) =>
    route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.fallback());
  await logEntry({ note: 'Chưa gửi khi đăng xuất' });
  await expectPending(1);

  const question = new Promise((resolve) => page.once('dialog', async (dialog) => {
    resolve(dialog.message());
    await dialog.dismiss();
  }));
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  assert.match(await question,
    new RegExp(`^Còn 1 lượt chưa gửi:\\n• ${TODAY} — VNeID / định danh điện tử: 2 người, 0 hồ sơ \\(Chưa gửi khi đăng xuất\\)\\nĐăng xuất sẽ xóa chúng khỏi máy này\\.$`));
  assert.equal(page.url(), shared.team, 'dismissed: still signed in, on the page');
  await expectPending(1);

  page.once('dialog', (dialog) => dialog.accept());
  await Promise.all([
    page.waitForURL(/\/login/),
    page.getByRole('button', { name: 'Đăng xuất' }).click(),
  ]);
  await member.unrouteAll();
  const left = (await storedEntries(page)).filter((e) => e.user === shared.user);
  assert.deepEqual(left, [], 'the unsent entry is gone with the sign-out');
  // No copy of the team page is left for the next person (the worker drops them).
  await page.waitForFunction(async () => {
    const kept = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) kept.push(new URL(request.url).pathname);
    }
    return kept.length > 0 && kept.every((p) => p.startsWith('/static/'));
  }, null, { timeout: 5000 });
  await page.goto(shared.team);
  assert.match(page.url(), /\/login\?next=/, 'signed out');
});

test('without JavaScript the plain form still logs, and a double submission is recorded once', async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN', javaScriptEnabled: false });
  const p = await context.newPage();
  await signIn(p, 'thanhvien');
  await p.waitForURL(/\/communes\/11914\/teams\/\d+$/);
  const before = await supportActivities();
  await p.getByLabel('Hỗ trợ về').selectOption({ label: 'VNeID / định danh điện tử' });
  await p.getByLabel('Số người được hỗ trợ').fill('1');
  await p.getByLabel('Ghi chú').fill('Không có JavaScript');
  await p.getByRole('button', { name: 'Ghi lượt hỗ trợ' }).click();
  await p.waitForURL(/\?saved$/);
  assert.ok(await p.getByText('Đã lưu.').isVisible());
  assert.ok(await p.getByText('VNeID / định danh điện tử: 1 người, 0 hồ sơ (Không có JavaScript)').isVisible());
  assert.ok(await p.locator('#pending').isHidden(), 'no queue without the script');
  assert.equal(await supportActivities(), before + 1);

  // The same form body twice, as a double click sends it.
  const form = p.locator('form[data-offline-log]');
  const hidden = async (name) => form.locator(`input[name="${name}"]`).getAttribute('value');
  const body = {
    csrf: await hidden('csrf'),
    client_id: await hidden('client_id'),
    activity_date: TODAY,
    category: await p.getByLabel('Hỗ trợ về').inputValue(),
    citizens_helped: '3',
    dossiers: '0',
    note: 'Bấm hai lần',
  };
  assert.match(body.client_id, /^[A-Za-z0-9_-]{8,64}$/, 'the plain form carries a client id');
  const action = new URL(await form.getAttribute('action'), BASE).href;
  const answers = [];
  for (let i = 0; i < 2; i += 1) {
    const response = await context.request.post(action, { form: body, maxRedirects: 0 });
    answers.push([response.status(), response.headers().location]);
  }
  assert.deepEqual(answers[0], [303, `${new URL(shared.team).pathname}?saved`]);
  assert.deepEqual(answers[1], answers[0], 'the repeat answers like the first');
  assert.equal(await supportActivities(), before + 2);
  await context.close();
});
