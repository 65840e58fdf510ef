import { fixedClock, sha256Hex } from '@gratia/core';
import { keyLookup, principalFromKey, redemptions, staffMembers } from '@gratia/db';
import { removeStaff } from '@gratia/network';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { counter, signIn, submissionKey, submit } from '../helpers/counter';
import { testDeps } from '../helpers/deps';
import {
  createNetwork,
  createPointsScene,
  createStoredValueScene,
  createVoucherScene,
  recordVisit,
} from '../helpers/factories';

// The counter page through its forms, as a browser without JavaScript would use it.

/** A 50.00 stored-value voucher for the network's partner, checked at its signed-in counter. */
async function storedValueAtCounter() {
  const api = createClient();
  const { net, voucher: v } = await createStoredValueScene(api);
  const { cookie } = await signIn(api, net.partner.key);
  const { csrf } = await counter(api, cookie);
  const check = await submit(api, '/partner/verify', cookie, { token: v.token, csrf });
  return { api, net, v, cookie, csrf, check };
}

describe('/partner (the counter page)', () => {
  it('signs partner staff in with an HttpOnly, Secure, SameSite=Strict cookie that names no secret', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const { res, cookie } = await signIn(api, net.partner.key);
    expect(res.status).toBe(200);
    expect(res.body.location).toBe('/partner');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/partner/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(setCookie).not.toContain(net.partner.key);
    const page = await counter(api, cookie);
    expect(page.res.status).toBe(200);
    expect(page.res.text).toContain('Massage Studio');
    // An error code the page does not know shows nothing, even one named like an Object property.
    for (const code of ['nonsense', 'constructor', '__proto__']) {
      const odd = await api.get(`/partner?error=${code}`, { headers: { cookie } });
      expect(odd.status).toBe(200);
      expect(odd.text).not.toContain('status bad');
    }
    expect(page.res.headers.get('cache-control')).toBe('no-store');
    expect(page.res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('has no API-key sign-in any more, and refuses forged cookies', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const oldForm = await api.post('/partner/session', {
      rawBody: new URLSearchParams({ api_key: net.partner.key }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://gratia.test' },
    });
    expect(oldForm.status).toBe(404);
    expect(oldForm.headers.get('set-cookie')).toBeNull();
    const { cookie } = await signIn(api, net.partner.key);
    const forged = cookie.replace(/\.[^.]+$/, '.AAAA');
    const res = await api.get('/partner', { headers: { cookie: forged } });
    expect(res.text).toContain('Sign in');
    expect(res.text).not.toContain('Recent redemptions');
  });

  it('checks, redeems, lists and reverses a voucher by form, with CSRF protection', async () => {
    const api = createClient();
    const { voucher, partner, clinic } = await createVoucherScene(api);
    const { cookie } = await signIn(api, partner.key);
    const { csrf } = await counter(api, cookie);
    expect(csrf.length).toBeGreaterThan(20);

    expect(
      (await submit(api, '/partner/verify', cookie, { token: voucher.token, csrf: 'wrong' })).status,
    ).toBe(403);
    expect(
      (await submit(api, '/partner/verify', cookie, { token: voucher.token, csrf }, 'https://evil.example'))
        .status,
    ).toBe(403);

    const check = await submit(api, '/partner/verify', cookie, { token: voucher.token, csrf });
    expect(check.status).toBe(200);
    expect(check.text).toContain('Valid voucher');
    expect(check.text).toContain('For Clara Z.');
    expect(check.text).not.toContain('Zimmermann');

    expect(
      (await submit(api, '/partner/redeem', cookie, { token: voucher.token, csrf: 'wrong' })).status,
    ).toBe(403);
    expect((await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key })).body.status).toBe('issued');

    const redeem = await submit(api, '/partner/redeem', cookie, {
      token: voucher.token,
      csrf,
      currency: 'EUR',
    });
    expect(redeem.status).toBe(303);
    expect(redeem.headers.get('location')).toMatch(/^\/partner\?redeemed=red_/);
    const after = await api.get(redeem.headers.get('location')!, { headers: { cookie } });
    expect(after.text).toContain('Redeemed: 60-minute massage.');
    expect(after.text).toContain('Reverse');
    expect((await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key })).body.status).toBe('redeemed');

    const again = await submit(api, '/partner/redeem', cookie, {
      token: voucher.token,
      csrf,
      currency: 'EUR',
    });
    expect(again.headers.get('location')).toBe('/partner?error=voucher_already_redeemed');

    const redemptionId = /name="redemption_id" value="([^"]+)"/.exec(after.text)![1]!;
    const reverse = await submit(api, '/partner/reversal', cookie, { redemption_id: redemptionId, csrf });
    expect(reverse.headers.get('location')).toMatch(/^\/partner\?reversed=rev_/);
    expect((await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key })).body.status).toBe('issued');
  });

  it('redeems part of a stored-value voucher by amount', async () => {
    const { api, net, v, cookie, csrf, check } = await storedValueAtCounter();
    expect(check.text).toContain('Amount to redeem');
    expect(
      (
        await submit(api, '/partner/redeem', cookie, {
          token: v.token,
          csrf,
          currency: 'EUR',
          amount: '12,50',
        })
      ).status,
    ).toBe(303);
    expect((await api.get(`/v1/vouchers/${v.id}`, { token: net.clinic.key })).body.remaining).toEqual({
      amount: 3750,
      currency: 'EUR',
    });
    const bad = await submit(api, '/partner/redeem', cookie, {
      token: v.token,
      csrf,
      currency: 'EUR',
      amount: 'lots',
    });
    expect(bad.headers.get('location')).toBe('/partner?error=validation_failed&field=amount');
    const shown = await api.get(bad.headers.get('location')!, { headers: { cookie } });
    expect(shown.text).toContain('Enter the amount as a number, like 12.50, or leave it empty.');
    const tooMuch = await submit(api, '/partner/redeem', cookie, {
      token: v.token,
      csrf,
      currency: 'EUR',
      amount: '100',
    });
    expect(tooMuch.headers.get('location')).toBe('/partner?error=insufficient_value');
  });

  it("refuses another partner's voucher in plain words", async () => {
    const api = createClient();
    const { voucher, otherPartner } = await createVoucherScene(api);
    const { cookie } = await signIn(api, otherPartner.key);
    const { csrf } = await counter(api, cookie);
    const check = await submit(api, '/partner/verify', cookie, { token: voucher.token, csrf });
    expect(check.text).toContain('Do not accept');
    expect(check.text).toContain('This voucher is for another partner of the network.');
  });

  it('ends the session at once when the staff member is removed', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { voucher, partner } = await createVoucherScene(api);
    const { cookie } = await signIn(api, partner.key);
    const { csrf } = await counter(api, cookie);
    const deps = testDeps(clock);
    const [staff] = await deps.db
      .select()
      .from(staffMembers)
      .where(eq(staffMembers.organizationId, partner.id));
    // A second owner removes this one (an organisation keeps an owner).
    await signIn(api, partner.key);
    const [row] = await keyLookup(deps.db, { hash: await sha256Hex(partner.key) });
    const removed = await removeStaff(deps, { principal: principalFromKey(row!), staffId: staff!.id });
    expect(removed.ok).toBe(true);
    const page = await api.get('/partner', { headers: { cookie } });
    expect(page.status).toBe(401);
    expect(page.text).toContain('Your session has ended');
    const before = await deps.db.select().from(redemptions);
    const redeem = await submit(api, '/partner/redeem', cookie, {
      token: voucher.token,
      csrf,
      currency: 'EUR',
    });
    expect(redeem.status).toBe(401);
    expect(await deps.db.select().from(redemptions)).toEqual(before);
  });

  it('takes card points by card number, lists them and gives them back, with CSRF protection', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, {
      min_redemption_points: 100,
      max_bill_share_bps: 5000,
    });
    await recordVisit(api, net.clinic.key, patient.id, 50_000); // 5,000 points
    const { cookie } = await signIn(api, net.partner.key);
    const { csrf } = await counter(api, cookie);
    const card = patient.card_number.replace(/(\d{4})(?=\d)/g, '$1 ');
    const take = (fields: Record<string, string>, c = csrf) =>
      submit(api, '/partner/points', cookie, { card_number: card, csrf: c, ...fields });

    expect((await take({ points: '1200' }, 'wrong')).status).toBe(403);
    const refusals: [Record<string, string>, string][] = [
      [{ points: '5001' }, 'insufficient_points'],
      [{ points: '99' }, 'below_minimum_redemption'],
      [{ points: '600', bill: '10.00' }, 'exceeds_bill_share'],
      [{ points: 'lots' }, 'validation_failed&field=points'],
      [{ points: '0' }, 'validation_failed&field=points'],
      [{ points: '10', card_number: '1234' }, 'validation_failed&field=points'],
      [{ points: '10', card_number: '8000 0000 0000 0002' }, 'card_not_found'],
    ];
    for (const [fields, code] of refusals) {
      const res = await take(fields);
      expect(res.status, code).toBe(303);
      expect(res.headers.get('location')).toBe(`/partner?error=${code}`);
    }
    const bal = await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key });
    expect(bal.body.balance).toBe(5000);

    const res = await take({ points: '1200', bill: '30,00' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/partner\?points_redeemed=ptr_\w+&left=3800$/);
    const page = await api.get(location, { headers: { cookie } });
    const last4 = patient.card_number.slice(-4);
    expect(page.text).toContain(`Took 1,200 points (€12.00) from card ending ${last4}. 3,800 points left.`);
    expect(page.text).toContain('Recent card points');
    expect(page.text).not.toContain(patient.card_number);
    const redemptionId = /points_redeemed=(ptr_\w+)/.exec(location)![1]!;

    // The clinic's statement shows it, owed to this partner.
    const statement = await api.get(`/v1/patients/${patient.id}/points/entries`, { token: net.clinic.key });
    expect(statement.body.data.at(-1)).toMatchObject({
      type: 'redemption',
      points: -1200,
      counterparty: { id: net.partner.id },
    });

    // Another partner's session cannot reverse it; this one can, once.
    const other = await signIn(api, net.otherPartner.key);
    const otherCsrf = (await counter(api, other.cookie)).csrf;
    const foreign = await submit(api, '/partner/points/reversal', other.cookie, {
      redemption_id: redemptionId,
      csrf: otherCsrf,
    });
    expect(foreign.headers.get('location')).toBe('/partner?error=redemption_not_found');
    const back = await submit(api, '/partner/points/reversal', cookie, { redemption_id: redemptionId, csrf });
    expect(back.headers.get('location')).toBe('/partner?points_reversed=1');
    const again = await submit(api, '/partner/points/reversal', cookie, {
      redemption_id: redemptionId,
      csrf,
    });
    expect(again.headers.get('location')).toBe('/partner?error=redemption_already_reversed');
    const after = await api.get('/partner', { headers: { cookie } });
    expect(after.text).toContain('· reversed');
    expect((await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key })).body.balance).toBe(
      5000,
    );
  });

  it('takes points once when the same form is submitted twice (a double tap, a browser retry)', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000); // 5,000 points
    const { cookie } = await signIn(api, net.partner.key);
    const { res, csrf } = await counter(api, cookie);
    const submission = submissionKey(res.text, '/partner/points');
    const fields = { card_number: patient.card_number, points: '1200', csrf, submission };
    const first = await submit(api, '/partner/points', cookie, fields);
    const second = await submit(api, '/partner/points', cookie, fields);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(/^\/partner\?points_redeemed=ptr_\w+&left=3800$/);
    // The repeat shows the first result and charges nothing more.
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const bal = await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key });
    expect(bal.body.balance).toBe(3800);
    // The same key with other values is refused, and takes nothing.
    const other = await submit(api, '/partner/points', cookie, { ...fields, points: '100' });
    expect(other.headers.get('location')).toBe('/partner?error=idempotency_key_reused');
    // A form without its key (a stale page) takes nothing either.
    const stale = await submit(api, '/partner/points', cookie, { ...fields, submission: '' });
    expect(stale.headers.get('location')).toBe('/partner?error=invalid_idempotency_key');
    expect((await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key })).body.balance).toBe(
      3800,
    );
    // A fresh page renders a fresh key, so the next sale goes through.
    const next = await counter(api, cookie);
    expect(submissionKey(next.res.text, '/partner/points')).not.toBe(submission);
  });

  it('redeems stored value once when the same form is submitted twice', async () => {
    const { api, net, v, cookie, csrf, check } = await storedValueAtCounter();
    const submission = submissionKey(check.text, '/partner/redeem');
    const fields = { token: v.token, csrf, currency: 'EUR', amount: '12.50', submission };
    const [a, b] = await Promise.all([
      submit(api, '/partner/redeem', cookie, fields),
      submit(api, '/partner/redeem', cookie, fields),
    ]);
    const third = await submit(api, '/partner/redeem', cookie, fields);
    const locations = [a, b, third].map((r) => r.headers.get('location'));
    // Concurrent twins and a later repeat all show the one redemption.
    expect(locations[0]).toMatch(/^\/partner\?redeemed=red_/);
    expect(new Set(locations).size, JSON.stringify(locations)).toBe(1);
    expect((await api.get(`/v1/vouchers/${v.id}`, { token: net.clinic.key })).body.remaining).toEqual({
      amount: 3750,
      currency: 'EUR',
    });
  });

  it('serves the scanner script and the jsQR fallback', async () => {
    const api = createClient();
    const scan = await api.get('/partner/scan.js');
    expect(scan.status).toBe(200);
    expect(scan.headers.get('content-type')).toContain('javascript');
    expect(scan.text).toContain('BarcodeDetector');
    const jsqr = await api.get('/partner/jsqr.js');
    expect(jsqr.text).toContain('jsQR');
  });
});
