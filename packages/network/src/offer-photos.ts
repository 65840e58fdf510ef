import { err, isId, ok, type Refusal, type Result, sha256Hex } from '@gratia/core';
import type { Principal } from '@gratia/db';
import { actorOf, auditEntry, type Deps, type Offer, type OrgPrincipal, offers, runBatch } from '@gratia/db';
import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { offerManagerRefusal, readOffer } from './offers';

// An offer's photo: one image per offer, kept in R2 (the OFFER_PHOTOS bucket) under a key of the
// partner, the offer and the SHA-256 of the bytes, and named on the offer's row (key, type, when). The
// row decides what is served: an object no row names (a replaced photo whose delete failed, an upload
// whose batch failed) is never shown. The same bytes make the same key, so setting a photo again
// changes nothing, and a photo's public URL (its digest in it) can be cached for good.

export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** The image type the bytes themselves say (their magic numbers), whatever the upload claimed. */
export function sniffPhotoType(bytes: Uint8Array): PhotoType | null {
  const has = (signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
  if (has([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (has([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // RIFF....WEBP
  if (has([0x52, 0x49, 0x46, 0x46]) && has([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

export interface CheckedPhoto {
  bytes: Uint8Array;
  type: PhotoType;
  /** SHA-256 of the bytes, hex. */
  digest: string;
}

type PhotoRefusal = Refusal<'validation_failed' | 'photo_too_large' | 'unsupported_image'>;

/** Whether bytes may be an offer's photo: a JPEG, PNG or WebP image of at most 2 MB. */
export async function checkPhoto(bytes: Uint8Array): Promise<Result<CheckedPhoto, PhotoRefusal>> {
  if (bytes.byteLength === 0) return err({ code: 'validation_failed', detail: 'The photo is empty' });
  if (bytes.byteLength > PHOTO_MAX_BYTES)
    return err({ code: 'photo_too_large', detail: `A photo may be ${PHOTO_MAX_BYTES} bytes at most` });
  const type = sniffPhotoType(bytes);
  if (!type)
    return err({
      code: 'unsupported_image',
      detail: 'The photo must be a JPEG, PNG or WebP image (read from its bytes, not its name or type)',
    });
  return ok({ bytes, type, digest: await sha256Hex(bytes) });
}

const photoKey = (partnerId: string, offerId: string, digest: string) =>
  `offers/${partnerId}/${offerId}/${digest}`;
const digestOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** Where an offer's photo is served to anyone holding the address (relative), or null without one. */
export const offerPhotoPath = (offer: Pick<Offer, 'id' | 'photoKey'>): string | null =>
  offer.photoKey ? `/offer-photos/${offer.id}/${digestOf(offer.photoKey)}` : null;

const notFound = (id: string): Refusal<'offer_not_found'> => ({
  code: 'offer_not_found',
  detail: `No offer ${id}`,
});

/** Deletes an object no row names any more; a failure only leaves an object that is never served. */
async function dropObject(deps: Deps, store: R2Bucket, key: string) {
  try {
    await store.delete(key);
  } catch (e) {
    deps.log({ level: 'error', event: 'offer_photo_delete_failed', key, error: String(e) });
  }
}

/**
 * Sets (or replaces) the photo of one of the partner's own offers; owners only. Idempotent: the same
 * bytes again change nothing. The image is stored first, then named on the row in one batch with the
 * audit entry; the photo it replaces is deleted once no row names it.
 */
export async function setOfferPhoto(
  deps: Deps,
  input: { partner: OrgPrincipal; offerId: string; photo: Uint8Array; store: R2Bucket },
): Promise<Result<Offer, PhotoRefusal | Refusal<'offer_not_found' | 'forbidden'>>> {
  const refused = offerManagerRefusal(input.partner);
  if (refused) return err(refused);
  if (!isId('off', input.offerId)) return err(notFound(input.offerId));
  const checked = await checkPhoto(input.photo);
  if (!checked.ok) return checked;
  const { type, digest } = checked.value;
  const { db } = deps;
  const partnerId = input.partner.organizationId;
  const now = deps.clock.now();
  const key = photoKey(partnerId, input.offerId, digest);
  // Under the caller's own partner: an upload for someone else's offer id never touches their photos.
  await input.store.put(key, input.photo, { httpMetadata: { contentType: type }, sha256: digest });
  const mine = and(eq(offers.id, input.offerId), eq(offers.partnerId, partnerId));
  const done = await runBatch(db, {
    before: db.select({ photoKey: offers.photoKey }).from(offers).where(mine),
    update: db
      .update(offers)
      .set({ photoKey: key, photoType: type, photoUpdatedAt: now, updatedAt: now })
      .where(and(mine, or(isNull(offers.photoKey), ne(offers.photoKey, key)))),
    audit: auditEntry(db, {
      actor: actorOf(input.partner),
      organizationId: partnerId,
      action: 'offer.set_photo',
      subject: { type: 'offer', id: input.offerId },
      detail: { type, bytes: input.photo.byteLength },
      when: sql`exists (select 1 from ${offers} where ${mine} and ${offers.photoKey} = ${key} and ${offers.photoUpdatedAt} = ${now})`,
      at: now,
    }),
    after: db.select().from(offers).where(mine),
  });
  const row = done.after[0];
  if (!row) {
    await dropObject(deps, input.store, key);
    return err(notFound(input.offerId));
  }
  const replaced = done.before[0]?.photoKey;
  if (replaced && replaced !== row.photoKey) await dropObject(deps, input.store, replaced);
  return ok(row);
}

/** Removes the photo of one of the partner's own offers; owners only. Removing no photo changes nothing. */
export async function removeOfferPhoto(
  deps: Deps,
  input: { partner: OrgPrincipal; offerId: string; store: R2Bucket },
): Promise<Result<Offer, Refusal<'offer_not_found' | 'forbidden'>>> {
  const refused = offerManagerRefusal(input.partner);
  if (refused) return err(refused);
  if (!isId('off', input.offerId)) return err(notFound(input.offerId));
  const { db } = deps;
  const partnerId = input.partner.organizationId;
  const now = deps.clock.now();
  const mine = and(eq(offers.id, input.offerId), eq(offers.partnerId, partnerId));
  const done = await runBatch(db, {
    before: db.select({ photoKey: offers.photoKey }).from(offers).where(mine),
    update: db
      .update(offers)
      .set({ photoKey: null, photoType: null, photoUpdatedAt: now, updatedAt: now })
      .where(and(mine, sql`${offers.photoKey} is not null`)),
    audit: auditEntry(db, {
      actor: actorOf(input.partner),
      organizationId: partnerId,
      action: 'offer.remove_photo',
      subject: { type: 'offer', id: input.offerId },
      when: sql`exists (select 1 from ${offers} where ${mine} and ${offers.photoKey} is null and ${offers.photoUpdatedAt} = ${now})`,
      at: now,
    }),
    after: db.select().from(offers).where(mine),
  });
  const row = done.after[0];
  if (!row) return err(notFound(input.offerId));
  const removed = done.before[0]?.photoKey;
  if (removed && row.photoKey === null) await dropObject(deps, input.store, removed);
  return ok(row);
}

export interface OfferPhoto {
  type: string;
  /** SHA-256 of the bytes, hex: the photo's ETag. */
  digest: string;
  updatedAt: number | null;
  size: number;
  /** The bytes; null when the caller already has this photo (its digest matched). */
  body: ReadableStream | null;
}

const noPhoto = (id: string): Refusal<'photo_not_found'> => ({
  code: 'photo_not_found',
  detail: `Offer ${id} has no photo`,
});

async function photoOf(
  deps: Deps,
  store: R2Bucket,
  row: Pick<Offer, 'id' | 'photoKey' | 'photoType' | 'photoUpdatedAt'>,
  cachedDigests: readonly string[] = [],
): Promise<Result<OfferPhoto, Refusal<'photo_not_found'>>> {
  if (!row.photoKey || !row.photoType) return err(noPhoto(row.id));
  const digest = digestOf(row.photoKey);
  const meta = { type: row.photoType, digest, updatedAt: row.photoUpdatedAt };
  if (cachedDigests.includes(digest)) {
    const head = await store.head(row.photoKey);
    if (head) return ok({ ...meta, size: head.size, body: null });
  } else {
    const object = await store.get(row.photoKey);
    if (object) return ok({ ...meta, size: object.size, body: object.body });
  }
  deps.log({ level: 'error', event: 'offer_photo_missing', offer_id: row.id, key: row.photoKey });
  return err(noPhoto(row.id));
}

/**
 * An offer's photo for a caller who may see the offer (a clinic: active offers only). `cachedDigests`
 * are the digests the caller holds (If-None-Match): a match answers without the bytes.
 */
export async function readOfferPhoto(
  deps: Deps,
  input: { principal: Principal; offerId: string; store: R2Bucket; cachedDigests?: readonly string[] },
): Promise<Result<OfferPhoto, Refusal<'offer_not_found' | 'photo_not_found'>>> {
  const offer = await readOffer(deps, { principal: input.principal, offerId: input.offerId });
  if (!offer.ok) return offer;
  return photoOf(deps, input.store, offer.value, input.cachedDigests);
}

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * A photo by its public address (the offer and the photo's digest, see offerPhotoPath): whoever has
 * the address may see that photo, as long as the offer still shows it.
 */
export async function readPublishedPhoto(
  deps: Deps,
  input: { offerId: string; digest: string; store: R2Bucket; cachedDigests?: readonly string[] },
): Promise<Result<OfferPhoto, Refusal<'photo_not_found'>>> {
  if (!isId('off', input.offerId) || !DIGEST.test(input.digest)) return err(noPhoto(input.offerId));
  const [row] = await deps.db
    .select({
      id: offers.id,
      photoKey: offers.photoKey,
      photoType: offers.photoType,
      photoUpdatedAt: offers.photoUpdatedAt,
    })
    .from(offers)
    .where(eq(offers.id, input.offerId));
  if (!row?.photoKey || digestOf(row.photoKey) !== input.digest) return err(noPhoto(input.offerId));
  return photoOf(deps, input.store, row, input.cachedDigests);
}
