import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { auditRetentionJob } from '../../jobs/audit-retention.js';
import { remindersJob } from '../../jobs/reminders.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../server/users/demo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { launchChromium, SCREENSHOTS, signIn } from '../support/browser.js';
import { resetDatabase } from '../support/database.js';
import { loadDemo } from '../support/demo.js';

const PHONE = { width: 360, height: 740 };
/** Pages of one shape (the same path with other ids) are visited once per role; this many pages at most per role. */
const PAGES_PER_ROLE = 80;
/** Links that are not pages: downloads, sign-out, the language switch, files. */
/** Point 9 of issue 10: a page and its stylesheets, gzipped, within what a slow phone fetches quickly. */
const MAX_GZIPPED_BYTES = 30 * 1024;
const NOT_A_PAGE = /^\/(lang|logout|static)\b|\.(pdf|xlsx|csv|ics)$|\/attachment$|\/export\/|\/calendar|template|problems/;

interface PageFinding {
  status: number;
  scrollWidth: number;
  latin: string[];
  links: string[];
  stylesheets: string[];
  sideScrollers: string[];
}

/**
 * What a Persian reader should never see: Latin letters or digits outside the places they belong (user data and
 * codes shown on purpose in dir=ltr / dir=auto spans, bdi, code, an English label marked lang=en, form fields).
 */
async function inspect(page: Page): Promise<Omit<PageFinding, 'status'>> {
  // a string, run in the page: this project's TypeScript has no DOM types
  return page.evaluate(`(() => {
    const latin = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('[dir=ltr],[dir=auto],[lang=en],bdi,code,script,style,textarea,option[lang]')) continue;
      for (const word of node.textContent.match(/\\S*[A-Za-z0-9]\\S*/g) ?? []) latin.push(word);
    }
    for (const input of document.querySelectorAll('input[placeholder]')) if (/[A-Za-z0-9]/.test(input.placeholder) && input.dir !== 'ltr') latin.push('placeholder:' + input.placeholder);
    // a table in a box that scrolls sideways hides its columns on a phone: tables stack instead
    const sideScrollers = [...document.querySelectorAll('body *')].filter((el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
    return { sideScrollers, scrollWidth: document.documentElement.scrollWidth, latin: [...new Set(latin)], links: [...document.querySelectorAll('a[href]')].map((a) => a.href), stylesheets: [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.href) };
  })()`);
}

/** The same page with other ids or codes: visited once. */
const shapeOf = (url: URL) => url.pathname.replace(/[0-9a-f]{24}/g, ':id').replace(/\/[0-9A-Z]{2,}(?=\/|$)/g, '/:code') + '?' + [...url.searchParams.keys()].sort().join('&');

describe('Every page of every demo role on a 360-px phone, in Persian', function () {
  this.timeout(900_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    await resetDatabase();
    app = await startTestApp({ LOGIN_RATE_LIMIT: '1000' });
    await loadDemo(app.config);
    // a reminder run, so the jobs page has counts to show
    await new Scheduler(app.config, [remindersJob]).fire(remindersJob, new Date());
    // and an installation-wide run, so the installation administrator's jobs page links to one
    await new Scheduler(app.config, [auditRetentionJob]).fire(auditRetentionJob, new Date());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const problems: string[] = [];
  const overflow: string[] = [];
  const leaks: string[] = [];
  const heavy: string[] = [];
  const scrollers: string[] = [];
  const gzippedCss = new Map<string, number>();
  async function cssBytes(hrefs: string[]): Promise<number> {
    let total = 0;
    for (const href of hrefs) {
      if (!gzippedCss.has(href)) gzippedCss.set(href, gzipSync(Buffer.from(await (await fetch(href)).arrayBuffer())).length);
      total += gzippedCss.get(href)!;
    }
    return total;
  }

  for (const account of DEMO_ACCOUNTS) {
    it(`${account.username} (${account.role}): lands on their own work and reaches every page without a sideways scroll, an error, English or more than 30 KB gzipped`, async () => {
      const page = await browser.newPage({ viewport: PHONE, javaScriptEnabled: false });
      await page.goto(`${app.baseUrl}/login`);
      await signIn(page, account.username, DEMO_PASSWORD);
      expect(new URL(page.url()).pathname, 'lands on the home').to.equal('/');
      expect(await page.textContent('h1')).to.contain('کار امروز من');
      await page.screenshot({ path: join(SCREENSHOTS, `home-${account.username}.png`), fullPage: true });

      const origin = new URL(app.baseUrl).origin;
      const queue = ['/'];
      const shapes = new Set<string>([shapeOf(new URL('/', origin))]);
      let visited = 0;
      while (queue.length && visited < PAGES_PER_ROLE) {
        const path = queue.shift()!;
        visited++;
        const response = await page.goto(origin + path);
        const found = await inspect(page);
        const status = response?.status() ?? 0;
        if (status >= 400) problems.push(`${account.username} ${path}: HTTP ${status}`);
        if (found.scrollWidth > PHONE.width) overflow.push(`${account.username} ${path}: ${found.scrollWidth}px`);
        if (found.sideScrollers.length) scrollers.push(`${account.username} ${path}: ${found.sideScrollers.join(' ')}`);
        const bytes = response ? gzipSync(await response.body()).length + (await cssBytes(found.stylesheets)) : 0;
        if (bytes > MAX_GZIPPED_BYTES) heavy.push(`${account.username} ${path}: ${Math.ceil(bytes / 1024)} KB`);
        if (found.latin.length) leaks.push(`${account.username} ${path}: ${found.latin.slice(0, 8).join(' | ')}`);
        for (const href of found.links) {
          const url = new URL(href);
          if (url.origin !== origin || NOT_A_PAGE.test(url.pathname)) continue;
          const shape = shapeOf(url);
          if (shapes.has(shape)) continue;
          shapes.add(shape);
          queue.push(url.pathname + url.search);
        }
      }
      await page.close();
      expect(visited, 'pages reached').to.be.greaterThan(5);
      expect(problems.filter((p) => p.startsWith(account.username + ' ')), 'pages that failed').to.deep.equal([]);
      expect(overflow.filter((p) => p.startsWith(account.username + ' ')), 'pages wider than the phone').to.deep.equal([]);
      expect(leaks.filter((p) => p.startsWith(account.username + ' ')), 'Latin letters or digits on a Persian page').to.deep.equal([]);
      expect(scrollers.filter((p) => p.startsWith(account.username + ' ')), 'boxes that scroll sideways on a phone').to.deep.equal([]);
      expect(heavy.filter((p) => p.startsWith(account.username + ' ')), 'pages over 30 KB gzipped with their CSS').to.deep.equal([]);
    });
  }
});
