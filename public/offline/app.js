import { checkBeforeQueueing } from '../../server/enrolments/offline-checks.ts';
import { fillMessage } from '../../server/i18n/fill.ts';
import { formatJalaliForDisplay, toJalali } from '../../server/shared/jalali.ts';
import { toLatinDigits, toPersianDigits } from '../../server/shared/persian-text.ts';
import { allItems, deleteItem, getItem, isOpen, newId, putItem } from './queue.js';
import { suggestPlaces } from './place-suggest.js';
import { currentSession, syncQueue } from './sync.js';

/**
 * The phone's offline enrolment, as progressive enhancement: every page works without this script. With it, the
 * enrolment form checks what needs no server (the server's own rules, bundled from server/enrolments/), keeps each
 * enrolment in the queue on the phone first and sends it at once or when the connection returns; a badge on every
 * page counts what waits; /enrolments/pending lists it. See server/enrolments/OFFLINE.md.
 */
const html = document.documentElement;
const lang = html.lang === 'en' ? 'en' : 'fa';
const badge = document.querySelector('.pending-badge');
const owner = badge?.dataset.user;
let messages = {};

const text = (key, params = {}) => fillMessage(messages[key] ?? key, params, lang);
// a national ID typed on the phone may mix Latin, Persian and Arabic-Indic digits: shown all in the reader's
const digits = (value) => (lang === 'fa' ? toPersianDigits(toLatinDigits(String(value))) : toLatinDigits(String(value)));
const mine = (item) => item.owner === owner;

async function refreshBadge() {
  if (!badge) return;
  const open = (await allItems()).filter((item) => mine(item) && isOpen(item)).length;
  badge.querySelector('span').textContent = digits(open);
  badge.hidden = open === 0;
}

/** The form's messages: fresh from the server when online, else the copy the service worker kept. */
async function loadMessages() {
  const session = await currentSession();
  if (typeof session === 'object') messages = session.messages;
  return session;
}

function notice(message, kind) {
  document.querySelector('#offline-notice')?.remove();
  const p = document.createElement('p');
  p.id = 'offline-notice';
  p.className = `flash ${kind}`;
  p.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  p.textContent = message;
  document.querySelector('main')?.prepend(p);
  return p;
}

function signInNotice() {
  const p = notice(text('offline.signInToSend'), 'error');
  const link = document.createElement('a');
  link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  link.textContent = ` ${text('offline.signIn')}`;
  p.append(link);
}

async function send() {
  const outcome = await syncQueue();
  if (outcome.session) messages = outcome.session.messages;
  else if (Object.keys(messages).length === 0) await loadMessages();
  if (outcome.state === 'signedOut') signInNotice();
  await refreshBadge();
  return outcome;
}

// ---- the enrolment form ----

function formContext(form) {
  const campaignInput = form.querySelector('[name="campaign"]');
  const chosen = campaignInput?.tagName === 'SELECT' ? campaignInput.selectedOptions[0] : campaignInput;
  const data = chosen?.dataset ?? {};
  const campaign = data.minAge ? { minAge: Number(data.minAge), maxAge: Number(data.maxAge), townThreshold: Number(data.townThreshold), targetGroups: (data.targetGroups ?? '').split(',') } : undefined;
  const place = form.dataset.placeLevel ? { level: form.dataset.placeLevel, population: form.dataset.placePopulation ? Number(form.dataset.placePopulation) : null } : undefined;
  return { ...(campaign ? { campaign } : {}), ...(place ? { place } : {}), today: toJalali(new Date()) };
}

function formFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form)) if (name !== '_csrf' && typeof value === 'string') fields[name] = value;
  return fields;
}

function clearProblems(form) {
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll('small.error')) el.remove();
}

/** Problems beside their fields, as the server's form page shows them; `fields` maps a field to its message. */
function showProblems(form, message, fields) {
  clearProblems(form);
  notice(message, 'error');
  for (const [name, fieldMessage] of Object.entries(fields ?? {})) {
    const holder = form.querySelector(`[name="${name}"]`)?.closest('.field');
    if (!holder) continue;
    holder.classList.add('invalid');
    const small = document.createElement('small');
    small.className = 'error';
    small.textContent = fieldMessage;
    holder.append(small);
  }
}

function fill(form, fields) {
  for (const [name, value] of Object.entries(fields)) {
    for (const input of form.querySelectorAll(`[name="${name}"]`)) {
      if (input.type === 'radio') input.checked = input.value === value;
      else if (name !== '_csrf') input.value = value;
    }
  }
}

async function enhanceForm(form) {
  let editing = new URLSearchParams(location.search).get('edit');
  const edited = editing ? await getItem(editing) : undefined;
  if (edited && mine(edited) && isOpen(edited)) {
    fill(form, edited.fields);
    if (edited.state === 'refused') showProblems(form, edited.result.message, edited.result.fields);
  } else editing = null;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (Object.keys(messages).length === 0) await loadMessages();
    const fields = formFields(form);
    const problem = checkBeforeQueueing(fields, formContext(form));
    if (problem) {
      showProblems(form, text(problem.messageKey, problem.params), Object.fromEntries(Object.entries(problem.fields).map(([f, key]) => [f, text(key)])));
      return;
    }
    const earlier = editing ? await getItem(editing) : undefined;
    const item = { id: earlier?.id ?? newId(), owner, typedAt: earlier?.typedAt ?? new Date().toISOString(), fields, state: 'waiting' };
    await putItem(item);
    navigator.storage?.persist?.();
    const name = `${fields.firstName} ${fields.lastName}`;
    const outcome = await send();
    const after = await getItem(item.id);
    if (after?.state === 'refused') {
      // refused by the server while the form is open: fixed here, it is sent again under the same id
      editing = item.id;
      showProblems(form, after.result.message, after.result.fields);
      return;
    }
    editing = null;
    clearProblems(form);
    form.reset();
    if (after?.state === 'sent') notice(text('enrolments.logged', { name }), 'success');
    else {
      notice(text('offline.savedOnPhone', { name }), 'success');
      if (outcome.state === 'signedOut') signInNotice();
      navigator.serviceWorker?.ready.then((registration) => registration.sync?.register('enrolment-queue')).catch(() => {});
    }
    if (earlier) location.assign('/enrolments/pending');
  });
}

// ---- the list of what waits on the phone ----

function describe(item) {
  const li = document.createElement('li');
  li.dataset.id = item.id;
  const f = item.fields;
  const title = document.createElement('strong');
  title.textContent = `${f.firstName} ${f.lastName}`;
  const id = document.createElement('span');
  id.className = 'id';
  id.dir = 'ltr';
  id.textContent = ` ${digits(f.nationalId)}`;
  const typed = document.createElement('small');
  typed.textContent = ` ${text('offline.typedAt', { when: formatJalaliForDisplay(new Date(item.typedAt), lang, { withTime: true }) })}`;
  const state = document.createElement('span');
  state.className = `state ${item.state}`;
  if (item.state === 'sent') state.textContent = item.result.possibleDuplicate ? text('offline.status.possibleDuplicate') : text('offline.status.sent');
  else if (item.state === 'refused') state.textContent = `${text('offline.status.refused')}: ${item.result.message}${Object.values(item.result.fields ?? {}).map((m) => ` ${m}`).join('')}`;
  else state.textContent = text('offline.status.waiting');
  li.append(title, id, typed, state);
  if (isOpen(item)) {
    const actions = document.createElement('div');
    actions.className = 'decide';
    const edit = document.createElement('a');
    edit.href = `/enrolments/new?edit=${item.id}`;
    edit.textContent = text('offline.edit');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary';
    remove.textContent = text('offline.delete');
    remove.addEventListener('click', async () => {
      if (!confirm(text('offline.deleteConfirm'))) return;
      await deleteItem(item.id);
      await renderQueue();
    });
    actions.append(edit, remove);
    li.append(actions);
  }
  return li;
}

async function renderQueue() {
  const list = document.querySelector('#queue');
  if (!list) return;
  const items = (await allItems()).filter(mine).sort((a, b) => (a.typedAt < b.typedAt ? -1 : 1));
  list.replaceChildren(...items.map(describe));
  document.querySelector('#queue-empty').hidden = items.length > 0;
  document.querySelector('#send-now').hidden = !items.some((item) => item.state === 'waiting');
  document.querySelector('#clear-sent').hidden = !items.some((item) => item.state === 'sent');
  await refreshBadge();
}

function enhanceQueuePage() {
  document.querySelector('#send-now')?.addEventListener('click', async () => {
    const outcome = await send();
    if (outcome.state === 'offline') notice(text('offline.offlineNow'), 'error');
    await renderQueue();
  });
  document.querySelector('#clear-sent')?.addEventListener('click', async () => {
    for (const item of await allItems()) if (mine(item) && item.state === 'sent') await deleteItem(item.id);
    await renderQueue();
  });
}

// ---- every page ----

/** Signing out keeps the queue, but asks first when something waits; the kept pages (name, place) are dropped. */
function guardSignOut() {
  for (const form of document.querySelectorAll('form[action="/logout"]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const open = (await allItems()).filter((item) => mine(item) && isOpen(item)).length;
      if (open > 0 && !confirm(text('offline.logoutConfirm', { count: open }))) return;
      navigator.serviceWorker?.controller?.postMessage({ type: 'forget' });
      form.submit();
    });
  }
}

async function start() {
  if (!('indexedDB' in window) || !owner) return;
  guardSignOut();
  const form = document.querySelector('form.enrol');
  if (form) await enhanceForm(form);
  enhanceQueuePage();
  await renderQueue();
  window.addEventListener('online', async () => {
    await send();
    await renderQueue();
  });
  // the network is the page's until it has loaded: on 2G, sending and keeping pages wait for it
  if (document.readyState !== 'complete') await new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
  const outcome = await send();
  await renderQueue();
  if ('serviceWorker' in navigator) await keepPagesOffline(outcome);
}

/** Registers the service worker and asks it to keep the user's pages; `data-offline-ready` tells when they are kept. */
async function keepPagesOffline(outcome) {
  try {
    const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    const worker = registration.active ?? navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener('message', async (event) => {
      if (event.data?.type === 'kept') html.dataset.offlineReady = 'yes';
      if (event.data?.type === 'synced') await renderQueue();
    });
    if (outcome.state !== 'offline' && worker) worker.postMessage({ type: 'keep', urls: ['/enrolments/new', '/enrolments/pending', '/enrolments', '/enrolments/offline.json', ...(badge?.dataset.place ? [`/places/${badge.dataset.place}`] : [])] });
    else html.dataset.offlineReady = 'yes';
  } catch {
    // no worker (private mode, an update that failed offline): the page still queues and sends
    html.dataset.offlineReady = 'no';
  }
}

suggestPlaces();
start();
