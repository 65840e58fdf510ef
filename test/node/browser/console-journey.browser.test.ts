import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, interrupt, type Run, startDev, waitForOutput } from '../dev-run';
import {
  acceptInvitation,
  DESKTOP,
  desktopPage,
  launch,
  PHONE,
  phonePage,
  screenshot,
  seriousViolations,
  withPasskeys,
} from './browser';

// The clinic console tried as a new user would: `pnpm dev`, the printed invitation link opened in
// Chromium, a passkey created (Chromium's virtual authenticator), and then, from the console alone:
// register a patient, record a visit and a call, give a gift, and see it redeemed after partner staff
// (signed in on the counter page with their own invitation and passkey) redeem it. axe checks every
// console page; screenshots at desktop and phone size land in test-results/screenshots/console-*.

let browser: Browser;
let run: Run;
let clinicInvite: string;
let partnerInvite: string;

beforeAll(async () => {
  browser = await launch();
  run = await startDev();
  await waitForOutput(run, /Gratia is running/, 150_000);
  const links = [...run.output().matchAll(/http:\/\/localhost:\d+\/join\/[A-Za-z0-9_-]+/g)].map((m) => m[0]);
  expect(links).toHaveLength(2);
  [clinicInvite, partnerInvite] = links as [string, string];
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (run) await interrupt(run).catch(() => undefined);
  cleanUpRuns();
});

const seen: string[] = [];

/** axe on the page as it is, and screenshots at desktop and phone size. */
async function check(page: Page, name: string) {
  expect(await seriousViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, `console-${name}-desktop`);
  await page.setViewportSize(PHONE);
  expect(await seriousViolations(page), `${name} (phone): axe`).toEqual([]);
  await screenshot(page, `console-${name}-phone`);
  await page.setViewportSize(DESKTOP);
  seen.push(name);
}

describe('the clinic console, from the invitation link', () => {
  it('a new owner runs the programme from the console alone', { timeout: 240_000 }, async () => {
    const clinic = await desktopPage(browser);
    await withPasskeys(clinic);

    // The invitation: a passkey, and the console's Today.
    await clinic.goto(clinicInvite);
    await check(clinic, 'invitation');
    await acceptInvitation(clinic, clinicInvite);
    await expect(clinic.locator('header.top').textContent()).resolves.toContain('Clara Weiss (Owner)');
    await check(clinic, 'today');

    // Signing out, and in again with the passkey.
    await clinic.getByRole('button', { name: 'Sign out' }).click();
    await clinic.waitForURL(/\/console$/);
    await check(clinic, 'sign-in');
    await clinic.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await clinic.getByRole('heading', { name: /Today at/ }).waitFor();

    // Register a patient, with the consent wording they agree to.
    await clinic.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Patients' }).click();
    await check(clinic, 'patients');
    await clinic.getByRole('link', { name: 'Register a patient' }).click();
    await check(clinic, 'register');
    await clinic.getByLabel('First name').fill('Lena');
    await clinic.getByLabel('Last name').fill('Vogel');
    await clinic.getByLabel('E-mail (optional)').fill('lena.vogel@example.com');
    await clinic.getByLabel('Phone (optional)').fill('+491701234599');
    await clinic.getByLabel(/may e-mail me/).check();
    await clinic.getByRole('button', { name: 'Register and issue the card' }).click();
    await clinic.waitForURL(/\/console\/patients\/pat_\w+/);
    await expect(clinic.locator('h1').textContent()).resolves.toContain('Lena Vogel');
    const patientUrl = clinic.url().replace(/\?.*$/, '');
    await check(clinic, 'patient');

    // A paid visit: the points earned and the new balance at once (7% at Lumière).
    await clinic.getByLabel('Amount paid (EUR)').fill('250.00');
    await clinic.getByLabel('Invoice or receipt number (optional)').fill('INV-2026-0001');
    await clinic.getByRole('button', { name: 'Record the visit' }).click();
    await expect(clinic.locator('.status.ok').first().textContent()).resolves.toMatch(
      /Visit recorded: earned 1,750 points .*New balance: 1,750 points/,
    );

    // A call, and who made it.
    await clinic.locator('#patient-call-outcome').selectOption('reached');
    await clinic.locator('#patient-call-note').fill('Booked a follow-up');
    await clinic.getByRole('button', { name: 'Record call' }).click();
    await expect(clinic.locator('#calls').locator('..').textContent()).resolves.toMatch(
      /Last call: Reached, .* by Clara Weiss/,
    );

    // A gift from the catalogue, with a personal message: its link, QR code and copy button.
    await clinic.getByRole('link', { name: 'Give Lena a gift' }).click();
    await check(clinic, 'gift-catalogue');
    await clinic.getByRole('link', { name: /Choose 60-minute aromatherapy massage/ }).click();
    await clinic.getByLabel('Personal message (optional)').fill('Thank you for choosing us, Lena!');
    await check(clinic, 'gift-form');
    await clinic.getByRole('button', { name: 'Give the gift' }).click();
    await clinic.waitForURL(/\/console\/gifts\/vch_\w+/);
    const giftUrl = clinic.url().replace(/\?.*$/, '');
    const link = await clinic.locator('#gift-link').inputValue();
    expect(link).toMatch(/\/r\/ey/);
    expect(await clinic.getByRole('img', { name: "QR code of the patient's link" }).isVisible()).toBe(true);
    await check(clinic, 'gift');

    // Partner staff: their own invitation and passkey, then the counter page redeems the gift.
    const counter = await phonePage(browser);
    await withPasskeys(counter);
    await acceptInvitation(counter, partnerInvite);
    await counter.getByLabel('Or paste the voucher code').fill(link.split('/r/')[1]!);
    await counter.getByRole('button', { name: 'Check voucher' }).click();
    await counter.getByRole('button', { name: 'Redeem now' }).click();
    await expect(counter.locator('.status').first().textContent()).resolves.toContain(
      'Redeemed: 60-minute aromatherapy massage.',
    );
    await screenshot(counter, 'console-journey-counter-redeemed');

    // The console sees it redeemed: on the gift, the patient and Today.
    await clinic.goto(giftUrl);
    await expect(clinic.locator('#state').locator('..').textContent()).resolves.toMatch(/redeemed/i);
    await clinic.goto(patientUrl);
    await expect(clinic.locator('#gifts').locator('..').textContent()).resolves.toMatch(/redeemed/i);
    await clinic.goto(new URL('/console', clinic.url()).href);
    await expect(clinic.locator('#recent').locator('..').textContent()).resolves.toContain(
      '60-minute aromatherapy massage for Lena Vogel at Hands of Grace Massage',
    );
    await expect(clinic.locator('.figures').textContent()).resolves.toContain('1 calls today');
    await check(clinic, 'today-after');

    // The owner's other areas.
    for (const [area, name] of [
      ['Programme', 'programme'],
      ['Reports', 'reports'],
      ['Staff', 'staff'],
    ] as const) {
      await clinic.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: area }).click();
      await check(clinic, name);
    }
    // The audit trail: what was done above, by whom.
    await clinic.goto(new URL('/console/audit', clinic.url()).href);
    const trail = await clinic.locator('main').textContent();
    expect(trail).toContain('Clara Weiss');
    await check(clinic, 'audit');
    expect(seen.length).toBeGreaterThanOrEqual(14);
    await clinic.context().close();
    await counter.context().close();
  });
});
