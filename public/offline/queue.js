/**
 * The queue on the phone: enrolments typed without a connection, in IndexedDB (database `enrolment-queue`), each
 * under the id the phone made for it (a UUID, sent as its Idempotency-Key) with the time it was typed and the user
 * who typed it. Items stay until they are sent and cleared, or deleted by the user (server/enrolments/OFFLINE.md).
 *
 * item: { id, owner, typedAt, fields, state: 'waiting' | 'sent' | 'refused', result? }
 */
const DB_NAME = 'enrolment-queue';
const STORE = 'items';

let opened;
function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function inStore(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const allItems = () => inStore('readonly', (store) => store.getAll());
export const getItem = (id) => inStore('readonly', (store) => store.get(id));
export const putItem = (item) => inStore('readwrite', (store) => store.put(item));
export const deleteItem = (id) => inStore('readwrite', (store) => store.delete(id));

/** Items that still need the user or the network: waiting to be sent, or refused and waiting for a correction. */
export const isOpen = (item) => item.state === 'waiting' || item.state === 'refused';

/** A UUID (crypto.randomUUID where the browser has it). */
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
