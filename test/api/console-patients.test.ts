import { CONSENT_WORDING } from '@gratia/network';
import { describe, expect, it } from 'vitest';
import { cardBarcodeSvg } from '../../workers/api/src/lib/barcode';
import { type Client, createClient, T0 } from '../helpers/api';
import { decodeCode128 } from '../helpers/code128';
import { createNetwork, createPatient, recordVisit, setLoyaltyProgram } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's Patients area, driven as the front desk would: search, register with consent in the
// exact words agreed to, the patient's page, and recording a paid visit. What the pages change is
// checked through the API.

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;');
const location = (res: { headers: Headers }) => res.headers.get('location') ?? '';

async function scene(api: Client = createClient()) {
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key);
  const desk = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'front_desk' });
  const other = await staffSession(api, {
    organizationId: net.otherClinic.id,
    kind: 'clinic',
    role: 'owner',
  });
  return { api, net, desk, other };
}

const patientCount = async (api: Client, key: string, q: string) =>
  (await api.get(`/v1/patients?q=${encodeURIComponent(q)}`, { token: key })).body.data.length as number;

describe('console: finding patients', () => {
  it('finds a patient by name, phone, e-mail and card number, and pages the list', async () => {
    const { api, net, desk, other } = await scene();
    const tag = `Quenby${Math.random().toString(36).slice(2, 7).replace(/\d/g, 'x')}`;
    const anna = await createPatient(api, net.clinic.key, {
      first_name: 'Anna',
      last_name: tag,
      email: `${tag.toLowerCase()}@example.com`,
      phone: '+491701239876',
    });
    for (const q of [
      `anna ${tag}`,
      tag.slice(0, 6),
      '0170 1239876',
      `${tag.toLowerCase()}@example.com`,
      anna.card_number,
    ]) {
      const res = await desk.get(`/console/patients?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.text, q).toContain(`href="/console/patients/${anna.id}"`);
    }
    expect((await desk.get('/console/patients')).text).toContain('href="/console/patients/new"');
    // Another clinic's search never shows her.
    const theirs = await other.get(`/console/patients?q=${encodeURIComponent(tag)}`);
    expect(theirs.status).toBe(200);
    expect(theirs.text).not.toContain(anna.id);
    expect(theirs.text).toContain('No patient matches that search.');

    // 26 of them: a page of 25 and a link to the next.
    for (let i = 0; i < 25; i++) await createPatient(api, net.clinic.key, { last_name: tag });
    const first = await desk.get(`/console/patients?q=${tag}`);
    expect(first.text.match(/href="\/console\/patients\/pat_/g)).toHaveLength(25);
    const next = /href="(\/console\/patients\?q=[^"]+cursor=[^"]+)"/.exec(first.text)?.[1];
    expect(next).toBeTruthy();
    const second = await desk.get(next!.replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect(second.text.match(/href="\/console\/patients\/pat_/g)).toHaveLength(1);
    expect(second.text).not.toContain('Next page');
    expect((await desk.get('/console/patients?cursor=nonsense')).status).toBe(400);
  });
});

describe('console: registering a patient', () => {
  it('shows the exact consent wording and stores it with the consent, from the front desk', async () => {
    const { api, net, desk } = await scene();
    const form = await desk.get('/console/patients/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain(esc(CONSENT_WORDING.email));
    expect(form.text).toContain(esc(CONSENT_WORDING.sms));
    const res = await desk.post('/console/patients', {
      first_name: 'Lena',
      last_name: 'Wójcik',
      email: 'Lena.W@Example.com',
      phone: '+49 170 555-1234',
      birth_date: '1988-03-14',
      tags: 'massage, books ,, wine',
      notes: 'Afternoons',
      consent_email: 'yes',
    });
    expect(res.status, res.text).toBe(303);
    const id = /^\/console\/patients\/(pat_\w+)\?registered=1$/.exec(location(res))?.[1];
    expect(id, location(res)).toBeTruthy();
    const read = await api.get(`/v1/patients/${id}`, { token: net.clinic.key });
    expect(read.body).toMatchObject({
      first_name: 'Lena',
      last_name: 'Wójcik',
      email: 'lena.w@example.com',
      phone: '+491705551234',
      birth_date: '1988-03-14',
      preferences: { tags: ['massage', 'books', 'wine'], notes: 'Afternoons' },
      consent: { email: true, sms: false },
    });
    expect(read.body.consent_history).toEqual([
      expect.objectContaining({
        channel: 'email',
        granted: true,
        source: 'front_desk',
        wording: CONSENT_WORDING.email,
      }),
      expect.objectContaining({
        channel: 'sms',
        granted: false,
        source: 'front_desk',
        wording: CONSENT_WORDING.sms,
      }),
    ]);
    expect(read.body.consent_history[0].api_key_id).toBe(desk.keyId);

    const shown = await desk.get(location(res));
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Registered. The card number is');
    expect(shown.text).toContain(esc(CONSENT_WORDING.email));
    expect(shown.text).toContain('front desk');
  });

  it('sends bad values back to the form with what was typed, and registers nothing', async () => {
    const { api, net, desk } = await scene();
    const last = `Nobody${Math.random().toString(36).slice(2, 7).replace(/\d/g, 'y')}`;
    const res = await desk.post('/console/patients', {
      first_name: 'Jo',
      last_name: last,
      email: 'not-an-address',
      birth_date: '1988-02-30',
      consent_sms: 'yes',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('role="alert"');
    expect(res.text).toContain('must be an e-mail address');
    expect(res.text).toContain('must be a real date after 1900');
    expect(res.text).toContain(`value="${last}"`);
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toMatch(/name="consent_sms" value="yes" checked/);
    expect(res.text).toContain('aria-invalid="true"');
    const missing = await desk.post('/console/patients', { first_name: '', last_name: last });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter the first name');
    expect(await patientCount(api, net.clinic.key, last)).toBe(0);
  });

  it('registers once for a double submit, and nothing without the CSRF token', async () => {
    const { api, net, desk } = await scene();
    const last = `Twice${Math.random().toString(36).slice(2, 7).replace(/\d/g, 'z')}`;
    const fields = { first_name: 'Tom', last_name: last, submission: 'double-submit-0123456789' };
    const [a, b] = await Promise.all([
      desk.post('/console/patients', fields),
      desk.post('/console/patients', fields),
    ]);
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(location(a)).toBe(location(b));
    expect(await patientCount(api, net.clinic.key, last)).toBe(1);

    const forged = await api.post('/console/patients', {
      rawBody: new URLSearchParams({
        first_name: 'Tom',
        last_name: `${last}x`,
        csrf: 'wrong',
        submission: 'forged-submission-0123456789',
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: desk.cookie,
        origin: 'https://gratia.test',
      },
    });
    expect(forged.status).toBe(403);
    expect(await patientCount(api, net.clinic.key, `${last}x`)).toBe(0);
  });
});

describe("console: the patient's page", () => {
  it('shows profile, preferences, consent, the card with its barcode, points, gifts and visits', async () => {
    const { api, net, desk, other } = await scene();
    const p = await createPatient(api, net.clinic.key, {
      first_name: 'Mira',
      email: 'mira@example.com',
      phone: '+4915112345678',
      preferences: { tags: ['massage', 'photography'], notes: 'Loves sunsets' },
      consent: { email: true, sms: false, source: 'paper_form' },
    });
    await recordVisit(api, net.clinic.key, p.id, 50_000, { reference: `INV-${p.id}` });
    const res = await desk.get(`/console/patients/${p.id}`);
    expect(res.status).toBe(200);
    for (const text of [
      'mira@example.com',
      '+4915112345678',
      'massage',
      'Loves sunsets',
      'paper form',
      'Not recorded',
      p.card_number.replace(/(\d{4})(?=\d)/g, '$1 '),
      `INV-${p.id}`,
      '5,000',
      '€500.00',
      'Record a paid visit',
      `href="/console/patients/${p.id}/gift"`,
    ])
      expect(res.text, text).toContain(text);
    // The barcode on the page encodes the card number.
    const uri = /class="barcode" src="data:image\/svg\+xml;base64,([^"]+)"/.exec(res.text)?.[1];
    expect(uri).toBeTruthy();
    expect(decodeCode128(atob(uri!))).toBe(p.card_number);

    // Another clinic's patient, an unknown one, and a cursor this page never gave out.
    const theirs = await other.get(`/console/patients/${p.id}`);
    expect(theirs.status).toBe(404);
    expect(theirs.text).toContain('That patient was not found.');
    expect(theirs.text).not.toContain('Mira');
    expect((await desk.get('/console/patients/pat_01JD0000000000000000000000')).status).toBe(404);
    expect((await desk.get('/console/patients/nonsense')).status).toBe(404);
    expect((await desk.get(`/console/patients/${p.id}?visits_before=x`)).status).toBe(400);
  });

  it('pages its lists newest first', async () => {
    const { api, net, desk } = await scene();
    const p = await createPatient(api, net.clinic.key);
    // Visit i took place i hours before now: the newest are the highest numbers.
    for (let i = 1; i <= 12; i++)
      await recordVisit(api, net.clinic.key, p.id, 1000 * i, {
        reference: `R-${p.id}-${i}`,
        occurred_at: new Date(T0 - (13 - i) * 3_600_000).toISOString(),
      });
    const first = await desk.get(`/console/patients/${p.id}`);
    expect(first.text).toContain(`R-${p.id}-12<`);
    expect(first.text).not.toContain(`R-${p.id}-2<`);
    const older = /href="([^"]*visits_before=[^"]+)"/.exec(first.text)?.[1];
    expect(older).toBeTruthy();
    const second = await desk.get(older!.replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect(second.text).toContain(`R-${p.id}-2<`);
    expect(second.text).toContain(`R-${p.id}-1<`);
    expect(second.text).not.toContain(`R-${p.id}-3<`);
    expect(second.text).not.toContain('Older visits');
  });

  it('draws a Code 128 barcode that reads back as the card number', () => {
    for (const card of ['8123456789012347', '8000000000000009', '8999999999999999']) {
      const svg = cardBarcodeSvg(card);
      expect(svg).toMatch(/^<svg viewBox="0 0 \d+ \d+" xmlns="http:\/\/www.w3.org\/2000\/svg">/);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
      expect(decodeCode128(svg)).toBe(card);
    }
  });
});

describe('console: recording a paid visit', () => {
  it('books the visit and shows the points earned and the new balance at once', async () => {
    const { api, net, desk } = await scene();
    const p = await createPatient(api, net.clinic.key);
    const res = await desk.post(`/console/patients/${p.id}/visits`, {
      amount: '120,50',
      reference: `V-${p.id}`,
    });
    expect(res.status, res.text).toBe(303);
    expect(location(res)).toMatch(new RegExp(`^/console/patients/${p.id}\\?visit=vis_\\w+$`));
    const shown = await desk.get(location(res));
    // 10% of €120.50 at the network's point value.
    const balance = await api.get(`/v1/patients/${p.id}/points`, { token: net.clinic.key });
    const earned = balance.body.balance as number;
    expect(earned).toBeGreaterThan(0);
    expect(shown.text).toContain(`Visit recorded: earned ${earned.toLocaleString('en-GB')} points`);
    expect(shown.text).toContain(`New balance: ${earned.toLocaleString('en-GB')} points`);

    // The same reference again books nothing and says so.
    const again = await desk.post(`/console/patients/${p.id}/visits`, {
      amount: '120.50',
      reference: `V-${p.id}`,
    });
    expect(location(again)).toContain('&replayed=1');
    expect((await desk.get(location(again))).text).toContain('That reference was already recorded');
    expect((await api.get(`/v1/patients/${p.id}/points`, { token: net.clinic.key })).body.balance).toBe(
      earned,
    );
  });

  it('refuses a bad amount, another clinic, a missing CSRF token; a double submit books once', async () => {
    const { api, net, desk, other } = await scene();
    const p = await createPatient(api, net.clinic.key);
    const balance = async () =>
      (await api.get(`/v1/patients/${p.id}/points`, { token: net.clinic.key })).body.earned;

    const bad = await desk.post(`/console/patients/${p.id}/visits`, { amount: 'twelve' });
    expect(bad.status).toBe(303);
    expect(location(bad)).toBe(`/console/patients/${p.id}?error=validation_failed&field=amount#visit`);
    expect((await desk.get(location(bad))).text).toContain('Enter the amount paid as a number');

    const theirs = await other.post(`/console/patients/${p.id}/visits`, { amount: '100' });
    expect(location(theirs)).toBe(`/console/patients/${p.id}?error=patient_not_found`);
    expect((await other.get(location(theirs))).status).toBe(404);

    const forged = await api.post(`/console/patients/${p.id}/visits`, {
      rawBody: new URLSearchParams({ amount: '100', submission: 'forged-visit-0123456789' }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: desk.cookie,
        origin: 'https://gratia.test',
      },
    });
    expect(forged.status).toBe(403);
    expect(await balance()).toBe(0);

    const once = { amount: '100', submission: 'double-visit-0123456789' };
    const [a, b] = await Promise.all([
      desk.post(`/console/patients/${p.id}/visits`, once),
      desk.post(`/console/patients/${p.id}/visits`, once),
    ]);
    expect(location(a)).toBe(location(b));
    const res = await api.get(`/v1/patients/${p.id}/points/entries`, { token: net.clinic.key });
    expect(res.body.data).toHaveLength(1);
  });

  it('is for clinic staff only: a partner session gets the sign-in page', async () => {
    const { api, net } = await scene();
    const p = await createPatient(api, net.clinic.key);
    const partner = await staffSession(api, {
      organizationId: net.partner.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await partner.get(`/console/patients/${p.id}`)).status).toBe(401);
    expect((await partner.post(`/console/patients/${p.id}/visits`, { amount: '100' })).status).toBe(401);
    expect((await api.get(`/console/patients/${p.id}`)).status).toBe(401);
  });
});
