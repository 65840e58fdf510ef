import { env } from 'cloudflare:workers';
import { fixedClock, luhnCheckDigit, MINUTE_MS } from '@gratia/core';
import { ABUSE_CAPS } from '@gratia/db';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { counter, signIn, submit } from '../helpers/counter';
import {
  createOrganization,
  createPartner,
  createPointsScene,
  createVoucherScene,
  recordVisit,
} from '../helpers/factories';
import { passkeySignIn } from '../helpers/staff';
import { signedByUnknownKey } from '../helpers/tokens';

// Guessing is capped, counted in D1 per key, per organisation and per source address; page sessions
// are ended on the server. Each test starts a fresh network; the in-process client sends no source
// address unless a test sets cf-connecting-ip.

/** A random 16-digit card number with a valid Luhn digit (network prefix 8), as a guesser would try. */
function randomCard(seed: { n: number }): string {
  seed.n = (seed.n * 1103515245 + 12345) % 2 ** 31;
  const body = `8${String(seed.n).padStart(14, '0').slice(-14)}`;
  return body + String(luhnCheckDigit(body));
}

const writes = async () =>
  (
    await env.DB.prepare(
      'select (select count(*) from point_redemptions) + (select count(*) from redemptions) as n',
    ).first<{ n: number }>()
  )?.n;

describe('abuse limits', () => {
  it('10,000 random Luhn-valid card numbers find nothing and are stopped after the key cap', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const seed = { n: 42 };
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    const guess = async (card: string) => {
      const res = await api.post('/v1/points/redemptions', {
        token: net.partner.key,
        body: { card_number: card, points: 1 },
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 429) {
        retryAfter ??= res.headers.get('retry-after');
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.code).toBe('rate_limited');
      }
    };
    const cards = Array.from({ length: 10_000 }, () => randomCard(seed)).filter(
      (c) => c !== patient.card_number,
    );
    // One at a time until well past the cap (so the count is exact), then as a flood of 50 at a time.
    for (const card of cards.slice(0, 100)) await guess(card);
    for (let i = 100; i < cards.length; i += 50) await Promise.all(cards.slice(i, i + 50).map(guess));
    expect(statuses.get(200) ?? 0).toBe(0);
    expect(statuses.get(201) ?? 0).toBe(0);
    expect(statuses.get(404)).toBe(ABUSE_CAPS.key.failures);
    expect(statuses.get(429)).toBe(cards.length - ABUSE_CAPS.key.failures);
    expect(cards.length).toBeGreaterThan(9_990);
    expect(Number(retryAfter)).toBe(ABUSE_CAPS.key.lockMs / 1000);

    // Locked means locked: even the right card number takes nothing, and nothing is written.
    const before = await writes();
    const right = await api.post('/v1/points/redemptions', {
      token: net.partner.key,
      body: { card_number: patient.card_number, points: 1 },
    });
    expect(right.status).toBe(429);
    expect(await writes()).toBe(before);
    // Other partners are not affected; the lock lifts when it runs out.
    const other = await createPartner(api, { name: 'Other partner' });
    const ok = await api.post('/v1/points/redemptions', {
      token: other.key,
      body: { card_number: patient.card_number, points: 1 },
    });
    expect(ok.status).toBe(201);
    clock.advance?.(ABUSE_CAPS.key.lockMs + 1);
    const after = await api.post('/v1/points/redemptions', {
      token: net.partner.key,
      body: { card_number: patient.card_number, points: 1 },
    });
    expect(after.status).toBe(201);
  }, 300_000);

  it('failed verifications lock the key, with Retry-After and a problem body; the counter page says when', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, voucher } = await createVoucherScene(api);
    const forged = await signedByUnknownKey(voucher.token);
    const { cookie } = await signIn(api, net.partner.key);
    for (let i = 0; i < ABUSE_CAPS.key.failures; i++) {
      const res = await api.post('/v1/vouchers/verify', { token: net.partner.key, body: { token: forged } });
      expect(res.status, `attempt ${i}`).toBe(200);
      expect(res.body.valid).toBe(false);
    }
    const locked = await api.post('/v1/vouchers/verify', {
      token: net.partner.key,
      body: { token: voucher.token },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('rate_limited');
    expect(locked.headers.get('retry-after')).toBe(String(ABUSE_CAPS.key.lockMs / 1000));
    // A redemption with the genuine token is refused too, and writes nothing.
    const before = await writes();
    const redeem = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: voucher.token },
    });
    expect(redeem.status).toBe(429);
    expect(await writes()).toBe(before);
    // The counter's own sessions act by their staff member's key: not locked by this key's failures.
    expect((await counter(api, cookie)).res.status).toBe(200);
    clock.advance?.(ABUSE_CAPS.key.lockMs);
    const again = await api.post('/v1/vouchers/verify', {
      token: net.partner.key,
      body: { token: voucher.token },
    });
    expect(again.body.valid).toBe(true);
  });

  it('caps an organisation across its keys, and a source address across organisations', async () => {
    const api = createClient();
    const { net, voucher } = await createVoucherScene(api);
    const forged = await signedByUnknownKey(voucher.token);
    const keys = [net.partner.key];
    for (let i = 0; i < 3; i++) {
      const k = await api.post(`/v1/organizations/${net.partner.id}/api_keys`, {
        token: env.OPERATOR_TOKEN,
        body: { name: `till ${i}` },
      });
      keys.push(k.body.secret);
    }
    // 19 failures on each of 3 keys stays under each key's cap (20) but over the organisation's (60)...
    let n = 0;
    for (const key of keys.slice(0, 3))
      for (let i = 0; i < 19; i++) {
        await api.post('/v1/vouchers/verify', { token: key, body: { token: forged } });
        n++;
      }
    expect(n).toBe(57);
    for (let i = 0; i < ABUSE_CAPS.org.failures - n; i++)
      await api.post('/v1/vouchers/verify', { token: keys[3]!, body: { token: forged } });
    // ...so the fourth key, which failed only 3 times, is locked with its organisation.
    const res = await api.post('/v1/vouchers/verify', { token: keys[3]!, body: { token: voucher.token } });
    expect(res.status).toBe(429);

    // One address guessing with the keys of several organisations is stopped at the address's cap.
    const from = { 'cf-connecting-ip': '203.0.113.9' };
    const partners = await Promise.all(
      [1, 2, 3, 4].map((i) => createOrganization(api, { kind: 'partner', name: `Partner ${i}` })),
    );
    let sent = 0;
    for (const p of partners)
      for (let i = 0; i < 15; i++) {
        await api.post('/v1/vouchers/verify', { token: p.key, body: { token: forged }, headers: from });
        sent++;
      }
    expect(sent).toBe(ABUSE_CAPS.ip.failures);
    const fresh = await createOrganization(api, { kind: 'partner', name: 'Fresh partner' });
    const blocked = await api.post('/v1/vouchers/verify', {
      token: fresh.key,
      body: { token: voucher.token },
      headers: from,
    });
    expect(blocked.status).toBe(429);
    const elsewhere = await api.post('/v1/vouchers/verify', {
      token: fresh.key,
      body: { token: voucher.token },
      headers: { 'cf-connecting-ip': '198.51.100.7' },
    });
    expect(elsewhere.status).toBe(200);
  });

  it('failed verifications at the counter lock the staff member’s key; the page and a new sign-in say when', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, voucher } = await createVoucherScene(api);
    const forged = await signedByUnknownKey(voucher.token);
    const { cookie, authenticator } = await signIn(api, net.partner.key);
    const { csrf } = await counter(api, cookie);
    for (let i = 0; i < ABUSE_CAPS.key.failures; i++)
      expect(
        (await submit(api, '/partner/verify', cookie, { token: forged, csrf })).status,
        `attempt ${i}`,
      ).toBe(200);
    const page = await counter(api, cookie);
    expect(page.res.status).toBe(429);
    expect(page.res.headers.get('retry-after')).toBeTruthy();
    expect(page.res.text).toContain('Too many failed attempts. Try again at');
    const before = await writes();
    expect((await submit(api, '/partner/redeem', cookie, { token: voucher.token, csrf })).status).toBe(429);
    expect(await writes()).toBe(before);
    const again = await passkeySignIn(api, authenticator, 'partner');
    expect(again.res.status).toBe(429);
    expect(again.res.body.detail).toContain('Too many failed attempts');
    expect(again.cookie).toBe('');
    // The partner's API key is another key: it still works.
    const byKey = await api.post('/v1/vouchers/verify', {
      token: net.partner.key,
      body: { token: voucher.token },
    });
    expect(byKey.body.valid).toBe(true);
    clock.advance?.(ABUSE_CAPS.key.lockMs);
    expect((await passkeySignIn(api, authenticator, 'partner')).res.status).toBe(200);
  });

  it('failed sign-ins at the counter are capped per address, and the answer says when to try again', async () => {
    const api = createClient();
    const { net } = await createVoucherScene(api);
    const { authenticator } = await signIn(api, net.partner.key);
    const from = '192.0.2.44';
    for (let i = 0; i < ABUSE_CAPS.signin.failures; i++)
      expect(
        (await passkeySignIn(api, authenticator, 'partner', { from, badSignature: true })).res.status,
      ).toBe(401);
    const right = await passkeySignIn(api, authenticator, 'partner', { from });
    expect(right.res.status).toBe(429);
    expect(right.res.headers.get('retry-after')).toBe(String(ABUSE_CAPS.signin.lockMs / 1000));
    expect(right.res.headers.get('set-cookie')).toBeNull();
    expect(right.res.body.detail).toContain('Too many failed attempts');
    // Another address signs in as usual.
    expect((await passkeySignIn(api, authenticator, 'partner', { from: '192.0.2.45' })).res.status).toBe(200);
  });
});

describe('page sessions are ended on the server', () => {
  it('a signed-out cookie, replayed, is refused', async () => {
    const api = createClient();
    const { net, voucher } = await createVoucherScene(api);
    const { cookie } = await signIn(api, net.partner.key);
    const { csrf } = await counter(api, cookie);
    expect((await submit(api, '/partner/verify', cookie, { token: voucher.token, csrf })).status).toBe(200);
    const out = await submit(api, '/partner/signout', cookie, { csrf });
    expect(out.status).toBe(303);
    const page = await counter(api, cookie);
    expect(page.res.status).toBe(401);
    expect(page.res.text).not.toContain('Massage Studio');
    const replay = await submit(api, '/partner/verify', cookie, { token: voucher.token, csrf });
    expect(replay.status).toBe(401);
    const before = await writes();
    const redeem = await submit(api, '/partner/redeem', cookie, { token: voucher.token, csrf });
    expect(redeem.status).toBe(401);
    expect(await writes()).toBe(before);
  });

  it('a session past its expiry on the server is refused even with an unexpired cookie', async () => {
    const api = createClient();
    const { net } = await createVoucherScene(api);
    const { cookie } = await signIn(api, net.partner.key);
    expect((await counter(api, cookie)).res.status).toBe(200);
    await env.DB.prepare('update page_sessions set expires_at = ?')
      .bind(T0 - MINUTE_MS)
      .run();
    expect((await counter(api, cookie)).res.status).toBe(401);
  });

  it('a session ends after 30 idle minutes, and after 12 hours however busy', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net } = await createVoucherScene(api);
    const idle = await signIn(api, net.partner.key);
    clock.advance?.(30 * MINUTE_MS - 1);
    expect((await counter(api, idle.cookie)).res.status).toBe(200);
    clock.advance?.(30 * MINUTE_MS);
    expect((await counter(api, idle.cookie)).res.status).toBe(401);

    const busy = await signIn(api, net.partner.key);
    for (let t = 0; t < 12 * 60 - 20; t += 20) {
      clock.advance?.(20 * MINUTE_MS);
      expect((await counter(api, busy.cookie)).res.status, `after ${t + 20} minutes`).toBe(200);
    }
    clock.advance?.(20 * MINUTE_MS);
    // The cookie itself has expired: the counter shows its sign-in page.
    const page = await counter(api, busy.cookie);
    expect(page.res.text).not.toContain('Massage Studio');
    expect(page.res.text).toContain('Sign in with a passkey');
  });
});
