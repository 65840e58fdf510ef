import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, http, invitationLink } from '../http';
import { acceptInvitation, launch, phonePage, screenshot, seriousViolations, withPasskeys } from './browser';

// The partner's statements on a phone in Chromium: after a voucher and card points are redeemed at
// its counter, the month shows what the clinic owes, the lines, the CSV link, and prints cleanly.

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the partner statements view in Chromium', () => {
  it('shows the month’s figures and lines on a phone, prints without the controls, and axe finds nothing serious', async () => {
    const clinic = await createOrg({ kind: 'clinic', name: 'Statement Test Clinic' });
    const partner = await createOrg({ kind: 'partner', name: 'Statement Test Spa', category: 'wellness' });
    const offer = await http('POST', '/v1/offers', partner.key, {
      title: 'Hot stone massage',
      category: 'wellness',
      price: { amount: 8000, currency: 'EUR' },
    });
    const patient = await http('POST', '/v1/patients', clinic.key, { first_name: 'Ida', last_name: 'Berg' });
    const voucher = await http('POST', '/v1/vouchers', clinic.key, {
      patient_id: patient.body.id,
      offer_id: offer.body.id,
    });
    const redeemed = await http('POST', '/v1/redemptions', partner.key, { token: voucher.body.token });
    expect(redeemed.status).toBe(201);
    expect(redeemed.body.receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const page = await phonePage(browser);
    await withPasskeys(page);
    await acceptInvitation(page, await invitationLink(partner.id));
    await page.getByRole('link', { name: /Statements/ }).click();
    await expect(page.locator('h1').textContent()).resolves.toContain('Statement for');
    const owed = page.getByRole('region', { name: 'Owed to you, by clinic' });
    await expect(owed.textContent()).resolves.toContain('Statement Test Clinic');
    await expect(owed.textContent()).resolves.toContain('€80.00');
    await expect(page.getByText('Hot stone massage').count()).resolves.toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    // Nothing spills off the side of a phone (a long receipt id once pushed the amounts out).
    await expect(
      page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).resolves.toBe(true);
    await screenshot(page, 'partner-statements');

    // The CSV link answers the same lines.
    const href = await page.getByRole('link', { name: /Download the lines as CSV/ }).getAttribute('href');
    const csv = await page.evaluate(async (u) => (await fetch(u!)).text(), href);
    expect(csv).toContain('Hot stone massage');

    // Printed: the controls are gone, the receipts note is there.
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('navigation', { name: 'Months' }).isVisible()).resolves.toBe(false);
    await expect(page.getByText(/each with a receipt signed by/).isVisible()).resolves.toBe(true);
    await screenshot(page, 'partner-statements-print');
  });
});
