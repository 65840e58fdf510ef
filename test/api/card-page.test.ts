import { env } from 'cloudflare:workers';
import { CARD_CATALOGS, cardPatientId, cardUrl, formatIcu, LOCALES } from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { counter, signIn, submit } from '../helpers/counter';
import { testDeps } from '../helpers/deps';
import {
  createNetwork,
  createOffer,
  createPatient,
  issueVoucher,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { GIF, PNG, pngOfSize, WEBP } from '../helpers/photos';
import { describeSecurity, expectProblem } from '../helpers/security';
import { ownerSignedIn } from '../helpers/staff';

// The patient's card page (/c/{token}, issue 13) and the clinic's GET /v1/patients/{id}/card: the
// signed link (forged and other-purpose tokens are 404), the card's figures in the patient's language,
// and the holder's photo (type and size checked by bytes, replaced, removed, served only on the link).

const ORIGIN = 'https://gratia.test';

async function scene(api: Client) {
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key, {
    discount_tiers: [
      { min_lifetime_spend: { amount: 100_000, currency: 'EUR' }, discount_bps: 500 },
      { min_lifetime_spend: { amount: 10_000, currency: 'EUR' }, discount_bps: 200 },
    ],
  });
  const p = await createPatient(api, net.clinic.key, { first_name: 'Rosa', last_name: 'Holder' });
  const visit = await recordVisit(api, net.clinic.key, p.id, 50_000);
  const offer = await createOffer(api, net.partner.key, { title: 'Spa afternoon' });
  const gift = await issueVoucher(api, net.clinic.key, { patient_id: p.id, offer_id: offer.id });
  const card = await api.get(`/v1/patients/${p.id}/card`, { token: net.clinic.key });
  expect(card.status, card.text).toBe(200);
  const url = card.body.url as string;
  const token = new URL(url).pathname.split('/')[2]!;
  return { net, p, visit, gift, card: card.body, url, token };
}

/** The text with Intl's no-break spaces as plain spaces. */
const plain = (t: string) => t.replace(/[\u00a0\u202f]/g, ' ');

const setLocale = (patientId: string, locale: string) =>
  env.DB.prepare('update patients set locale = ? where id = ?').bind(locale, patientId).run();

/** Posts the photo form as a browser does (multipart, this origin). */
async function postPhoto(
  api: Client,
  token: string,
  fields: { photo?: Uint8Array; type?: string; remove?: boolean; csrf?: string | null; origin?: string },
) {
  const page = await api.get(`/c/${token}`);
  const csrf = fields.csrf === undefined ? /name="csrf" value="([^"]+)"/.exec(page.text)![1]! : fields.csrf;
  const form = new FormData();
  if (fields.photo)
    form.set('photo', new Blob([fields.photo], { type: fields.type ?? 'image/png' }), 'me.png');
  if (fields.remove) form.set('remove', '1');
  if (csrf !== null) form.set('csrf', csrf);
  const res = await api.app.request(
    `${ORIGIN}/c/${token}/photo`,
    { method: 'POST', body: form, headers: { origin: fields.origin ?? ORIGIN } },
    env,
  );
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

describe('the card catalog', () => {
  it('has the same keys in every language, and every string compiles and formats', () => {
    const keys = Object.keys(CARD_CATALOGS.en).sort();
    for (const l of LOCALES) {
      expect(Object.keys(CARD_CATALOGS[l]).sort(), l).toEqual(keys);
      for (const k of keys) {
        const text = formatIcu(CARD_CATALOGS[l][k as keyof (typeof CARD_CATALOGS)['en']], l, {
          count: 3,
          clinic: 'C',
          name: 'N',
          number: '1',
          money: 'M',
          date: 'D',
          percent: 'P',
          title: 'T',
        });
        expect(text, `${l}.${k}`).not.toMatch(/[{}]/);
      }
    }
  });
});

describe('the card link', () => {
  it('is signed for its own purpose and checked without the database', async () => {
    const deps = testDeps();
    const url = await cardUrl(deps, 'pat_01JD0000000000000000000000');
    expect(url).toMatch(/\/c\/pat_01JD0000000000000000000000\.[A-Za-z0-9_-]+$/);
    const token = url.split('/c/')[1]!;
    expect(await cardPatientId(deps, token)).toBe('pat_01JD0000000000000000000000');
    expect(await cardPatientId(deps, `${token}x`)).toBeNull();
    expect(
      await cardPatientId(deps, `pat_01JD0000000000000000000001${token.slice(token.indexOf('.'))}`),
    ).toBeNull();
    expect(await cardPatientId(deps, 'nonsense')).toBeNull();
  });

  it('a forged, altered or member-page token is a 404 page', async () => {
    const api = createClient();
    const s = await scene(api);
    const member = await api.get(`/v1/patients/${s.p.id}/referrals`, { token: s.net.clinic.key });
    const memberToken = new URL(member.body.member_url).pathname.split('/')[2]!;
    for (const bad of [`${s.token}A`, `${s.p.id}.abc`, memberToken, 'x']) {
      const res = await api.get(`/c/${bad}`);
      expect(res.status, bad).toBe(404);
      expect(res.text).toContain('This link is not valid');
      expect(res.text).not.toContain('Holder');
    }
  });
});

describe('GET /v1/patients/{id}/card', () => {
  it("answers the card's figures and its page's link", async () => {
    const api = createClient();
    const s = await scene(api);
    const c = s.card;
    expect(c.card_number).toBe(s.p.card_number);
    expect(c.balance).toBe(s.visit.balance);
    expect(c.worth.currency).toBe('EUR');
    expect(c.worth.amount).toBeGreaterThan(0);
    expect(c.next_expiry).toEqual({ points: s.visit.balance, expires_on: expect.any(String) });
    expect(c.discount_bps).toBe(200);
    expect(c.next_tier).toEqual({
      discount_bps: 500,
      min_lifetime_spend: 100_000,
      remaining: 50_000,
      progress_pct: 50,
    });
    expect(c.gifts).toHaveLength(1);
    expect(c.gifts[0]).toMatchObject({ voucher_id: s.gift.id, title: 'Spa afternoon', url: s.gift.url });
    expect(c.more_gifts).toBe(false);
    expect(c.has_photo).toBe(false);
    expect(c.url).toMatch(/^https?:\/\/[^/]+\/c\/pat_/);
  });

  it("another clinic's patient and a missing one are patient_not_found", async () => {
    const api = createClient();
    const s = await scene(api);
    expectProblem(
      await api.get(`/v1/patients/${s.p.id}/card`, { token: s.net.otherClinic.key }),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.get('/v1/patients/pat_01JD0000000000000000000000/card', { token: s.net.clinic.key }),
      404,
      'patient_not_found',
    );
  });
});

describeSecurity('GET /v1/patients/{id}/card', {
  method: 'GET',
  roles: ['clinic'],
  setup: (api, net) => createPatient(api, net.clinic.key),
  path: (p) => `/v1/patients/${p.id}/card`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});

describe('GET /c/{token}', () => {
  it('shows the named card, barcode and QR, balance, money, expiry, tier, progress and gifts in English', async () => {
    const api = createClient();
    const s = await scene(api);
    const res = await api.get(`/c/${s.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    const t = res.text;
    expect(t).toContain('<html lang="en">');
    expect(t).toContain('ul.plain li>span'); // the style is not HTML-escaped
    expect(t).toContain('Rosa Holder');
    expect(t).toContain(s.p.card_number.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(t).toContain('id="barcode"');
    expect(t).toContain('data:image/svg+xml;base64,');
    expect(t).toContain(`${new Intl.NumberFormat('en').format(s.visit.balance)} points`);
    const worth = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(
      s.card.worth.amount / 100,
    );
    expect(t).toContain(`worth ${worth}`);
    expect(t).toMatch(/points? expires? on \d{1,2} \w+ \d{4}|points? expires? on \w+ \d{1,2}, \d{4}/);
    expect(t).toContain(': 2%.');
    expect(plain(t)).toContain('Spend €500.00 more to reach a 5% discount.');
    expect(t).toContain('value="50"');
    expect(t).toContain('Spa afternoon');
    expect(t).toContain(`href="${s.gift.url}"`);
    for (const l of ['English', 'Español', 'Русский']) expect(t).toContain(l);
  });

  it("speaks the patient's language, or the one chosen, or the browser's", async () => {
    const api = createClient();
    const s = await scene(api);
    const es = await api.get(`/c/${s.token}?lang=es`);
    expect(es.text).toContain('<html lang="es">');
    expect(es.text).toContain('Tu tarjeta en');
    expect(plain(es.text)).toContain('Gasta 500,00 € más para llegar a un descuento del 5 %.');
    expect(es.text).toMatch(/ puntos<\/p>/);
    await setLocale(s.p.id, 'ru');
    const ru = await api.get(`/c/${s.token}`);
    expect(ru.text).toContain('<html lang="ru">');
    expect(ru.text).toContain('Ваша карта в');
    expect(ru.text).toMatch(/ балл(а|ов)?<\/p>/);
    expect(ru.text).toContain('Ваши подарки');
    // The explicit choice wins over the patient's own.
    expect((await api.get(`/c/${s.token}?lang=en`)).text).toContain('Your card at');
    await setLocale(s.p.id, 'en');
    const browser = await api.get(`/c/${s.token}?lang=xx`, {
      headers: { 'accept-language': 'es-ES,es;q=0.9' },
    });
    // The patient's own language comes before the browser's.
    expect(browser.text).toContain('<html lang="en">');
  });

  it('plural forms follow each language', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const card = await api.get(`/v1/patients/${p.id}/card`, { token: net.clinic.key });
    const token = new URL(card.body.url).pathname.split('/')[2]!;
    expect((await api.get(`/c/${token}`)).text).toContain('0 points');
    expect((await api.get(`/c/${token}?lang=ru`)).text).toContain('0 баллов');
    expect((await api.get(`/c/${token}`)).text).toContain('You have no gifts to use right now.');
    expect((await api.get(`/c/${token}`)).text).toContain('No points are about to expire.');
  });
});

describe('the holder photo', () => {
  it('is added, shown on the link, replaced and removed; each change audited as the patient', async () => {
    const api = createClient();
    const s = await scene(api);
    const added = await postPhoto(api, s.token, { photo: PNG });
    expect(added.status, added.text).toBe(303);
    expect(added.location).toBe(`/c/${s.token}?lang=en&done=saved`);
    const page = await api.get(added.location!);
    expect(page.text).toContain('Your photo is saved.');
    expect(page.text).toContain(`src="/c/${s.token}/photo"`);
    const photo = await api.app.request(`${ORIGIN}/c/${s.token}/photo`, {}, env);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('cache-control')).toContain('private');
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(PNG);

    const replaced = await postPhoto(api, s.token, { photo: WEBP, type: 'image/webp' });
    expect(replaced.status).toBe(303);
    const again = await api.app.request(`${ORIGIN}/c/${s.token}/photo`, {}, env);
    expect(again.headers.get('content-type')).toBe('image/webp');
    const objects = await env.CARD_PHOTOS.list({ prefix: `cards/${s.p.id}/` });
    expect(objects.objects).toHaveLength(1);

    const removed = await postPhoto(api, s.token, { remove: true });
    expect(removed.status).toBe(303);
    expect(removed.location).toContain('done=removed');
    expect((await api.app.request(`${ORIGIN}/c/${s.token}/photo`, {}, env)).status).toBe(404);
    expect((await env.CARD_PHOTOS.list({ prefix: `cards/${s.p.id}/` })).objects).toHaveLength(0);
    expect((await api.get(`/c/${s.token}`)).text).not.toContain(`/c/${s.token}/photo"`);

    const audit = await env.DB.prepare(
      "select action, detail from audit_events where patient_id = ? and action like 'patient.%card_photo' order by id",
    )
      .bind(s.p.id)
      .all<{ action: string; detail: string }>();
    expect(audit.results.map((r) => r.action).sort()).toEqual([
      'patient.remove_card_photo',
      'patient.set_card_photo',
      'patient.set_card_photo',
    ]);
    expect(JSON.parse(audit.results[0]!.detail).actor).toBe('patient');
  });

  it('refuses what is not a JPEG, PNG or WebP (400), over 2 MB (413), and an empty form (400)', async () => {
    const api = createClient();
    const s = await scene(api);
    const gif = await postPhoto(api, s.token, { photo: GIF, type: 'image/png' });
    expect(gif.status).toBe(400);
    expect(gif.text).toContain('The photo must be a JPEG, PNG or WebP image.');
    const big = await postPhoto(api, s.token, { photo: pngOfSize(2 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(big.text).toContain('The photo is too large');
    const huge = await postPhoto(api, s.token, { photo: pngOfSize(3 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    const none = await postPhoto(api, s.token, {});
    expect(none.status).toBe(400);
    expect((await env.CARD_PHOTOS.list({ prefix: `cards/${s.p.id}/` })).objects).toHaveLength(0);
  });

  it('refuses a forged link (404), another origin or a wrong form token (403)', async () => {
    const api = createClient();
    const s = await scene(api);
    expect((await postPhoto(api, s.token, { photo: PNG, origin: 'https://evil.example' })).status).toBe(403);
    expect((await postPhoto(api, s.token, { photo: PNG, csrf: 'nope' })).status).toBe(403);
    expect((await postPhoto(api, s.token, { photo: PNG, csrf: null })).status).toBe(403);
    const forged = await api.app.request(
      `${ORIGIN}/c/${s.p.id}.forged/photo`,
      { method: 'POST', body: new FormData(), headers: { origin: ORIGIN } },
      env,
    );
    expect(forged.status).toBe(404);
    expect((await api.app.request(`${ORIGIN}/c/${s.p.id}.forged/photo`, {}, env)).status).toBe(404);
    expect((await env.CARD_PHOTOS.list({ prefix: `cards/${s.p.id}/` })).objects).toHaveLength(0);
  });
});

describe('the console: the card page link', () => {
  it("the patient's page links to it; it shows the link to copy, its QR code and what the patient sees", async () => {
    const api = createClient();
    const { net, p, url, token } = await scene(api);
    const { cookie } = await ownerSignedIn(api, net.clinic.id);
    const get = (path: string) => api.get(path, { headers: { cookie } });
    const patientPage = await get(`/console/patients/${p.id}`);
    expect(patientPage.text).toContain(`href="/console/patients/${p.id}/card"`);
    const res = await get(`/console/patients/${p.id}/card`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`value="${url}"`);
    expect(res.text).toContain('data-copy="card-link"');
    expect(res.text).toContain('5,000 points');
    expect(res.text).toContain('2% discount');
    expect(res.text).toContain('1 gift to use');
    expect(url).toContain(`/c/${token}`);
  });

  it("another clinic's patient and a missing one are a 404 page", async () => {
    const api = createClient();
    const s = await scene(api);
    const other = (await ownerSignedIn(api, s.net.otherClinic.id)).cookie;
    const own = (await ownerSignedIn(api, s.net.clinic.id)).cookie;
    const get = (path: string, cookie: string) => api.get(path, { headers: { cookie } });
    expect((await get(`/console/patients/${s.p.id}/card`, other)).status).toBe(404);
    expect((await get('/console/patients/pat_01JD0000000000000000000000/card', own)).status).toBe(404);
    expect((await get('/console/patients/nonsense/card', own)).status).toBe(404);
    expect((await api.get(`/console/patients/${s.p.id}/card`)).status).toBe(401);
  });
});

describe('the card at the counter', () => {
  it('a scanned card number opens the card: holder, photo (session only), the points form filled in', async () => {
    const api = createClient();
    const s = await scene(api);
    expect((await postPhoto(api, s.token, { photo: PNG })).status).toBe(303);
    const { cookie } = await signIn(api, s.net.partner.key);
    const { csrf } = await counter(api, cookie);
    // The camera's QR decode or a USB scanner's typed digits land in the "Check" field.
    const scanned = await submit(api, '/partner/verify', cookie, { token: s.p.card_number, csrf });
    expect(scanned.status).toBe(303);
    expect(scanned.headers.get('location')).toBe(`/partner/cards/${s.p.card_number}`);
    const page = await api.get(`/partner/cards/${s.p.card_number}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Card of Rosa H.');
    expect(page.text).not.toContain('Holder');
    expect(page.text).toContain(`src="/partner/cards/${s.p.card_number}/photo"`);
    expect(page.text).toContain(`value="${s.p.card_number}"`);
    expect(page.text).toContain('action="/partner/points"');
    const photo = await api.app.request(
      `${ORIGIN}/partner/cards/${s.p.card_number}/photo`,
      { headers: { cookie } },
      env,
    );
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('cache-control')).toBe('private, no-store');
    // A grouped number (as printed) is the same card.
    const grouped = s.p.card_number.replace(/(\d{4})(?=\d)/g, '$1 ');
    expect(
      (await submit(api, '/partner/verify', cookie, { token: grouped, csrf })).headers.get('location'),
    ).toBe(`/partner/cards/${s.p.card_number}`);
  });

  it('any partner of the network sees it (cards are network-wide); no session sees nothing; an unknown card is 404', async () => {
    const api = createClient();
    const s = await scene(api);
    expect((await postPhoto(api, s.token, { photo: PNG })).status).toBe(303);
    const other = (await signIn(api, s.net.otherPartner.key)).cookie;
    expect((await api.get(`/partner/cards/${s.p.card_number}`, { headers: { cookie: other } })).status).toBe(
      200,
    );
    expect((await api.get(`/partner/cards/${s.p.card_number}`)).status).toBe(401);
    expect((await api.get(`/partner/cards/${s.p.card_number}/photo`)).status).toBe(401);
    const unknown = await api.get('/partner/cards/0000000000000000', { headers: { cookie: other } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Card not found');
    expect((await api.get('/partner/cards/abc', { headers: { cookie: other } })).status).toBe(404);
    // A clinic's console session is not a counter session.
    const clinic = (await ownerSignedIn(api, s.net.clinic.id)).cookie;
    expect((await api.get(`/partner/cards/${s.p.card_number}`, { headers: { cookie: clinic } })).status).toBe(
      401,
    );
  });
});
