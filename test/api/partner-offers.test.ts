import { env } from 'cloudflare:workers';
import { randomToken } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { ORIGIN } from '../helpers/counter';
import { createNetwork, createOffer, type Network } from '../helpers/factories';
import { GIF, getPhoto, PNG, pngOfSize, storedPhotos, WEBP } from '../helpers/photos';
import { type StaffSession, staffSession } from '../helpers/staff';

// The counter page's Offers view (/partner/offers), driven through its forms as a browser sends them
// (multipart, with a file input): the partner's owners publish, change, withdraw offers and their
// photos; other staff are refused; another partner's offer is not found and never changes.

/** Posts an offer form as multipart/form-data, with the session's CSRF token and a fresh submission key. */
async function postOffer(
  api: Client,
  s: StaffSession,
  path: string,
  fields: Record<string, string>,
  opts: { photo?: Uint8Array; photoType?: string; csrf?: string | null; submission?: string } = {},
) {
  const form = new FormData();
  if (opts.csrf !== null) form.set('csrf', opts.csrf ?? s.csrf);
  form.set('submission', opts.submission ?? randomToken(18));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  // An empty file input is still sent (as a part with no bytes), as browsers do.
  form.set(
    'photo',
    new File([opts.photo ?? new Uint8Array(0)], opts.photo ? 'photo' : '', {
      type: opts.photo ? (opts.photoType ?? 'image/png') : 'application/octet-stream',
    }),
  );
  const res = await api.app.request(
    `https://gratia.test${path}`,
    { method: 'POST', body: form, headers: { cookie: s.cookie, origin: ORIGIN } },
    env,
  );
  return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text() };
}

const massage = {
  title: 'Hot stone massage',
  category: 'massage',
  price: '65.00',
  retail_value: '90',
  description: 'Ninety minutes',
  terms: 'Book ahead',
  active: 'on',
};

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const owner = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role: 'owner' });
  return { api, net, owner };
}

const offerOf = async (api: Client, net: Network, id: string) =>
  (await api.get(`/v1/offers/${id}`, { token: net.partner.key })).body;
const offersOf = async (partnerId: string) =>
  (await env.DB.prepare('select count(*) as n from offers where partner_id = ?')
    .bind(partnerId)
    .first<{ n: number }>())!.n;
const idFrom = (location: string) => /(off_[0-9A-Z]{26})/.exec(location)![1]!;

describe('the Offers view of the counter page', () => {
  it('links owners to it from the counter; asks for sign-in without a session', async () => {
    const { api, net, owner } = await scene();
    expect((await owner.get('/partner')).text).toContain('href="/partner/offers"');
    const staff = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role: 'staff' });
    const counter = await staff.get('/partner');
    expect(counter.status).toBe(200);
    expect(counter.text).not.toContain('href="/partner/offers"');
    const anonymous = await api.get('/partner/offers');
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain('Sign in');
  });

  it('lets the owner publish an offer without a photo', async () => {
    const { api, net, owner } = await scene();
    const form = await owner.get('/partner/offers/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('enctype="multipart/form-data"');
    expect(form.headers.get('content-security-policy')).toContain("img-src 'self'");
    const res = await postOffer(api, owner, '/partner/offers', massage);
    expect(res.status, res.text).toBe(303);
    expect(res.location).toMatch(/^\/partner\/offers\?published=off_/);
    const offer = await offerOf(api, net, idFrom(res.location));
    expect(offer).toMatchObject({
      title: 'Hot stone massage',
      category: 'massage',
      price: { amount: 6500, currency: 'EUR' },
      retail_value: { amount: 9000, currency: 'EUR' },
      description: 'Ninety minutes',
      terms: 'Book ahead',
      active: true,
      photo_url: null,
    });
    const list = await owner.get(res.location);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Published: Hot stone massage.');
    expect(list.text).toContain(`href="/partner/offers/${offer.id}/edit"`);
  });

  it('publishes with a photo, then edits, replaces the photo, removes it and deactivates the offer', async () => {
    const { api, net, owner } = await scene();
    const created = await postOffer(api, owner, '/partner/offers', massage, { photo: PNG });
    expect(created.status, created.text).toBe(303);
    const id = idFrom(created.location);
    const withPhoto = await offerOf(api, net, id);
    const path = new URL(withPhoto.photo_url).pathname;
    expect(path).toMatch(new RegExp(`^/offer-photos/${id}/[0-9a-f]{64}$`));
    const image = await getPhoto(api, path);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.bytes).toEqual(PNG);
    expect((await owner.get('/partner/offers')).text).toContain(`src="${path}"`);

    const edit = await owner.get(`/partner/offers/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="Hot stone massage"');
    expect(edit.text).toContain('value="65.00"');
    expect(edit.text).toContain(`src="${path}"`);
    expect(edit.text).toContain('name="remove_photo"');

    const changed = await postOffer(
      api,
      owner,
      `/partner/offers/${id}`,
      { ...massage, title: 'Hot stones, 2 hours', price: '80,50' },
      { photo: WEBP, photoType: 'image/webp' },
    );
    expect(changed.status, changed.text).toBe(303);
    expect(changed.location).toBe(`/partner/offers?saved=${id}`);
    const after = await offerOf(api, net, id);
    expect(after).toMatchObject({ title: 'Hot stones, 2 hours', price: { amount: 8050, currency: 'EUR' } });
    expect(after.photo_url).not.toBe(withPhoto.photo_url);
    expect((await getPhoto(api, new URL(after.photo_url).pathname)).headers.get('content-type')).toBe(
      'image/webp',
    );
    expect((await getPhoto(api, path)).status).toBe(404);
    expect(await storedPhotos(net.partner.id)).toHaveLength(1);

    const { active: _active, ...inactive } = massage;
    const withdrawn = await postOffer(api, owner, `/partner/offers/${id}`, {
      ...inactive,
      remove_photo: 'on',
    });
    expect(withdrawn.status, withdrawn.text).toBe(303);
    const last = await offerOf(api, net, id);
    expect(last.active).toBe(false);
    expect(last.photo_url).toBeNull();
    expect(await storedPhotos(net.partner.id)).toEqual([]);
    const list = await owner.get('/partner/offers');
    expect(list.text).toContain('Inactive');
    // Clinics no longer see it.
    expect((await api.get(`/v1/offers/${id}`, { token: net.clinic.key })).status).toBe(404);
  });

  it('refuses partner staff who are not owners: 403 pages, nothing written', async () => {
    const { api, net } = await scene();
    const offer = await createOffer(api, net.partner.key);
    const staff = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role: 'staff' });
    for (const path of ['/partner/offers', '/partner/offers/new', `/partner/offers/${offer.id}/edit`]) {
      const res = await staff.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text, path).toContain('Your owner manages the offers');
    }
    const before = await offersOf(net.partner.id);
    const created = await postOffer(api, staff, '/partner/offers', massage, { photo: PNG });
    expect(created.status).toBe(403);
    const changed = await postOffer(api, staff, `/partner/offers/${offer.id}`, { ...massage, title: 'Mine' });
    expect(changed.status).toBe(403);
    expect(await offersOf(net.partner.id)).toBe(before);
    expect((await offerOf(api, net, offer.id)).title).toBe('60-minute massage');
    expect(await storedPhotos(net.partner.id)).toEqual([]);
  });

  it("answers another partner's offer with 404 and leaves it as it was", async () => {
    const { api, net, owner } = await scene();
    const theirs = await createOffer(api, net.otherPartner.key, { title: 'Portrait session' });
    const edit = await owner.get(`/partner/offers/${theirs.id}/edit`);
    expect(edit.status).toBe(404);
    expect(edit.text).not.toContain('Portrait session');
    const before = await offerOf(api, net, theirs.id);
    const res = await postOffer(api, owner, `/partner/offers/${theirs.id}`, massage, { photo: PNG });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/partner/offers?error=offer_not_found');
    expect((await owner.get(res.location)).text).toContain('That offer was not found.');
    expect(await offerOf(api, net, theirs.id)).toEqual(before);
    expect(await storedPhotos(net.partner.id)).toEqual([]);
    expect(await storedPhotos(net.otherPartner.id)).toEqual([]);
    expect((await owner.get('/partner/offers/off_01JD0000000000000000000000/edit')).status).toBe(404);
  });

  it('sends a bad photo or bad values back to the form with a clear sentence, keeping what was typed', async () => {
    const { api, net, owner } = await scene();
    const before = await offersOf(net.partner.id);
    const gif = await postOffer(api, owner, '/partner/offers', massage, {
      photo: GIF,
      photoType: 'image/gif',
    });
    expect(gif.status).toBe(400);
    expect(gif.text).toContain('The photo must be a JPEG, PNG or WebP image.');
    expect(gif.text).toContain('value="Hot stone massage"');
    const big = await postOffer(api, owner, '/partner/offers', massage, {
      photo: pngOfSize(2 * 1024 * 1024 + 10),
    });
    expect(big.status).toBe(413);
    expect(big.text).toContain('The photo is too large');
    const huge = await postOffer(api, owner, '/partner/offers', massage, {
      photo: pngOfSize(3 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    for (const [fields, says] of [
      [{ ...massage, title: '  ' }, 'Give the offer a title'],
      [{ ...massage, price: 'twelve' }, 'Enter the price as an amount more than 0'],
      [{ ...massage, price: '0' }, 'Enter the price as an amount more than 0'],
      [{ ...massage, retail_value: '9.999' }, 'Enter the retail value as an amount'],
      [{ ...massage, category: 'dentistry' }, 'Choose a category'],
    ] as const) {
      const res = await postOffer(api, owner, '/partner/offers', fields);
      expect(res.status, says).toBe(400);
      expect(res.text, says).toContain(says);
    }
    expect(await offersOf(net.partner.id)).toBe(before);
    expect(await storedPhotos(net.partner.id)).toEqual([]);
  });

  it('refuses a form without the CSRF token or from another origin, and writes nothing', async () => {
    const { api, net, owner } = await scene();
    const before = await offersOf(net.partner.id);
    expect((await postOffer(api, owner, '/partner/offers', massage, { csrf: null })).status).toBe(403);
    expect((await postOffer(api, owner, '/partner/offers', massage, { csrf: 'x'.repeat(32) })).status).toBe(
      403,
    );
    const foreign = await api.app.request(
      'https://gratia.test/partner/offers',
      {
        method: 'POST',
        body: new URLSearchParams({ ...massage, csrf: owner.csrf, submission: randomToken(18) }),
        headers: { cookie: owner.cookie, origin: 'https://evil.example' },
      },
      env,
    );
    expect(foreign.status).toBe(403);
    expect(await offersOf(net.partner.id)).toBe(before);
  });

  it('publishes once for a form sent twice', async () => {
    const { api, net, owner } = await scene();
    const before = await offersOf(net.partner.id);
    const submission = randomToken(18);
    const first = await postOffer(api, owner, '/partner/offers', massage, { photo: PNG, submission });
    const second = await postOffer(api, owner, '/partner/offers', massage, { photo: PNG, submission });
    expect(first.status).toBe(303);
    expect(second.location).toBe(first.location);
    expect(await offersOf(net.partner.id)).toBe(before + 1);
    // The same key with another photo is another request: refused, nothing written.
    const other = await postOffer(api, owner, '/partner/offers', massage, { photo: WEBP, submission });
    expect(other.location).toBe('/partner/offers/new?error=idempotency_key_reused');
    expect(await offersOf(net.partner.id)).toBe(before + 1);
  });

  it('pages the list of offers, inactive ones included', async () => {
    const { api, net, owner } = await scene();
    // A millisecond apart: ids (and the list) follow the order of creation.
    for (let i = 0; i < 26; i++) {
      api.clock.advance!(1);
      await createOffer(api, net.partner.key, {
        title: `Offer ${String(i).padStart(2, '0')}`,
        active: i % 2 === 0,
      });
    }
    const first = await owner.get('/partner/offers');
    expect(first.text).toContain('Offer 00');
    expect(first.text).toContain('Offer 24');
    expect(first.text).not.toContain('Offer 25');
    const next = /href="(\/partner\/offers\?cursor=[^"]+)"/.exec(first.text)?.[1];
    expect(next).toBeTruthy();
    const second = await owner.get(next!);
    expect(second.text).toContain('Offer 25');
    expect(second.text).not.toContain('Offer 24');
    expect(second.text).not.toContain('Next page');
    const bad = await owner.get('/partner/offers?cursor=nonsense');
    expect(bad.status).toBe(303);
    expect((await owner.get(bad.headers.get('location')!)).text).toContain(
      'That page of the list is not available.',
    );
  });
});
