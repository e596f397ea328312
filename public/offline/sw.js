import { syncQueue } from './sync.js';

/**
 * The service worker: keeps the app shell and the signed-in user's enrolment pages so the form opens with no
 * network after one visit, and sends the queue by Background Sync where the browser has it. The server writes the
 * release's version into VERSION (a hash of the scripts and styles), so a new release installs a new worker whose
 * caches replace the old ones whole.
 */
const VERSION = '__VERSION__';
const SHELL = `shell-${VERSION}`;
const PAGES = `pages-${VERSION}`;
const SHELL_FILES = ['/offline/app.js', '/static/app.css', '/manifest.webmanifest'];
/** Pages kept for offline use: the form, the queue, the enrolments home, the user's own place, the form's messages. */
const KEPT = [/^\/enrolments\/new$/, /^\/enrolments\/pending$/, /^\/enrolments$/, /^\/enrolments\/offline\.json$/, /^\/places\/[0-9A-Za-z]+$/];
const SYNC_TAG = 'enrolment-queue';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL && name !== PAGES).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (SHELL_FILES.includes(url.pathname)) {
    // the shell: from this release's cache (a new release brings a new worker and a new cache)
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetchAndKeep(SHELL, url.pathname, event.request)));
    return;
  }
  if (url.search === '' && KEPT.some((pattern) => pattern.test(url.pathname))) {
    // the user's pages: the network first (they change), the kept copy when there is none
    event.respondWith(fetchAndKeep(PAGES, url.pathname, event.request).catch(() => caches.match(url.pathname, { cacheName: PAGES }).then((hit) => hit ?? Response.error())));
    return;
  }
  if (event.request.mode === 'navigate') {
    event.respondWith(fetch(event.request).catch(() => caches.match('/enrolments/pending', { cacheName: PAGES }).then((hit) => hit ?? Response.error())));
  }
});

async function fetchAndKeep(cacheName, key, request) {
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') {
    const cache = await caches.open(cacheName);
    await cache.put(key, response.clone());
  }
  return response;
}

self.addEventListener('message', (event) => {
  const { type, urls } = event.data ?? {};
  // a signed-in page names the pages to keep, so the form works offline after one visit to any page
  if (type === 'keep') event.waitUntil(keep(urls).then(() => event.source?.postMessage({ type: 'kept' })));
  // signing out: the kept pages show the user's name and place; the queue itself stays
  if (type === 'forget') event.waitUntil(caches.delete(PAGES));
});

async function keep(urls) {
  const cache = await caches.open(PAGES);
  await Promise.all(
    urls.map(async (path) => {
      try {
        const response = await fetch(path, { credentials: 'same-origin', redirect: 'manual' });
        if (response.ok && response.type === 'basic') await cache.put(path, response);
      } catch {
        // no network: the copy kept earlier stays
      }
    }),
  );
}

self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    syncQueue().then(async (outcome) => {
      for (const client of await self.clients.matchAll()) client.postMessage({ type: 'synced', state: outcome.state });
    }),
  );
});
