import { allItems, putItem } from './queue.js';

/** Small batches: one lost reply costs little, and the server answers each within its body limit. */
const BATCH = 10;

/**
 * The session as the server sees it now: `{ username, lang, csrfToken, messages }`, 'signedOut' when the session
 * has ended (the page answers with a redirect to the sign-in page), or 'offline'.
 */
export async function currentSession() {
  let response;
  try {
    response = await fetch('/enrolments/offline.json', { credentials: 'same-origin', redirect: 'manual', cache: 'no-store', headers: { accept: 'application/json' } });
  } catch {
    return 'offline';
  }
  if (response.type === 'opaqueredirect' || response.status === 401 || response.status === 403) return 'signedOut';
  if (!response.ok) return 'offline';
  return response.json();
}

/**
 * Sends the signed-in user's waiting items to `POST /api/v1/enrolments/batch` with the page session and its CSRF
 * token, each under its own Idempotency-Key, and records every answer on its item: sent (with the server's id),
 * or refused with the server's reason. Items of another user of the phone wait for that user. Sending twice at once
 * (the page and Background Sync) is harmless: the server answers a repeated key with the first answer.
 */
export async function syncQueue() {
  const session = await currentSession();
  if (typeof session === 'string') return { state: session };
  const waiting = (await allItems()).filter((item) => item.state === 'waiting' && item.owner === session.username);
  for (let i = 0; i < waiting.length; i += BATCH) {
    const chunk = waiting.slice(i, i + BATCH);
    let response;
    try {
      response = await fetch('/api/v1/enrolments/batch', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken, 'accept-language': session.lang },
        body: JSON.stringify({ items: chunk.map((item) => ({ idempotencyKey: item.id, enrolment: item.fields })) }),
      });
    } catch {
      return { state: 'offline', session };
    }
    if (response.status === 401) return { state: 'signedOut', session };
    if (!response.ok) return { state: 'offline', session };
    const { results } = await response.json();
    for (const result of results) {
      const item = chunk.find((c) => c.id === result.idempotencyKey);
      if (!item) continue;
      item.state = result.status === 201 ? 'sent' : 'refused';
      item.result = result.status === 201 ? { id: result.id, possibleDuplicate: result.possibleDuplicate } : { status: result.status, ...result.error };
      item.sentAt = new Date().toISOString();
      await putItem(item);
    }
  }
  return { state: 'done', session };
}
