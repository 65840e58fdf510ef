import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient, createVoucherScene, issueVoucher } from '../helpers/factories';
import { resign, signedByUnknownKey, tamperPayload } from '../helpers/tokens';

describe('GET /r/{token} (the patient link)', () => {
  it('shows the gift, the message, the partner, the expiry and a QR code; never caches, indexes or leaks the referrer', async () => {
    const api = createClient();
    const { voucher } = await createVoucherScene(api);
    const res = await api.get(`/r/${voucher.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.text).toContain('<meta name="robots" content="noindex, nofollow"');
    expect(res.text).toContain('A gift for you, Clara');
    expect(res.text).toContain('60-minute massage');
    expect(res.text).toContain('Thank you for your trust!');
    expect(res.text).toContain('Massage Studio');
    expect(res.text).toContain('Aesthetics Clinic');
    expect(res.text).toContain('Valid until 30 January 2027');
    expect(res.text).toMatch(
      /<img class="qr" alt="QR code of your gift voucher" src="data:image\/svg\+xml;base64,/,
    );
    expect(res.text).not.toContain('Zimmermann');
  });

  it('opening it changes nothing, however often (link previews cannot consume a voucher)', async () => {
    const api = createClient();
    const { voucher, partner } = await createVoucherScene(api);
    const before = await env.DB.prepare('select * from vouchers where id = ?').bind(voucher.id).first();
    for (let i = 0; i < 3; i++) expect((await api.get(`/r/${voucher.token}`)).status).toBe(200);
    expect(await env.DB.prepare('select * from vouchers where id = ?').bind(voucher.id).first()).toEqual(
      before,
    );
    expect((await api.post(`/r/${voucher.token}`)).status).toBe(404);
    expect(
      (await api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } })).status,
    ).toBe(201);
  });

  it('says clearly when the gift was redeemed, voided or has expired, and hides the QR code then', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const a = await createVoucherScene(api);
    await api.post('/v1/redemptions', { token: a.partner.key, body: { token: a.voucher.token } });
    const redeemed = await api.get(`/r/${a.voucher.token}`);
    expect(redeemed.text).toContain('This gift has been redeemed');
    expect(redeemed.text).not.toContain('class="qr"');
    const b = await createVoucherScene(api);
    await api.post(`/v1/vouchers/${b.voucher.id}/void`, { token: b.clinic.key, body: { reason: 'x' } });
    expect((await api.get(`/r/${b.voucher.token}`)).text).toContain('withdrawn by the clinic');
    const c = await createVoucherScene(api);
    clock.advance(91 * 86400_000);
    const expired = await api.get(`/r/${c.voucher.token}`);
    expect(expired.status).toBe(200);
    expect(expired.text).toContain('This gift expired on 30 January 2027');
    expect(expired.text).not.toContain('class="qr"');
  });

  it('shows stored value and "any partner of the category" for a category voucher', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, { first_name: 'Ida' });
    const v = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 5000, currency: 'EUR' },
      category: 'photography',
    });
    const res = await api.get(`/r/${v.token}`);
    expect(res.text).toContain('€50.00');
    expect(res.text).toContain('Any photography partner of the network');
  });

  it('answers forged, tampered and malformed links with a friendly 404 page', async () => {
    const api = createClient();
    const { voucher } = await createVoucherScene(api);
    for (const token of [
      tamperPayload(voucher.token, { sub: 'vch_other' }),
      await signedByUnknownKey(voucher.token),
      await resign(voucher.token, { iss: 'https://evil.example' }),
      'garbage',
      'a.b.c',
      'x'.repeat(5000),
    ]) {
      const res = await api.get(`/r/${encodeURIComponent(token)}`);
      expect(res.status, token.slice(0, 20)).toBe(404);
      expect(res.text).toContain('This link is not valid');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});
