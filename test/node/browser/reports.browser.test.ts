import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, PHONE, phonePage, screenshot, seriousViolations } from './browser';

// The clinic console's report view in Chromium, before any console route mounts it: the component is
// rendered here (a year of made-up figures) and served, with the vendored Chart.js and the drawing
// script, from one origin under the console's CSP (scripts from 'self' only). Every figure gets its
// chart drawn, nothing is refused by the CSP, axe finds nothing serious, and without script the tables
// are all there is.

const ORIGIN = 'https://console.test';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";
const SRC = path.resolve(import.meta.dirname, '../../..');
// Imported at run time: the view and the fixture are Worker code, typed against the Workers runtime.
const load = (file: string): Promise<any> => import(/* @vite-ignore */ path.join(SRC, file));

let browser: Browser;
let files: Record<string, { type: string; body: string }>;
beforeAll(async () => {
  browser = await launch();
  const view = await load('workers/api/src/pages/console/reports-view.tsx');
  const { PAGE_STYLE } = await load('workers/api/src/pages/layout.tsx');
  const { sampleReport } = await load('test/helpers/report-fixture.ts');
  const body = String(view.ReportsView({ report: sampleReport(), csvHref: '/console/reports.csv' }));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1"><title>Reports</title>
    <style>${PAGE_STYLE}${view.REPORTS_STYLE}</style></head>
    <body><main><h1>Reports</h1>${body}</main></body></html>`;
  files = {
    '/console/reports': { type: 'text/html; charset=utf-8', body: html },
    [view.CHART_LIBRARY_PATH]: { type: 'text/javascript; charset=utf-8', body: view.CHART_LIBRARY_SOURCE },
    [view.CHART_SCRIPT_PATH]: { type: 'text/javascript; charset=utf-8', body: view.CHART_SCRIPT },
  };
});
afterAll(async () => {
  await browser?.close();
});

/** Serves the page and its two scripts from ORIGIN, with the console's CSP. */
async function serve(context: BrowserContext) {
  await context.route(`${ORIGIN}/**`, (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file
      ? route.fulfill({
          status: 200,
          contentType: file.type,
          body: file.body,
          headers: { 'content-security-policy': CSP },
        })
      : route.fulfill({ status: 404, body: 'not found' });
  });
}

async function open(page: Page) {
  await serve(page.context());
  await page.goto(`${ORIGIN}/console/reports`);
}

describe('the report view in Chromium', () => {
  it('draws every chart under a scripts-from-self CSP, beside its table', async () => {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
    });
    page.on('pageerror', (e) => refused.push(String(e)));
    await open(page);
    await page.waitForFunction(() => document.querySelectorAll('figure.charted').length === 5);
    // Each canvas has been drawn on.
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        return painted;
      }),
    );
    expect(drawn).toHaveLength(5);
    for (const n of drawn) expect(n).toBeGreaterThan(500);
    expect(refused).toEqual([]);
    // Nothing spills off the side of a phone: wide tables scroll in their own box.
    await expect(
      page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).resolves.toBe(true);
    await screenshot(page, 'console-reports');
    await context.close();
  });

  it('has no serious accessibility violations, with the charts drawn', async () => {
    const page = await phonePage(browser);
    await open(page);
    await page.waitForFunction(() => document.querySelectorAll('figure.charted').length === 5);
    expect(await seriousViolations(page)).toEqual([]);
    await expect(page.getByRole('img', { name: /points issued, spent and expired/ }).count()).resolves.toBe(
      1,
    );
    await expect(
      page.getByRole('link', { name: 'Download these months as CSV' }).getAttribute('href'),
    ).resolves.toBe('/console/reports.csv');
    await page.context().close();
  });

  it('shows the tables alone without script', async () => {
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await open(page);
    await expect(page.getByRole('table').count()).resolves.toBe(5);
    await expect(page.locator('canvas').first().isVisible()).resolves.toBe(false);
    await expect(page.getByRole('rowheader', { name: 'Dec 2026' }).count()).resolves.toBe(5);
    await context.close();
  });
});
