// Tổ Số — service worker of the team pages (registered by app.js with scope
// /communes/{code}/teams/). The team page opens with no network after one
// online visit: it is fetched from the network first and a copy is kept; the
// static files are served from the cache. POSTs and the API are never cached.
// One cache, named by VERSION: the server replaces the name below with a
// hash of the files of ASSETS (web/src/assets.rs), so a release that
// changes one of them installs a new cache; old caches are deleted on
// activate.
const VERSION = 'toso-assets';
const ASSETS = ['/static/app.css', '/static/app.js', '/static/icon.svg', '/static/icon-192.png', '/static/icon-512.png'];
// The team page and its manifest: the only pages kept (a few KB each).
const KEPT = /^\/communes\/\d+\/teams\/\d+(\/manifest\.webmanifest)?$/;

// Installing keeps the static files and the team page that registered the
// worker, so that page opens offline after this first visit already.
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    // Revalidated with the server, never a day-old copy from the browser's
    // own cache (the stylesheet may be kept a day).
    await cache.addAll(ASSETS.map((path) => new Request(path, { cache: 'no-cache' })));
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    await Promise.all(open.map((c) => new URL(c.url)).filter((u) => KEPT.test(u.pathname)).map(async (u) => {
      const response = await fetch(u.pathname).catch(() => null);
      if (response && response.ok && !response.redirected) await cache.put(u.pathname, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== VERSION).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// Signing out (app.js) drops the kept pages: the next person on the phone
// must not find the previous one's page offline.
self.addEventListener('message', (event) => {
  if (event.data !== 'forget-pages') return;
  event.waitUntil(caches.open(VERSION).then(async (cache) => {
    for (const request of await cache.keys()) {
      if (!ASSETS.includes(new URL(request.url).pathname)) await cache.delete(request);
    }
  }));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  } else if (KEPT.test(url.pathname) && (request.mode === 'navigate' || url.pathname.endsWith('.webmanifest'))) {
    event.respondWith(networkFirst(event, url));
  }
});

/**
 * The network's answer, a copy kept when it is a plain page; the kept copy
 * when there is no network, or when the network is still silent after
 * SLOW ms (a weak signal): the answer, when it comes, is kept for next time.
 */
const SLOW = 6000;
async function networkFirst(event, url) {
  const network = fetch(event.request).then((response) => {
    // Not a redirect (to the login page), not a page with a one-time notice (?saved).
    if (response.ok && response.type === 'basic' && !url.search) {
      const copy = response.clone();
      event.waitUntil(caches.open(VERSION).then((c) => c.put(url.pathname, copy)));
    }
    return response;
  });
  event.waitUntil(network.catch(() => {}));
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW))
    .then(() => caches.match(url.pathname))
    .then((hit) => hit || network);
  try {
    return await Promise.race([network, slow]);
  } catch (err) {
    const hit = await caches.match(url.pathname);
    if (hit) return hit;
    throw err;
  }
}
