import { env } from 'cloudflare:workers';
import {
  publishOffer,
  removeOfferPhoto,
  resumeStaffSession,
  setOfferPhoto,
  updateOffer,
} from '@gratia/network';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { createNetwork, createOffer } from '../helpers/factories';
import { GIF, getPhoto, JPEG, PNG, pngOfSize, putPhoto, storedPhotos, WEBP } from '../helpers/photos';
import { staffSession } from '../helpers/staff';

// Offer photos through the API: PUT the image's bytes, DELETE, read them with a key or at the photo's
// public address; only the partner's owners (or its API keys) change them, only its own offers.

const offerRow = async (id: string) =>
  env.DB.prepare('select photo_key, photo_type, photo_updated_at, updated_at from offers where id = ?')
    .bind(id)
    .first();
const auditOf = async (offerId: string) =>
  (
    await env.DB.prepare(
      "select action from audit_events where subject_type = 'offer' and subject_id = ? and action like 'offer.%_photo' order by at, id",
    )
      .bind(offerId)
      .all<{ action: string }>()
  ).results.map((r) => r.action);
const pathOf = (url: string) => new URL(url).pathname;

describe('offer photos (API)', () => {
  it('sets a photo: the offer names it, and it is served at its public address and with a key', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    const res = await putPhoto(api, net.partner.key, offer.id, PNG);
    expect(res.status, res.text).toBe(200);
    const url: string = res.body.photo_url;
    expect(url).toMatch(new RegExp(`^https://gratia\\.test/offer-photos/${offer.id}/[0-9a-f]{64}$`));
    expect((await api.get(`/v1/offers/${offer.id}`, { token: net.clinic.key })).body.photo_url).toBe(url);
    expect(await storedPhotos(net.partner.id)).toHaveLength(1);

    const pub = await getPhoto(api, pathOf(url));
    expect(pub.status).toBe(200);
    expect(pub.headers.get('content-type')).toBe('image/png');
    expect(pub.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(pub.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pub.bytes).toEqual(PNG);
    const etag = pub.headers.get('etag')!;
    expect(etag).toBe(`"${url.split('/').pop()}"`);
    const again = await getPhoto(api, pathOf(url), { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.bytes).toHaveLength(0);

    const keyed = await getPhoto(api, `/v1/offers/${offer.id}/photo`, {
      authorization: `Bearer ${net.clinic.key}`,
    });
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get('content-type')).toBe('image/png');
    expect(keyed.headers.get('cache-control')).toBe('private, no-cache');
    expect(keyed.bytes).toEqual(PNG);
    expect(await auditOf(offer.id)).toEqual(['offer.set_photo']);
  });

  it('reads the type from the bytes (JPEG, PNG, WebP), whatever the upload declared', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    for (const [bytes, type, declared] of [
      [JPEG, 'image/jpeg', 'application/octet-stream'],
      [WEBP, 'image/webp', 'image/png'],
      [PNG, 'image/png', null],
    ] as const) {
      const res = await putPhoto(api, net.partner.key, offer.id, bytes, declared);
      expect(res.status, res.text).toBe(200);
      const pub = await getPhoto(api, pathOf(res.body.photo_url));
      expect(pub.headers.get('content-type')).toBe(type);
      expect(pub.bytes).toEqual(bytes);
    }
  });

  it('is idempotent: the same bytes again change nothing', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    const first = await putPhoto(api, net.partner.key, offer.id, PNG);
    const row = await offerRow(offer.id);
    api.clock.advance!(60_000);
    const second = await putPhoto(api, net.partner.key, offer.id, PNG);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await offerRow(offer.id)).toEqual(row);
    expect(await auditOf(offer.id)).toEqual(['offer.set_photo']);
    expect(await storedPhotos(net.partner.id)).toHaveLength(1);
  });

  it('replaces a photo: the old address stops serving and the old image is deleted', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    const first = await putPhoto(api, net.partner.key, offer.id, PNG);
    const second = await putPhoto(api, net.partner.key, offer.id, WEBP);
    expect(second.body.photo_url).not.toBe(first.body.photo_url);
    const old = await getPhoto(api, pathOf(first.body.photo_url));
    expect(old.status).toBe(404);
    expect(old.headers.get('content-type')).toContain('application/problem+json');
    expect((await getPhoto(api, pathOf(second.body.photo_url))).status).toBe(200);
    const keys = await storedPhotos(net.partner.id);
    expect(keys).toEqual([`offers/${net.partner.id}/${offer.id}/${second.body.photo_url.split('/').pop()}`]);
  });

  it('removes a photo, and removing none changes nothing', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    const set = await putPhoto(api, net.partner.key, offer.id, PNG);
    api.clock.advance!(1_000);
    const removed = await api.delete(`/v1/offers/${offer.id}/photo`, { token: net.partner.key });
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.photo_url).toBeNull();
    expect(await storedPhotos(net.partner.id)).toEqual([]);
    expect((await getPhoto(api, pathOf(set.body.photo_url))).status).toBe(404);
    const keyed = await api.get(`/v1/offers/${offer.id}/photo`, { token: net.partner.key });
    expect(keyed.status).toBe(404);
    expect(keyed.body.code).toBe('photo_not_found');
    const row = await offerRow(offer.id);
    api.clock.advance!(60_000);
    const again = await api.delete(`/v1/offers/${offer.id}/photo`, { token: net.partner.key });
    expect(again.status).toBe(200);
    expect(await offerRow(offer.id)).toEqual(row);
    expect(await auditOf(offer.id)).toEqual(['offer.set_photo', 'offer.remove_photo']);
  });

  it('refuses what is not a JPEG, PNG or WebP of at most 2 MB, and stores nothing', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    const before = await offerRow(offer.id);
    const cases: [string, Uint8Array | ReadableStream<Uint8Array>, string | null, number, string][] = [
      ['a GIF', GIF, 'image/gif', 415, 'unsupported_image'],
      ['a GIF declared as PNG', GIF, 'image/png', 415, 'unsupported_image'],
      [
        'text declared as JPEG',
        new TextEncoder().encode('not an image at all'),
        'image/jpeg',
        415,
        'unsupported_image',
      ],
      ['JSON', new TextEncoder().encode('{}'), 'application/json', 415, 'unsupported_image'],
      [
        'SVG',
        new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        'image/svg+xml',
        415,
        'unsupported_image',
      ],
      ['a truncated PNG signature', PNG.slice(0, 5), 'image/png', 415, 'unsupported_image'],
      ['nothing', new Uint8Array(0), 'image/png', 400, 'validation_failed'],
      ['2 MB and a byte', pngOfSize(2 * 1024 * 1024 + 1), 'image/png', 413, 'photo_too_large'],
      ['3 MB without a Content-Length', chunked(3 * 1024 * 1024), 'image/png', 413, 'photo_too_large'],
    ];
    for (const [what, body, type, status, code] of cases) {
      const res = await putPhoto(api, net.partner.key, offer.id, body, type);
      expect(res.status, `${what}: ${res.text}`).toBe(status);
      expect(res.headers.get('content-type'), what).toContain('application/problem+json');
      expect(res.body.code, what).toBe(code);
    }
    expect(await offerRow(offer.id)).toEqual(before);
    expect(await storedPhotos(net.partner.id)).toEqual([]);
    // Exactly 2 MB is allowed.
    expect((await putPhoto(api, net.partner.key, offer.id, pngOfSize(2 * 1024 * 1024))).status).toBe(200);
  });

  it("another partner's offer is not found, and nothing changes or stays stored", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    await putPhoto(api, net.partner.key, offer.id, PNG);
    const before = await offerRow(offer.id);
    const put = await putPhoto(api, net.otherPartner.key, offer.id, WEBP);
    expect(put.status).toBe(404);
    expect(put.body.code).toBe('offer_not_found');
    const del = await api.delete(`/v1/offers/${offer.id}/photo`, { token: net.otherPartner.key });
    expect(del.status).toBe(404);
    expect(del.body.code).toBe('offer_not_found');
    expect(await offerRow(offer.id)).toEqual(before);
    expect(await storedPhotos(net.otherPartner.id)).toEqual([]);
    expect(await storedPhotos(net.partner.id)).toHaveLength(1);
    // A clinic may not change photos at all.
    expect((await putPhoto(api, net.clinic.key, offer.id, PNG)).status).toBe(403);
  });

  it('shows a clinic the photo of an active offer only', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key, { active: false });
    await putPhoto(api, net.partner.key, offer.id, PNG);
    const clinic = await api.get(`/v1/offers/${offer.id}/photo`, { token: net.clinic.key });
    expect(clinic.status).toBe(404);
    expect(clinic.body.code).toBe('offer_not_found');
    const partner = await getPhoto(api, `/v1/offers/${offer.id}/photo`, {
      authorization: `Bearer ${net.partner.key}`,
    });
    expect(partner.status).toBe(200);
  });

  it('answers a public address that names no photo with 404 photo_not_found', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    for (const path of [
      `/offer-photos/${offer.id}/${'0'.repeat(64)}`,
      `/offer-photos/${offer.id}/not-a-digest`,
      `/offer-photos/off_01JD0000000000000000000000/${'a'.repeat(64)}`,
      `/offer-photos/x/${'a'.repeat(64)}`,
    ]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.code, path).toBe('photo_not_found');
    }
  });

  it('refuses partner staff who are not owners in the use cases themselves', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    const deps = testDeps(api.clock);
    const principalOf = async (role: 'owner' | 'staff') => {
      const s = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role });
      const out = await resumeStaffSession(deps, {
        sessionId: s.sessionId,
        organizationId: net.partner.id,
        from: null,
      });
      if (!out.ok) throw new Error(out.error.code);
      return out.value;
    };
    const staff = await principalOf('staff');
    const store = env.OFFER_PHOTOS;
    const before = await offerRow(offer.id);
    const refusals = [
      await publishOffer(deps, {
        partner: staff,
        offer: { title: 'Nope', category: 'massage', price: { amount: 100, currency: 'EUR' } },
      }),
      await updateOffer(deps, { partner: staff, offerId: offer.id, changes: { active: false } }),
      await setOfferPhoto(deps, { partner: staff, offerId: offer.id, photo: PNG, store }),
      await removeOfferPhoto(deps, { partner: staff, offerId: offer.id, store }),
    ];
    for (const out of refusals) expect(!out.ok && out.error.code).toBe('forbidden');
    expect(await offerRow(offer.id)).toEqual(before);
    expect(await storedPhotos(net.partner.id)).toEqual([]);
    const owner = await principalOf('owner');
    const set = await setOfferPhoto(deps, { partner: owner, offerId: offer.id, photo: PNG, store });
    expect(set.ok).toBe(true);
  });
});

/** `bytes` bytes (a PNG's start, then zeros) as a stream: the request carries no Content-Length. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  const piece = pngOfSize(64 * 1024);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(piece);
      sent += piece.byteLength;
    },
  });
}
