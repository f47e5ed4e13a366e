// Unit test of the pure parts of the team page's offline script
// (crates/web/static/app.js, issue 21): the script is run as the browser
// would, in a context with no document, and the helpers it exposes on
// `self.tosoOffline` are checked — dates, client ids, which entries a user
// sees and in what order, the lines shown and the sign-out question, and
// what each answer of the server means for a queued entry. No server, no
// browser: the whole page is walked in offline.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';

const source = readFileSync(new URL('../../crates/web/static/app.js', import.meta.url), 'utf8');
const sandbox = { crypto: webcrypto };
sandbox.self = sandbox;
vm.runInNewContext(source, sandbox, { filename: 'app.js' });
const q = sandbox.tosoOffline;

const CATEGORIES = { dvc: 'Dịch vụ công trực tuyến', vneid: 'VNeID / định danh điện tử' };
const entry = (id, user, team, created, fields) => ({ id, user, team, created, fields, state: 'waiting' });

test('the script loads without a page and exposes its helpers only', () => {
  assert.equal(typeof q, 'object');
  assert.deepEqual(Object.keys(q).sort(),
    ['confirmText', 'describe', 'mine', 'newId', 'order', 'outcome', 'today', 'value']);
});

test('today is dd/mm/yyyy and dates order as dates', () => {
  assert.equal(q.today(new Date(2026, 0, 5)), '05/01/2026');
  assert.equal(q.today(new Date(2025, 11, 31)), '31/12/2025');
  assert.ok(q.order('04/12/2026') > q.order('30/11/2026'));
  assert.ok(q.order('01/01/2027') > q.order('31/12/2026'));
  assert.equal(q.order('4/1/2026'), 20260104);
  assert.equal(q.order('hôm nay'), 0, 'not a date sorts first');
});

test('client ids are what the server takes and never repeat', () => {
  const ids = new Set();
  for (let i = 0; i < 1000; i += 1) {
    const id = q.newId();
    assert.match(id, /^[A-Za-z0-9_-]{8,64}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 1000);
});

test('a user sees only their own entries, for the team asked, oldest first', () => {
  const t5 = '/communes/11914/teams/5';
  const t6 = '/communes/11914/teams/6';
  const all = [
    entry('c', '7', t5, 300, []),
    entry('a', '7', t5, 100, []),
    entry('x', '8', t5, 50, []), // another user on the same phone
    entry('b', '7', t6, 200, []),
    entry('d', '7', t5, 300, []), // same time as c: by id
  ];
  assert.deepEqual(q.mine(all, '7', t5).map((e) => e.id), ['a', 'c', 'd']);
  assert.deepEqual(q.mine(all, '7', null).map((e) => e.id), ['a', 'b', 'c', 'd']);
  assert.deepEqual(q.mine(all, '8', t6).map((e) => e.id), []);
  assert.deepEqual(q.mine(all, '', t5).map((e) => e.id), [], 'a page without a user shows nothing');
});

test('an entry is described like the recent list, and the sign-out question lists them', () => {
  const e = entry('a', '7', '/t', 1, [
    ['activity_date', '04/12/2026'], ['category', 'vneid'], ['citizens_helped', '3'],
    ['dossiers', '1'], ['note', 'Chợ sáng'], ['co_12', 'on'],
  ]);
  assert.equal(q.describe(e, CATEGORIES), '04/12/2026 — VNeID / định danh điện tử: 3 người, 1 hồ sơ (Chợ sáng)');
  assert.equal(q.value(e, 'co_12'), 'on');
  assert.equal(q.value(e, 'co_13'), '');
  const bare = entry('b', '7', '/t', 2, [['activity_date', '03/12/2026'], ['category', 'khac'], ['citizens_helped', '']]);
  assert.equal(q.describe(bare, CATEGORIES), '03/12/2026 — khac: ? người, 0 hồ sơ');
  assert.equal(q.confirmText([e, bare], CATEGORIES),
    'Còn 2 lượt chưa gửi:\n' +
    '• 04/12/2026 — VNeID / định danh điện tử: 3 người, 1 hồ sơ (Chợ sáng)\n' +
    '• 03/12/2026 — khac: ? người, 0 hồ sơ\n' +
    'Đăng xuất sẽ xóa chúng khỏi máy này.');
});

test('the answers of the server: sent, refused with its message, sign in again, or later', () => {
  assert.equal(q.outcome(201, { id: 9, repeat: false }).kind, 'sent');
  assert.equal(q.outcome(200, { id: 9, repeat: true }).kind, 'sent', 'a repeat is the original: done');
  assert.equal(q.outcome(200, null).kind, 'retry', 'a page instead of JSON is not a receipt');
  const refused = q.outcome(422, { error: 'invalid', field: 'activity_date', message: 'Ngày hỗ trợ sai.' });
  assert.equal(refused.kind, 'refused');
  assert.equal(refused.field, 'activity_date');
  assert.equal(refused.message, 'Ngày hỗ trợ sai.');
  const forbidden = q.outcome(403, { error: 'forbidden', message: 'Bạn không còn trong tổ.' });
  assert.equal(forbidden.kind, 'refused');
  assert.equal(forbidden.field, '');
  assert.equal(q.outcome(404, { error: 'not_found', message: 'Không có tổ này.' }).kind, 'refused');
  assert.equal(q.outcome(403, null).kind, 'token', 'the CSRF refusal is an HTML page: renew the token');
  assert.equal(q.outcome(401, { error: 'unauthenticated', message: '…' }).kind, 'auth');
  for (const status of [0, 408, 429, 500, 502, 503]) {
    assert.equal(q.outcome(status, status ? { error: 'unavailable', message: '…' } : null).kind, 'retry', `status ${status}`);
  }
});
