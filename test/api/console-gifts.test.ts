import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { createNetwork, createOffer, createPatient, issueVoucher } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// Giving a gift from the console: the catalogue beside the patient's preferences, the issue form,
// the gift's page with the patient's link, its QR code and a copy button, and voiding it. What the
// pages change is checked through the API.

const location = (res: { headers: Headers }) => res.headers.get('location') ?? '';

/** What a phone reads from a QR code the pages draw: its SVG's runs of modules, rasterised, read by jsQR. */
function readQr(svg: string): string | undefined {
  const size = Number(/viewBox="0 0 (\d+) /.exec(svg)?.[1]);
  const scale = 4;
  const width = size * scale;
  const px = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const m of svg.matchAll(/M(\d+) (\d+)h(\d+)/g)) {
    const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < w * scale; dx++) {
        const i = ((y * scale + dy) * width + x * scale + dx) * 4;
        px[i] = px[i + 1] = px[i + 2] = 0;
      }
  }
  return jsQR(px, width, width)?.data;
}
const unescapeHtml = (s: string) => s.replace(/&amp;/g, '&');

async function scene(api: Client = createClient()) {
  const net = await createNetwork(api);
  const tag = Math.random().toString(36).slice(2, 8).replace(/\d/g, 'k');
  const patient = await createPatient(api, net.clinic.key, {
    first_name: 'Greta',
    preferences: { tags: ['Photography', 'sailing'], notes: 'Prefers mornings' },
  });
  const massage = await createOffer(api, net.partner.key, {
    title: `Hot stones ${tag}`,
    category: 'massage',
  });
  const photo = await createOffer(api, net.otherPartner.key, {
    title: `Portrait session ${tag}`,
    category: 'photography',
    description: 'A sailing portrait at the harbour',
    price: { amount: 12000, currency: 'EUR' },
  });
  const desk = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'front_desk' });
  const other = await staffSession(api, {
    organizationId: net.otherClinic.id,
    kind: 'clinic',
    role: 'owner',
  });
  return { api, net, tag, patient, massage, photo, desk, other };
}

const vouchersOf = async (api: Client, key: string, patientId: string) =>
  (await api.get(`/v1/vouchers?patient_id=${patientId}`, { token: key })).body.data as any[];

describe('console: choosing a gift', () => {
  it('browses the catalogue by category, partner and text beside the patient’s preferences', async () => {
    const { tag, patient, massage, photo, desk, net } = await scene();
    const base = `/console/patients/${patient.id}/gift`;
    const all = await desk.get(`${base}?q=${tag}`);
    expect(all.status).toBe(200);
    expect(all.text).toContain(massage.title);
    expect(all.text).toContain(photo.title);
    // The preferences, each a way into the catalogue; an offer that matches them says so.
    expect(all.text).toContain('Greta&#39;s preferences');
    expect(all.text).toContain(`href="${base}?category=photography"`);
    expect(all.text).toContain(`href="${base}?q=sailing"`);
    expect(all.text).toContain('Likes Photography, sailing');
    expect(all.text).toContain('Prefers mornings');

    const byCategory = await desk.get(`${base}?category=massage&q=${tag}`);
    expect(byCategory.text).toContain(massage.title);
    expect(byCategory.text).not.toContain(photo.title);
    const byPartner = await desk.get(`${base}?partner=${net.otherPartner.id}&q=${tag}`);
    expect(byPartner.text).toContain(photo.title);
    expect(byPartner.text).not.toContain(massage.title);
    expect(byPartner.text).toContain('Only offers of <strong>Photo Studio</strong>');
    const byText = await desk.get(`${base}?q=${encodeURIComponent(`hot stones ${tag}`)}`);
    expect(byText.text).toContain(massage.title);
    expect(byText.text).not.toContain(photo.title);

    // Choosing one shows the issue form, its expiry by default and at most as the network allows.
    const chosen = await desk.get(`${base}?offer=${photo.id}`);
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain(`Give ${photo.title} at Photo Studio`);
    expect(chosen.text).toContain(`name="offer_id" value="${photo.id}"`);
    const date =
      /id="expires_on" name="expires_on" required=""[^>]*value="(\d{4}-\d{2}-\d{2})"[^>]*min="(\d{4}-\d{2}-\d{2})" max="(\d{4}-\d{2}-\d{2})"/.exec(
        chosen.text,
      );
    expect(
      date,
      chosen.text.slice(chosen.text.indexOf('expires_on') - 200, chosen.text.indexOf('expires_on') + 400),
    ).toBeTruthy();
    const [, byDefault, min, max] = date!;
    expect(min).toBe('2026-11-01');
    expect(byDefault! > min!).toBe(true);
    expect(byDefault! <= max!).toBe(true);
  });

  it('pages the catalogue, and refuses what is not there', async () => {
    const { api, net, tag, patient, desk, other } = await scene();
    // One more than a page holds.
    for (let i = 0; i < 13; i++) await createOffer(api, net.partner.key, { title: `Paged ${tag} ${i}` });
    const base = `/console/patients/${patient.id}/gift`;
    const first = await desk.get(`${base}?q=paged%20${tag}`);
    expect(first.text.match(/Choose <span/g)).toHaveLength(12);
    const more = /href="([^"]+after=off_[^"]+)"/.exec(first.text)?.[1];
    expect(more).toBeTruthy();
    const second = await desk.get(unescapeHtml(more!));
    expect(second.text.match(/Choose <span/g)).toHaveLength(1);

    expect((await desk.get(`${base}?category=spaceflight`)).status).toBe(400);
    expect((await desk.get(`${base}?offer=nonsense`)).status).toBe(404);
    expect((await desk.get(`${base}?offer=off_01JD0000000000000000000000`)).status).toBe(404);
    const theirs = await other.get(base);
    expect(theirs.status).toBe(404);
    expect(theirs.text).not.toContain('Greta');
  });
});

describe('console: giving a gift', () => {
  it('issues it and shows the patient’s link, its QR code, a copy button and the state', async () => {
    const { api, net, patient, photo, desk } = await scene();
    const res = await desk.post(`/console/patients/${patient.id}/gifts`, {
      offer_id: photo.id,
      message: 'Thank you for ten years with us!',
      expires_on: '2026-12-24',
    });
    expect(res.status, res.text).toBe(303);
    const id = /^\/console\/gifts\/(vch_\w+)\?issued=1$/.exec(location(res))?.[1];
    expect(id, location(res)).toBeTruthy();
    const v = (await api.get(`/v1/vouchers/${id}`, { token: net.clinic.key })).body;
    expect(v).toMatchObject({
      patient_id: patient.id,
      offer: { id: photo.id },
      message: 'Thank you for ten years with us!',
    });
    // Valid until the end of 24 December in the clinic's timezone (Berlin, UTC+1 in winter).
    expect(v.expires_at).toBe('2026-12-24T23:00:00.000Z');

    const page = await desk.get(location(res));
    expect(page.status).toBe(200);
    expect(page.text).toContain('The gift was issued.');
    expect(page.text).toContain(`value="${v.url}"`);
    expect(page.text).toContain('data-copy="gift-link"');
    expect(page.text).toContain('<script src="/console/copy.js">');
    expect(page.text).toContain('Not redeemed yet.');
    expect(page.text).toContain('Void this gift');
    // The QR code reads back as the patient's link.
    const qr = /alt="QR code of the patient&#39;s link" src="data:image\/svg\+xml;base64,([^"]+)"/.exec(
      page.text,
    )?.[1];
    expect(qr).toBeTruthy();
    expect(readQr(atob(qr!))).toBe(v.url);

    const script = await api.get('/console/copy.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.text).toContain('navigator.clipboard');
  });

  it('refuses bad values, another clinic’s patient and a missing CSRF token; a double submit issues once', async () => {
    const { api, net, patient, photo, desk, other } = await scene();
    const post = (fields: Record<string, string>) =>
      desk.post(`/console/patients/${patient.id}/gifts`, fields);
    const late = await post({ offer_id: photo.id, expires_on: '2099-01-01' });
    expect(location(late)).toBe(
      `/console/patients/${patient.id}/gift?offer=${photo.id}&error=validation_failed&field=expires_on`,
    );
    expect((await desk.get(location(late))).text).toContain(
      'Choose a date within the range the form allows.',
    );
    expect(location(await post({ offer_id: 'nonsense', expires_on: '2026-12-01' }))).toContain(
      'field=offer_id',
    );
    expect(
      location(await post({ offer_id: photo.id, expires_on: '2026-12-01', message: 'x'.repeat(501) })),
    ).toContain('field=message');

    const theirs = await other.post(`/console/patients/${patient.id}/gifts`, {
      offer_id: photo.id,
      expires_on: '2026-12-01',
    });
    expect(location(theirs)).toBe(
      `/console/patients/${patient.id}/gift?offer=${photo.id}&error=patient_not_found`,
    );
    expect((await other.get(location(theirs))).status).toBe(404);

    const forged = await api.post(`/console/patients/${patient.id}/gifts`, {
      rawBody: new URLSearchParams({
        offer_id: photo.id,
        expires_on: '2026-12-01',
        submission: 'forged-gift-0123456789',
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: desk.cookie,
        origin: 'https://gratia.test',
      },
    });
    expect(forged.status).toBe(403);
    expect(await vouchersOf(api, net.clinic.key, patient.id)).toHaveLength(0);

    const once = { offer_id: photo.id, expires_on: '2026-12-01', submission: 'double-gift-0123456789' };
    const [a, b] = await Promise.all([post(once), post(once)]);
    expect(location(a)).toMatch(/^\/console\/gifts\/vch_/);
    expect(location(a)).toBe(location(b));
    expect(await vouchersOf(api, net.clinic.key, patient.id)).toHaveLength(1);
    // The patient's page lists it with its state.
    const patientPage = await desk.get(`/console/patients/${patient.id}`);
    expect(patientPage.text).toContain(`href="${location(a).split('?')[0]}"`);
    expect(patientPage.text).toContain('>issued<');
  });
});

describe('console: voiding a gift', () => {
  it('voids a gift before it is redeemed, and says why it cannot once it is', async () => {
    const { api, net, patient, massage, photo, desk, other } = await scene();
    const open = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: photo.id });
    const used = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: massage.id });
    const redeemed = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: used.token },
    });
    expect(redeemed.status).toBe(201);

    // Another clinic, no reason, no CSRF token: nothing changes.
    const theirs = await other.post(`/console/gifts/${open.id}/void`, { reason: 'Mistake' });
    expect(location(theirs)).toBe(`/console/gifts/${open.id}?error=voucher_not_found`);
    expect((await other.get(`/console/gifts/${open.id}`)).status).toBe(404);
    expect(location(await desk.post(`/console/gifts/${open.id}/void`, { reason: ' ' }))).toBe(
      `/console/gifts/${open.id}?error=validation_failed&field=reason`,
    );
    const forged = await api.post(`/console/gifts/${open.id}/void`, {
      rawBody: new URLSearchParams({ reason: 'x', submission: 'forged-void-0123456789' }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: desk.cookie,
        origin: 'https://gratia.test',
      },
    });
    expect(forged.status).toBe(403);
    expect((await api.get(`/v1/vouchers/${open.id}`, { token: net.clinic.key })).body.status).toBe('issued');

    const res = await desk.post(`/console/gifts/${open.id}/void`, { reason: 'Issued to the wrong patient' });
    expect(location(res)).toBe(`/console/gifts/${open.id}?voided=1`);
    const after = await api.get(`/v1/vouchers/${open.id}`, { token: net.clinic.key });
    expect(after.body).toMatchObject({ status: 'voided', void_reason: 'Issued to the wrong patient' });
    const page = await desk.get(location(res));
    expect(page.text).toContain('The gift was voided.');
    expect(page.text).toContain('Issued to the wrong patient');
    expect(page.text).not.toContain('Void this gift');
    // The patient's link now says it was withdrawn.
    expect((await api.get(`/r/${open.token}`)).text).toContain('withdrawn');

    const refused = await desk.post(`/console/gifts/${used.id}/void`, { reason: 'Too late' });
    expect(location(refused)).toBe(`/console/gifts/${used.id}?error=voucher_already_redeemed`);
    const usedPage = await desk.get(location(refused));
    expect(usedPage.text).toContain('This voucher has already been redeemed.');
    expect(usedPage.text).toContain('A redeemed gift cannot be voided.');
    expect((await api.get(`/v1/vouchers/${used.id}`, { token: net.clinic.key })).body.status).toBe(
      'redeemed',
    );
    expect((await desk.get('/console/gifts/vch_01JD0000000000000000000000')).status).toBe(404);
  });
});
