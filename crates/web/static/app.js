// Tổ Số — the team page as an app that logs support with no signal (issue 21).
//
// Without this script the log form is a plain form and works as before. With
// it, an entry typed with no network is kept in IndexedDB (db "toso-offline",
// store "queue", key = the entry's client id), listed under "Đang chờ gửi" to
// correct or delete, and sent in order when the network returns, on every page
// load and from "Gửi ngay". The server records a client id once per user, so a
// retry after a lost answer never counts twice. Entries are bound to the user
// who typed them: only theirs are shown or sent, and signing out deletes them
// after a confirmation. No framework, no build step; plain ES2017+.
(function () {
  'use strict';

  // ---- Pure helpers (no DOM; tests/e2e/queue.test.mjs runs them in Node) ----

  const pad = (n) => String(n).padStart(2, '0');

  /** The device's date as dd/mm/yyyy. */
  function today(d = new Date()) {
    return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  }

  /** A dd/mm/yyyy date as a number that sorts like the dates (yyyymmdd). */
  function order(text) {
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
    return m ? m[3] * 10000 + m[2] * 100 + Number(m[1]) : 0;
  }

  /** A fresh client id: 32 hex digits (the server takes 8–64 of [A-Za-z0-9_-]). */
  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => pad(b.toString(16))).join('');
  }

  /** The entries of `user` (for `team` when given), oldest first. */
  function mine(entries, user, team) {
    return entries
      .filter((e) => e.user === user && (!team || e.team === team))
      .sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
  }

  /** The value of form field `name` in an entry ('' when absent). */
  function value(entry, name) {
    const pair = entry.fields.find((f) => f[0] === name);
    return pair ? pair[1] : '';
  }

  /** One line about an entry, like the page's recent list. */
  function describe(entry, categories) {
    const code = value(entry, 'category');
    const note = value(entry, 'note');
    return `${value(entry, 'activity_date')} — ${categories[code] || code}: ` +
      `${value(entry, 'citizens_helped') || '?'} người, ${value(entry, 'dossiers') || '0'} hồ sơ` +
      (note ? ` (${note})` : '');
  }

  /** The question asked before signing out with unsent entries. */
  function confirmText(entries, categories) {
    const lines = entries.map((e) => `• ${describe(e, categories)}`).join('\n');
    return `Còn ${entries.length} lượt chưa gửi:\n${lines}\nĐăng xuất sẽ xóa chúng khỏi máy này.`;
  }

  /**
   * What the server's answer to an entry means: 'sent' (recorded now or
   * before), 'refused' (kept with the message, not retried), 'auth' (sign in
   * again), 'token' (the CSRF check refused it: an HTML 403), 'retry'.
   */
  function outcome(status, json) {
    if ((status === 200 || status === 201) && json && json.id != null) return { kind: 'sent' };
    if (status === 401) return { kind: 'auth' };
    // A refusal (bad value, team left, gone): kept with its message; 408 and 429 are "later".
    if (status >= 400 && status < 500 && status !== 408 && status !== 429 && json && json.error) {
      return { kind: 'refused', message: String(json.message || ''), field: String(json.field || '') };
    }
    if (status === 403) return { kind: 'token' };
    return { kind: 'retry' };
  }

  self.tosoOffline = { today, order, newId, mine, value, describe, confirmText, outcome };

  // ---- The page ----

  const form = typeof document === 'undefined' ? null : document.querySelector('form[data-offline-log]');
  const pending = form && document.getElementById('pending');
  if (!pending || !self.indexedDB) return;

  const user = form.dataset.user;
  const action = form.getAttribute('action'); // /communes/{code}/teams/{id}/activities
  const team = action.replace(/\/activities$/, '');
  const input = (name) => form.elements.namedItem(name);
  const submit = form.querySelector('button[type=submit]');
  const submitText = submit.textContent.trim();
  const categories = {};
  for (const o of input('category').options) categories[o.value] = o.text.trim();

  const OFFLINE = 'Đang không có mạng: lượt ghi được lưu trên máy và tự gửi khi có mạng.';
  let editing = null; // id of the queued entry put back in the form
  let unsent = []; // this user's entries (all teams) as last shown, for the sign-out question
  let sending = false;
  let retryTimer = 0;
  // A page opened offline may be another session's cached copy: before
  // sending, reload it in the background to renew the CSRF token and check
  // that this user is the one signed in.
  let stale = !navigator.onLine;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/static/sw.js', { scope: team.replace(/[^/]+$/, '') }).catch(() => {});
    // Ask the browser not to evict the queue and the cached page when space runs short.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  }

  // The date defaults to today, also on a copy of the page cached days ago
  // (unless the server just showed the form again with its errors).
  const date = input('activity_date');
  if (!form.querySelector('[aria-invalid]') && order(today()) > order(date.defaultValue)) {
    date.defaultValue = date.value = today();
  }

  // ---- IndexedDB ----

  let dbPromise = null;
  function db() {
    dbPromise = dbPromise || new Promise((resolve, reject) => {
      const req = indexedDB.open('toso-offline', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('queue', { keyPath: 'id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return dbPromise;
  }
  /** Runs `fn(store)` in one transaction; the result of its request once committed. */
  async function tx(mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction('queue', mode);
      const req = fn(t.objectStore('queue'));
      t.oncomplete = () => resolve(req.result);
      t.onerror = t.onabort = () => reject(t.error);
    });
  }
  const list = async (forTeam) => mine(await tx('readonly', (s) => s.getAll()), user, forTeam);
  const get = (id) => tx('readonly', (s) => s.get(id));
  const put = (entry) => tx('readwrite', (s) => s.put(entry));
  const drop = (id) => tx('readwrite', (s) => s.delete(id));

  // ---- What the member sees ----

  const status = el('p', '', 'offline-status');
  status.setAttribute('role', 'status');
  pending.before(status);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function button(text, onClick) {
    const b = el('button', text, 'secondary');
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }
  /** A message above the list, with an optional link [text, href]. */
  function show(text, link) {
    status.replaceChildren(text);
    if (link) {
      const a = el('a', link[0]);
      a.href = link[1];
      status.append(' ', a);
    }
  }
  /** The label of a form field, for a refusal's message. */
  function label(field) {
    const l = form.querySelector(`label[for="f-${field}"]`) || (field.startsWith('co_') && form.querySelector('summary'));
    return l ? `${l.textContent.trim()}: ` : '';
  }

  async function render() {
    unsent = await list(null);
    const entries = unsent.filter((e) => e.team === team);
    pending.hidden = !entries.length;
    pending.replaceChildren();
    if (!entries.length) return;
    const ul = el('ul', '', 'pending-list');
    for (const e of entries) {
      const li = el('li', describe(e, categories));
      if (e.state === 'refused') {
        li.className = 'refused';
        li.append(el('p', label(e.field) + e.message, 'error-text'));
      }
      const actions = el('span', '', 'actions');
      actions.append(button('Sửa', () => edit(e)), button('Xóa', () => remove(e)));
      li.append(actions);
      ul.append(li);
    }
    const now = button('Gửi ngay', flush);
    now.className = '';
    pending.append(el('h3', `Đang chờ gửi (${entries.length})`), ul, now);
  }

  /** Puts a queued entry back in the form; saving it replaces it (same client id). */
  function edit(entry) {
    editing = entry.id;
    for (const f of form.elements) {
      if (!f.name || f.name === 'csrf' || f.name === 'client_id') continue;
      if (f.type === 'checkbox') f.checked = entry.fields.some((p) => p[0] === f.name);
      else f.value = value(entry, f.name);
    }
    input('client_id').value = entry.id;
    const details = form.querySelector('details');
    if (details && form.querySelector('input[type=checkbox]:checked')) details.open = true;
    show(`Đang sửa một lượt chờ gửi: sửa rồi bấm «${submitText}» để lưu.`);
    (input(entry.field) || input('activity_date')).focus();
  }

  async function remove(entry) {
    if (!confirm(`Xóa lượt chưa gửi này?\n${describe(entry, categories)}`)) return;
    await drop(entry.id);
    if (editing === entry.id) clear();
    show('Đã xóa lượt chưa gửi.');
    await render();
  }

  /** An empty form for the next entry, with a new client id. */
  function clear() {
    editing = null;
    form.reset();
    input('client_id').value = newId();
  }

  // ---- Sending ----

  /** Reloads the team page in the background: a fresh CSRF token, and who is signed in. */
  async function refresh() {
    let res;
    try {
      res = await fetch(team, { credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      return 'retry';
    }
    if (res.redirected && new URL(res.url).pathname === '/login') return 'auth';
    if (!res.ok) return 'ok'; // no page (e.g. left the team): the POST's answer will say why
    const html = await res.text();
    const token = /name="csrf" value="([^"]+)"/.exec(html);
    const who = /data-user="([^"]*)"/.exec(html);
    if (who && who[1] !== user) return 'other';
    if (token) document.querySelectorAll('input[name="csrf"]').forEach((i) => { i.value = token[1]; });
    stale = false;
    return 'ok';
  }

  async function post(entry) {
    const body = new URLSearchParams(entry.fields);
    body.set('client_id', entry.id);
    body.set('csrf', input('csrf').value);
    try {
      const res = await fetch(`${entry.team}/activities`, {
        method: 'POST', body, credentials: 'same-origin', redirect: 'manual',
        headers: { Accept: 'application/json' },
      });
      const json = (res.headers.get('content-type') || '').includes('json') ? await res.json() : null;
      return outcome(res.status, json);
    } catch (e) {
      return { kind: 'retry' }; // no network, or the answer was lost
    }
  }

  /** Sends one entry, renewing the token once if needed. */
  async function send(entry) {
    if (stale) {
      const r = await refresh();
      if (r !== 'ok') return { kind: r };
    }
    let out = await post(entry);
    if (out.kind === 'token') {
      const r = await refresh();
      out = r === 'ok' ? await post(entry) : { kind: r };
      if (out.kind === 'token') out = { kind: 'retry' };
    }
    return out;
  }

  /** Why sending stopped, said to the member. */
  function stopped(kind, left) {
    if (kind === 'auth') {
      show(`Phiên đăng nhập đã hết: đăng nhập lại để gửi ${left} lượt đang chờ.`,
        ['Đăng nhập lại', `/login?next=${encodeURIComponent(location.pathname)}`]);
    } else if (kind === 'other') {
      show('Máy đang đăng nhập bằng tài khoản khác: các lượt này chỉ được gửi khi người đã ghi đăng nhập lại.');
    } else {
      show('Chưa gửi được (mất kết nối hoặc máy chủ bận): các lượt vẫn được giữ trên máy và sẽ tự gửi lại.');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, 60000);
    }
  }

  /** Sends this user's waiting entries for this team, oldest first, one at a time. */
  async function flush() {
    if (sending) return;
    if (!navigator.onLine) {
      if ((await list(team)).length) show(OFFLINE);
      return;
    }
    sending = true;
    let stop = null;
    let sent = 0;
    let refused = 0;
    const run = async () => {
      for (const { id } of await list(team)) {
        const e = await get(id); // read again: another tab may have changed it
        if (!e || e.state !== 'waiting' || id === editing) continue;
        const out = await send(e);
        if (out.kind === 'sent') {
          await drop(id);
          sent += 1;
        } else if (out.kind === 'refused') {
          await put({ ...e, state: 'refused', message: out.message, field: out.field });
          refused += 1;
        } else {
          stop = out.kind;
          break;
        }
      }
    };
    try {
      // One sender across tabs; a tab that finds the lock taken leaves it to the other.
      if (navigator.locks) await navigator.locks.request('toso-offline-send', { ifAvailable: true }, (lock) => lock && run());
      else await run();
    } catch (e) {
      stop = 'retry';
    }
    sending = false;
    const left = (await list(team)).length;
    const done = (sent ? `Đã gửi ${sent} lượt. ` : '') +
      (refused ? `${refused} lượt chưa ghi được: xem lý do bên dưới, sửa hoặc xóa.` : '');
    if (stop) stopped(stop, left);
    else if (done) show(done.trim(), sent ? ['Tải lại trang để xem', team] : null);
    await render();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fields = Array.from(new FormData(form)).filter((p) => p[0] !== 'csrf' && p[0] !== 'client_id');
    let entry;
    if (editing) {
      const old = (await get(editing)) || { id: editing, team, user, created: Date.now() };
      entry = { ...old, fields, state: 'waiting', message: '', field: '' };
    } else {
      // The id in the hidden field: a double click sends the same entry twice, recorded once.
      entry = { id: input('client_id').value || newId(), fields, team, user, created: Date.now(), state: 'waiting' };
      if (navigator.onLine) {
        submit.disabled = true;
        const out = await send(entry);
        submit.disabled = false;
        if (out.kind === 'sent') {
          location.assign(`${team}?saved`);
          return;
        }
        if (out.kind === 'refused') {
          // Online: let the server show the form again with its errors (nothing was written).
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        stopped(out.kind, (await list(team)).length + 1);
      }
    }
    try {
      await put(entry);
    } catch (e) {
      show('Không lưu được lượt này trên máy: biểu mẫu được giữ nguyên, thử lại sau.');
      return;
    }
    const wasEdit = editing;
    clear();
    if (!navigator.onLine) show('Đã lưu trên máy: lượt này sẽ tự gửi khi có mạng.');
    await render();
    if (wasEdit) flush();
  });

  // Signing out deletes this user's unsent entries (after a confirmation) and
  // the cached team pages, so the next person on a shared phone sees neither.
  // Without entries the form is sent at once, as without the script.
  const logout = document.querySelector('form[data-logout]');
  if (logout) {
    logout.addEventListener('submit', (ev) => {
      const left = unsent;
      if (left.length) {
        ev.preventDefault();
        if (!confirm(confirmText(left, categories))) return;
      }
      // The worker drops its copies of the pages, even after this page is gone.
      const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage('forget-pages');
      if (left.length) {
        Promise.all(left.map((e) => drop(e.id))).catch(() => {})
          .then(() => HTMLFormElement.prototype.submit.call(logout));
      }
    });
  }

  window.addEventListener('online', flush);
  window.addEventListener('offline', () => show(OFFLINE));
  document.addEventListener('visibilitychange', () => { if (!document.hidden) render(); });
  input('client_id').value = newId();
  if (!navigator.onLine) show(OFFLINE);
  render().then(flush).catch(() => {});
}());
