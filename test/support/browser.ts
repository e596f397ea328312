import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where browser tests leave their screenshots, for people to look at. */
export const SCREENSHOTS = join('test-output', 'e2e');

/** Debian's Chromium (installed by test/support/ensure-chromium.sh), headless. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** Fills in and sends the sign-in form the page is on, as a person would. */
export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.fill('#f-login', login);
  await page.fill('#f-password', password);
  await page.click('button:has-text("ورود")');
}
