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
/** The owner's console, signed in by the first journey and used by the next. */
let signedIn: Page | undefined;
/** The patient the first journey registered (Lena Vogel), with her paid visit. */
let lenaUrl: string | undefined;

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
    // Suggested first (Lena told the clinic nothing yet: the catalogue's order), and in the catalogue.
    await clinic
      .getByRole('link', { name: /Choose 60-minute aromatherapy massage/ })
      .first()
      .click();
    await clinic.getByLabel('Personal message (optional)').fill('Thank you for choosing us, Lena!');
    await check(clinic, 'gift-form');
    await clinic.getByRole('button', { name: 'Give the gift' }).click();
    await clinic.waitForURL(/\/console\/gifts\/vch_\w+/);
    const giftUrl = clinic.url().replace(/\?.*$/, '');
    const link = await clinic.locator('#gift-link').inputValue();
    expect(link).toMatch(/\/r\/ey/);
    expect(await clinic.getByRole('img', { name: "QR code of the patient's link" }).isVisible()).toBe(true);
    await check(clinic, 'gift');

    // Send: the link by e-mail (Lena agreed to e-mail), then the message in the dev outbox as it would
    // have gone out (no provider here), sent by the local queue's consumer, with its working link.
    await clinic.getByRole('radio', { name: /^E-mail lena\.vogel@example\.com/ }).check();
    await clinic.getByRole('button', { name: 'Send', exact: true }).click();
    await clinic.getByText('Queued: the message is in the outbox.').waitFor();
    await check(clinic, 'gift-sent');
    await clinic.getByRole('link', { name: 'See it in the outbox' }).click();
    await clinic.waitForURL(/\/console\/outbox\/msg_\w+/);
    const outboxUrl = clinic.url();
    for (let i = 0; i < 40 && !(await clinic.locator('h2#text').textContent())?.includes('as sent'); i++) {
      await clinic.waitForTimeout(500);
      await clinic.goto(outboxUrl);
    }
    await expect(clinic.locator('h2#text').textContent()).resolves.toBe('The message as sent');
    await expect(clinic.locator('main').textContent()).resolves.toContain('A gift for you from Lumière');
    const sentLink = clinic.locator('.sent-text a[href*="/r/"]');
    await expect(sentLink.getAttribute('href')).resolves.toBe(link);
    await check(clinic, 'outbox-message');
    await sentLink.click();
    await clinic
      .getByRole('heading', { name: /60-minute aromatherapy massage/ })
      .first()
      .waitFor();
    await clinic.goto(giftUrl);

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
    await counter.context().close();
    signedIn = clinic;
    lenaUrl = patientUrl;
  });

  // Issue 11, "done when": a patient answers the questionnaire and a survey on a phone through their
  // links; the console shows the answers, the segment and the quadrant; "Give a gift" suggests the
  // matching partner offer first, with its reason.
  it('a patient tells the clinic about themselves on their phone; the console knows them', {
    timeout: 240_000,
  }, async () => {
    const clinic = signedIn;
    if (!clinic) throw new Error('the first journey did not sign in');
    const origin = new URL(clinic.url()).origin;

    // A new patient, registered at the desk with nothing but a name and a phone number.
    await clinic.goto(`${origin}/console/patients/new`);
    await clinic.getByLabel('First name').fill('Mira');
    await clinic.getByLabel('Last name').fill('Falk');
    await clinic.getByLabel('Phone (optional)').fill('+491701234588');
    await clinic.getByRole('button', { name: 'Register and issue the card' }).click();
    await clinic.waitForURL(/\/console\/patients\/pat_\w+/);
    const patientUrl = clinic.url().replace(/\?.*$/, '');

    // Her questionnaire link, made in the console.
    await clinic.getByRole('button', { name: 'Create questionnaire link' }).click();
    const questionnaireLink = (await clinic.locator('#questionnaire-link').textContent())!.trim();
    expect(questionnaireLink).toMatch(/\/q\/lnk_/);
    await check(clinic, 'questionnaire-link');

    // On her phone: interests, a fragrance, the branch she prefers, and consent to SMS in the words shown.
    const phone = await phonePage(browser);
    await phone.goto(questionnaireLink);
    expect(await seriousViolations(phone), 'questionnaire (phone): axe').toEqual([]);
    await screenshot(phone, 'patient-questionnaire-phone');
    await phone
      .getByRole('group', { name: 'What do you enjoy in your free time?' })
      .getByLabel('Massage and relaxing')
      .check();
    await phone.getByLabel('Your favourite fragrance or brands').fill('Byredo Gypsy Water');
    await phone
      .getByRole('group', { name: 'Which of our locations do you prefer?' })
      .getByLabel('Mitte')
      .check();
    await phone
      .getByRole('group', { name: 'Does any of this describe you?' })
      .getByLabel('Book lover')
      .check();
    await phone
      .getByRole('group', { name: 'May we contact you?' })
      .getByLabel(/text messages \(SMS\)/)
      .check();
    await phone.getByRole('button', { name: 'Save my answers' }).click();
    await expect(phone.locator('main').textContent()).resolves.toContain(
      'Thank you! Your answers are saved.',
    );
    await screenshot(phone, 'patient-questionnaire-saved-phone');

    // A survey link from her page, answered on the phone: 10 out of 10, words the clinic may quote.
    await clinic.goto(patientUrl);
    await clinic.getByRole('button', { name: 'Send a survey' }).click();
    const surveyLink = await clinic.locator('#survey-link').inputValue();
    expect(surveyLink).toMatch(/\/s\/lnk_/);
    await check(clinic, 'survey-link');
    await phone.goto(surveyLink);
    expect(await seriousViolations(phone), 'survey (phone): axe').toEqual([]);
    await screenshot(phone, 'patient-survey-phone');
    await phone.getByLabel('10', { exact: true }).check();
    await phone.getByLabel('What could we do better?').fill('Evening appointments');
    await phone
      .getByLabel('Would you like to recommend us in a few words?')
      .fill('Warm, careful and on time.');
    await phone.getByRole('checkbox').check();
    await phone.getByRole('button', { name: 'Send my answer' }).click();
    await expect(phone.locator('h1').textContent()).resolves.toContain('Thank you!');
    await phone.context().close();

    // The console: her answers and consent, and her quadrant with its reasons (satisfied, no visit yet).
    await clinic.goto(patientUrl);
    const page = (await clinic.locator('main').textContent())!;
    expect(page).toContain('Byredo Gypsy Water');
    expect(page).toContain('Massage and relaxing');
    expect(page).toContain('Which of our locations do you prefer?Mitte');
    expect(page).toContain('Mercenary: satisfied, not loyal');
    expect(page).toContain('Recommends us 10/10');
    expect(page).toMatch(/SMS: ?agreed/);
    await check(clinic, 'patient-insight');

    // She is in the seeded "Massage lovers" segment now.
    await clinic.goto(`${origin}/console/segments`);
    await check(clinic, 'segments');
    await clinic
      .getByRole('link', { name: /Massage lovers/ })
      .first()
      .click();
    await expect(clinic.locator('main').textContent()).resolves.toContain('Mira Falk');
    await check(clinic, 'segment');

    // Feedback: her suggestion is on the board.
    await clinic.goto(`${origin}/console/feedback`);
    await expect(clinic.locator('main').textContent()).resolves.toContain('Evening appointments');
    await check(clinic, 'feedback');
    // Insight and win-back draw.
    for (const [path, name] of [
      ['/console/insight', 'insight'],
      ['/console/win-back', 'win-back'],
      ['/console/questionnaire', 'questionnaire-editor'],
    ] as const) {
      await clinic.goto(`${origin}${path}`);
      await check(clinic, name);
    }

    // Give a gift: the massage partner's offer first, and why.
    await clinic.goto(patientUrl);
    await clinic.getByRole('link', { name: 'Give Mira a gift' }).click();
    const first = clinic.getByRole('region', { name: 'Suggested for Mira' }).getByRole('listitem').first();
    await expect(first.textContent()).resolves.toMatch(/massage.*likes massage/is);
    await expect(first.textContent()).resolves.toContain('Hands of Grace Massage');
    await check(clinic, 'gift-suggestions');
  });

  it('a plan per patient, a front-desk member’s week, and a code word at the desk', {
    timeout: 240_000,
  }, async () => {
    const clinic = signedIn;
    if (!clinic || !lenaUrl) throw new Error('the first journey did not sign in');
    const origin = new URL(clinic.url()).origin;
    const berlinDay = (ms: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(ms));

    // A front-desk member joins: the owner invites them, they make their own passkey.
    await clinic.goto(`${origin}/console/staff`);
    await clinic.locator('#invite-name').fill('Jonas Berg');
    await clinic.locator('#invite-role').selectOption('front_desk');
    await clinic.getByRole('button', { name: 'Create an invitation link' }).click();
    const invitation = await clinic.locator('#invitation-link').inputValue();
    const desk = await desktopPage(browser);
    await withPasskeys(desk);
    await acceptInvitation(desk, invitation);
    await expect(desk.locator('header.top').textContent()).resolves.toContain('Jonas Berg (Front desk)');

    // The owner sets the template that Lena's plan follows: one more line, at least eight a year.
    await clinic.goto(`${lenaUrl}/plan`);
    const about = (await clinic.getByRole('region', { name: 'About this plan' }).textContent()) ?? '';
    const segmentKey = /Template: Class ([ABC])/.exec(about)?.[1];
    expect(segmentKey, about).toBeTruthy();
    await clinic.goto(`${origin}/console/plan`);
    await check(clinic, 'plan');
    await clinic.getByRole('link', { name: `Edit Class ${segmentKey}` }).click();
    let total = 0;
    let blank = -1;
    for (let i = 1; i <= 12; i++) {
      const kind = await clinic.getByLabel(`Kind, line ${i}`, { exact: true }).inputValue();
      if (kind)
        total += Number(await clinic.getByLabel(`How many a year, line ${i}`, { exact: true }).inputValue());
      else if (blank < 0) blank = i;
    }
    expect(blank).toBeGreaterThan(0);
    await clinic.getByLabel(`Kind, line ${blank}`, { exact: true }).selectOption('event_invitation');
    await clinic.getByLabel(`Channel, line ${blank}`, { exact: true }).selectOption('email');
    await clinic
      .getByLabel(`How many a year, line ${blank}`, { exact: true })
      .fill(String(Math.max(1, 8 - total)));
    await check(clinic, 'plan-template');
    await clinic.getByRole('button', { name: 'Save the template' }).click();
    await clinic.getByRole('heading', { name: 'The loyalty plan' }).waitFor();

    // Lena's plan: Jonas looks after her; at least seven dated items, each with its owner.
    await clinic.goto(`${lenaUrl}/plan`);
    await clinic.getByRole('button', { name: 'Generate plan' }).click();
    await expect(clinic.locator('.status.ok').first().textContent()).resolves.toContain(
      'The plan is generated for the next 12 months.',
    );
    await clinic
      .getByLabel('Who looks after this patient')
      .selectOption({ label: 'Jonas Berg (Front desk)' });
    await clinic.getByRole('button', { name: 'Change the owner' }).click();
    await expect(clinic.locator('.status.ok').first().textContent()).resolves.toContain('a new owner');
    const rows = clinic.getByRole('region', { name: 'Plan items' }).locator('tbody tr');
    const items = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
    const dated = items.filter(
      ([due, , , , owner]) => /^\d{4}-\d{2}-\d{2}$/.test(due ?? '') && owner === 'Jonas Berg',
    );
    expect(dated.length, JSON.stringify(items)).toBeGreaterThanOrEqual(7);
    expect(new Set(dated.map(([due]) => due)).size).toBe(dated.length);
    // And a call for today, on his week.
    await clinic.locator('#kind').selectOption('thank_you');
    await clinic.locator('#channel').selectOption('call');
    await clinic.getByLabel('Due on').fill(berlinDay(Date.now()));
    await clinic.getByLabel('Purpose (optional)').fill('Thank Lena for her visit');
    await clinic.getByRole('button', { name: 'Add the item' }).click();
    await expect(clinic.locator('.status.ok').first().textContent()).resolves.toContain('The item is added.');
    await check(clinic, 'patient-plan');

    // Jonas's week: the call is there; he marks it done with what came of it.
    await desk.goto(`${origin}/console/agenda`);
    await desk.getByRole('heading', { name: 'My week' }).waitFor();
    await expect(desk.locator('main').textContent()).resolves.toContain('Thank Lena for her visit');
    expect(await seriousViolations(desk), 'agenda: axe').toEqual([]);
    await screenshot(desk, 'console-agenda-desktop');
    const call = desk.locator('li, tr, article').filter({ hasText: 'Thank Lena for her visit' }).last();
    await call.getByLabel('What came of it').fill('Reached her; she booked a facial');
    await call.getByRole('button', { name: 'Done' }).click();
    await expect(desk.locator('.status.ok').first().textContent()).resolves.toMatch(/done/i);

    // A code word: the owner starts LAVENDER (10% off today's visit, once per patient) ...
    await clinic.goto(`${origin}/console/offers`);
    await clinic.getByLabel('Word (letters and digits, e.g. LAVENDER)').fill('Lavender');
    await clinic.getByLabel('It gives').selectOption('discount_bps');
    await clinic.getByLabel('How much (percent, amount or points)').fill('10');
    await clinic.getByLabel('Last day').fill(berlinDay(Date.now() + 30 * 86_400_000));
    await clinic.getByRole('button', { name: 'Create the code word' }).click();
    await expect(clinic.locator('main').textContent()).resolves.toContain('LAVENDER');
    await check(clinic, 'offers');
    // ... and at the desk Lena says it: it applies once, and the second time says why not.
    await desk.goto(lenaUrl);
    await desk.locator('#code-word-input').fill('lavender');
    await desk.getByRole('button', { name: 'Apply' }).click();
    await expect(desk.locator('#code-word .status.ok').textContent()).resolves.toMatch(
      /LAVENDER applied: 10% off/,
    );
    await desk.locator('#code-word-input').fill('LAVENDER');
    await desk.getByRole('button', { name: 'Apply' }).click();
    await expect(desk.locator('main').textContent()).resolves.toContain(
      'This patient has already used that code word as often as allowed.',
    );
    expect(await seriousViolations(desk), 'patient (front desk): axe').toEqual([]);
    await screenshot(desk, 'console-code-word-refused-desktop');
    await desk.context().close();
    await clinic.context().close();
  });
});
