import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type AuthRefusal,
  auditEntry,
  type Caller,
  type Deps,
  patients,
  runAsCaller,
  runBatch,
} from '@gratia/db';
import { checkPhoto } from '@gratia/network';
import { and, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';

// The holder's photo on a named card (issue 13): the patient adds it on their card page, and a partner
// who takes the card's points sees it at the counter, so the counter can tell the card is the holder's
// (named cards are not transferable). One image per card, checked by its bytes like an offer's photo
// (JPEG, PNG or WebP, at most 2 MB), kept in R2 (CARD_PHOTOS) under the patient and the SHA-256 of the
// bytes, and named on the patient's row (card_photo_key): the row decides what is served, so an object
// no row names (a replaced photo whose delete failed) is never shown. Written by the patient on their
// signed link: the audit entry's actor is 'patient'.

type PhotoRefusal = Refusal<'validation_failed' | 'photo_too_large' | 'unsupported_image'>;
type NotFound = Refusal<'patient_not_found'>;

const notFound = (id: string): NotFound => ({ code: 'patient_not_found', detail: `No patient ${id}` });

const photoKey = (patientId: string, digest: string) => `cards/${patientId}/${digest}`;

async function dropObject(deps: Deps, store: R2Bucket, key: string) {
  try {
    await store.delete(key);
  } catch (e) {
    deps.log({ level: 'error', event: 'card_photo_delete_failed', key, error: String(e) });
  }
}

/** Sets (or replaces) the card's photo. The same bytes again change nothing. */
export async function setCardPhoto(
  deps: Deps,
  input: { patientId: string; photo: Uint8Array; store: R2Bucket },
): Promise<Result<{ replaced: boolean }, PhotoRefusal | NotFound>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const checked = await checkPhoto(input.photo);
  if (!checked.ok) return checked;
  const { type, digest } = checked.value;
  const { db } = deps;
  const now = deps.clock.now();
  const key = photoKey(input.patientId, digest);
  await input.store.put(key, input.photo, { httpMetadata: { contentType: type }, sha256: digest });
  const mine = eq(patients.id, input.patientId);
  const done = await runBatch(db, {
    before: db.select({ photoKey: patients.cardPhotoKey }).from(patients).where(mine),
    update: db
      .update(patients)
      .set({ cardPhotoKey: key, updatedAt: now })
      .where(and(mine, or(isNull(patients.cardPhotoKey), ne(patients.cardPhotoKey, key)))),
    audit: auditEntry(db, {
      actor: 'patient',
      organizationId: sql`(select p.clinic_id from patients p where p.id = ${input.patientId})`,
      action: 'patient.set_card_photo',
      subject: { type: 'patient', id: input.patientId },
      patientId: input.patientId,
      detail: { type, bytes: input.photo.byteLength },
      when: sql`exists (select 1 from patients p where p.id = ${input.patientId} and p.card_photo_key = ${key} and p.updated_at = ${now})`,
      at: now,
    }),
    after: db.select({ photoKey: patients.cardPhotoKey }).from(patients).where(mine),
  });
  if (!done.after[0]) {
    await dropObject(deps, input.store, key);
    return err(notFound(input.patientId));
  }
  const replaced = done.before[0]?.photoKey;
  if (replaced && replaced !== key) await dropObject(deps, input.store, replaced);
  return ok({ replaced: Boolean(replaced) });
}

/** Removes the card's photo (nothing to remove: nothing changes, no audit entry). */
export async function removeCardPhoto(
  deps: Deps,
  input: { patientId: string; store: R2Bucket },
): Promise<Result<{ removed: boolean }, NotFound>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const now = deps.clock.now();
  const mine = eq(patients.id, input.patientId);
  const guard = and(mine, isNotNull(patients.cardPhotoKey));
  const done = await runBatch(db, {
    before: db.select({ photoKey: patients.cardPhotoKey }).from(patients).where(mine),
    // Before the update, under the update's own guard (it leaves no mark of its own).
    audit: auditEntry(db, {
      actor: 'patient',
      organizationId: sql`(select p.clinic_id from patients p where p.id = ${input.patientId})`,
      action: 'patient.remove_card_photo',
      subject: { type: 'patient', id: input.patientId },
      patientId: input.patientId,
      when: sql`exists (select 1 from patients p where p.id = ${input.patientId} and p.card_photo_key is not null)`,
      at: now,
    }),
    update: db.update(patients).set({ cardPhotoKey: null, updatedAt: now }).where(guard),
  });
  const before = done.before[0];
  if (!before) return err(notFound(input.patientId));
  if (before.photoKey) await dropObject(deps, input.store, before.photoKey);
  return ok({ removed: before.photoKey !== null });
}

/** The card's photo as stored (the row names it), or null. */
export async function readCardPhoto(
  deps: Deps,
  input: { patientId: string; store: R2Bucket },
): Promise<R2ObjectBody | null> {
  if (!isId('pat', input.patientId)) return null;
  const [row] = await deps.db
    .select({ key: patients.cardPhotoKey })
    .from(patients)
    .where(eq(patients.id, input.patientId));
  return row?.key ? input.store.get(row.key) : null;
}

/** Who holds a card, as the partner's counter shows it (any partner of the network may take its points). */
export interface CardHolder {
  cardNumber: string;
  firstName: string;
  lastName: string;
  clinicName: string;
  /** The R2 key of the holder's photo, or null. */
  photoKey: string | null;
}

/**
 * A card's holder for a signed-in partner (the caller is settled in the same batch: a revoked or locked
 * key reads nothing). Partners are network-wide: a card of any clinic may be presented at any partner's
 * counter, so any partner may see its holder's name and photo, and only while a card number is typed
 * or scanned. Null for an unknown card.
 */
export async function readCardHolder(
  deps: Deps,
  input: { caller: Caller; cardNumber: string },
): Promise<Result<CardHolder | null, AuthRefusal>> {
  const cardNumber = /^\d{16}$/.test(input.cardNumber) ? input.cardNumber : '';
  const run = await runAsCaller(deps, input.caller, ['partner'], {
    holder: deps.db
      .select({
        firstName: patients.firstName,
        lastName: patients.lastName,
        photoKey: patients.cardPhotoKey,
        clinicName: sql<string>`(select o.name from organizations o where o.id = ${patients.clinicId})`.as(
          'holder_clinic_name',
        ),
      })
      .from(patients)
      .where(eq(patients.cardNumber, cardNumber)),
  });
  if (!run.ok) return run;
  const row = run.value.results.holder[0];
  return ok(row ? { cardNumber, ...row } : null);
}
