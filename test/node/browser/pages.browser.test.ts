import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, createOrg, http, invitationLink } from '../http';
import { acceptInvitation, launch, phonePage, screenshot, seriousViolations, withPasskeys } from './browser';

// The two human pages in a real headless Chromium at phone size: the patient's link (render, QR
// decodes back to the token, accessibility) and the partner's counter (sign in, paste, check,
// redeem, reverse, accessibility). Screenshots land in test-results/screenshots/.

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function scene() {
  const clinic = await createOrg({ kind: 'clinic', name: 'Lumière Aesthetics Mitte' });
  const partner = await createOrg({
    kind: 'partner',
    name: 'Hands of Grace Massage & Spa',
    category: 'massage',
    address: 'Torstraße 88, 10119 Berlin',
    phone: '+493022233344',
    booking_url: 'https://hands-of-grace.example/book',
  });
  const offer = await http('POST', '/v1/offers', partner.key, {
    title: '60-minute aromatherapy massage',
    category: 'massage',
    price: { amount: 6500, currency: 'EUR' },
  });
  const patient = await http('POST', '/v1/patients', clinic.key, {
    first_name: 'Anna',
    last_name: 'Kowalski',
  });
  const voucher = await http('POST', '/v1/vouchers', clinic.key, {
    patient_id: patient.body.id,
    offer_id: offer.body.id,
    message: 'Thank you for trusting us this year, Anna. Enjoy an afternoon just for you!',
  });
  expect(voucher.status).toBe(201);
  return {
    clinic,
    partner,
    patient: patient.body as { id: string; card_number: string },
    voucher: voucher.body as { id: string; token: string; url: string },
  };
}

function decodeQr(pngFile: string): string | null {
  const png = PNG.sync.read(readFileSync(pngFile));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

describe('the patient link page in Chromium', () => {
  it('renders at phone size, its QR code decodes back to the token, and axe finds nothing serious', async () => {
    const { voucher } = await scene();
    const page = await phonePage(browser);
    const res = await page.goto(voucher.url);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toContain('A gift for you, Anna');
    await screenshot(page, 'patient-link');
    const qr = page.locator('img.qr');
    await qr.scrollIntoViewIfNeeded();
    const qrFile = `${await screenshot(page, 'patient-link-full')}`;
    await qr.screenshot({ path: qrFile.replace('full', 'qr') });
    expect(decodeQr(qrFile.replace('full', 'qr'))).toBe(voucher.token);
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  });
});

describe('the partner counter page in Chromium', () => {
  it('signs in, checks a pasted code, redeems with one tap, shows it and reverses it; axe finds nothing serious', async () => {
    const { voucher, partner, clinic } = await scene();
    const page = await phonePage(browser);
    await withPasskeys(page);
    await page.goto(`${baseUrl()}/partner`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'partner-sign-in');
    await acceptInvitation(page, await invitationLink(partner.id, 'Marta Lange'));
    await expect(page.locator('h1').textContent()).resolves.toBe('Hands of Grace Massage & Spa');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Or paste the voucher code').fill(voucher.token);
    await page.getByRole('button', { name: 'Check voucher' }).click();
    await expect(page.locator('.status').textContent()).resolves.toContain('For Anna K.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'partner-check');

    await page.getByRole('button', { name: 'Redeem now' }).click();
    await expect(page.locator('.status').textContent()).resolves.toContain(
      'Redeemed: 60-minute aromatherapy massage.',
    );
    await screenshot(page, 'partner-redeemed');
    const seen = await http('GET', `/v1/vouchers/${voucher.id}`, clinic.key);
    expect(seen.body.status).toBe('redeemed');

    await page.getByRole('button', { name: /Reverse the redemption/ }).click();
    await expect(page.locator('.status').textContent()).resolves.toContain('reversed');
    expect((await http('GET', `/v1/vouchers/${voucher.id}`, clinic.key)).body.status).toBe('issued');
    await page.context().close();
  });

  it('takes card points by card number and shows what is left; axe finds nothing serious', async () => {
    const { partner, clinic, patient } = await scene();
    const visit = await http('POST', '/v1/visits', clinic.key, {
      patient_id: patient.id,
      amount: { amount: 120_000, currency: 'EUR' },
    });
    expect(visit.status).toBe(201);
    const page = await phonePage(browser);
    await withPasskeys(page);
    await acceptInvitation(page, await invitationLink(partner.id));
    await page.getByLabel('Card number').fill(patient.card_number.replace(/(\d{4})(?=\d)/g, '$1 '));
    await page.getByLabel('Points to take').fill('2500');
    await page.getByRole('button', { name: 'Take points' }).click();
    const left = visit.body.balance - 2500;
    await expect(page.locator('.status').textContent()).resolves.toContain(
      `Took 2,500 points (€25.00) from card ending ${patient.card_number.slice(-4)}. ${left.toLocaleString('en-GB')} points left.`,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'partner-points');
    const balance = await http('GET', `/v1/patients/${patient.id}/points`, clinic.key);
    expect(balance.body.balance).toBe(left);
    await page.context().close();
  });
});
