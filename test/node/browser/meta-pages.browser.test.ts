import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl } from '../http';
import { launch, phonePage, screenshot, seriousViolations } from './browser';

// The home page and the problem-code pages in Chromium at phone size: they render, their links lead
// somewhere, and axe finds nothing serious or critical.

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the platform’s own pages in Chromium', () => {
  for (const [name, path] of [
    ['home', '/'],
    ['problems', '/problems'],
    ['problem-voucher-expired', '/problems/voucher_expired'],
    ['problem-unknown', '/problems/no_such_code'],
  ] as const) {
    it(`${path} renders and axe finds nothing serious`, async () => {
      const page = await phonePage(browser);
      const res = await page.goto(`${baseUrl()}${path}`);
      expect(res?.status()).toBe(name === 'problem-unknown' ? 404 : 200);
      await expect(page.locator('h1').count()).resolves.toBe(1);
      await screenshot(page, name);
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    });
  }

  it('the home page’s links all lead to a page that answers 200', async () => {
    const page = await phonePage(browser);
    await page.goto(`${baseUrl()}/`);
    const hrefs = await page
      .locator('main a')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.length).toBeGreaterThanOrEqual(5);
    for (const href of hrefs) expect((await fetch(href)).status, href).toBe(200);
    await page.context().close();
  });
});
