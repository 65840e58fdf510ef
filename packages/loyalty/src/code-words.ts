import { err, formatMoney, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  apiKeys,
  auditEntry,
  type CodeWord,
  codeWords,
  codeWordUses,
  type Db,
  type Deps,
  type OrgPrincipal,
  offers,
  patients,
  runBatch,
  type StaffRole,
  segments,
  staffRefusal,
} from '@gratia/db';
import { type RewardSpec, specOf, specProblem } from '@gratia/points';
import { and, desc, eq, getTableColumns, isNull, lt, sql } from 'drizzle-orm';

// Code words: a campaign word ("LAVENDER") that staff enter for a patient at the desk, and that gives
// what the campaign says (a discount on today's visit, bonus points or a gift voucher) within its
// window and limits, optionally only to a segment's members, optionally as one unique code per patient
// (code-word-codes.ts). Applying it (code-word-apply.ts) is exactly once per use, under concurrency.
// Owners and managers (and API keys) create and change campaigns; every clinic role reads them and
// applies them.

export const CODE_WORD_KEEPERS: readonly StaffRole[] = ['owner', 'manager'];

/** What staff type: letters and digits, 3 to 32, matched without regard to case or spaces. */
export const CODE_WORD = /^[A-Z0-9]{3,32}$/;
/** A patient's own code: the word, a hyphen and 4-6 unambiguous characters. */
export const PATIENT_CODE = /^([A-Z0-9]{3,32})-([A-Z0-9]{4,6})$/;
export const MAX_PER_PATIENT_LIMIT = 100;
export const MAX_TOTAL_LIMIT = 1_000_000;

/** A word or code as typed, as stored: upper case, without spaces. */
export const normaliseWord = (typed: string) => typed.normalize('NFKC').toUpperCase().replace(/\s+/g, '');

export type CodeWordStatus = 'scheduled' | 'active' | 'expired' | 'ended' | 'used_up';

export interface CodeWordView {
  id: string;
  word: string;
  description: string | null;
  reward: RewardSpec;
  /** The catalogue offer's title, for a voucher reward. */
  offerTitle: string | null;
  currency: string;
  validFrom: number;
  validUntil: number;
  totalLimit: number | null;
  perPatientLimit: number;
  segmentId: string | null;
  segmentName: string | null;
  perPatientCodes: boolean;
  uses: number;
  endedAt: number | null;
  createdAt: number;
  updatedAt: number;
  status: CodeWordStatus;
  /** What it gives, in words: "10% off today's visit". */
  gives: string;
}

export interface CodeWordUseView {
  id: string;
  patientId: string;
  firstName: string;
  lastName: string;
  seq: number;
  totalSeq: number;
  usedAt: number;
  rewardId: string | null;
  staffName: string | null;
}

/** What a reward gives, as the desk says it: "10% off today's visit", "200 bonus points". */
export function givesInWords(spec: RewardSpec, currency: string, offerTitle?: string | null): string {
  switch (spec.kind) {
    case 'points':
      return `${(spec.points ?? 0).toLocaleString('en-GB')} bonus points`;
    case 'discount_bps':
      return `${((spec.discountBps ?? 0) / 100).toLocaleString('en-GB')}% off today’s visit`;
    case 'discount_amount':
      return `${formatMoney(spec.discountAmount ?? 0, currency)} off today’s visit`;
    case 'voucher':
      return offerTitle ? `a gift voucher: ${offerTitle}` : 'a gift voucher';
  }
}

export const statusOf = (
  w: Pick<CodeWord, 'endedAt' | 'validFrom' | 'validUntil' | 'totalLimit' | 'uses'>,
  now: number,
): CodeWordStatus =>
  w.endedAt !== null
    ? 'ended'
    : now < w.validFrom
      ? 'scheduled'
      : now >= w.validUntil
        ? 'expired'
        : w.totalLimit !== null && w.uses >= w.totalLimit
          ? 'used_up'
          : 'active';

/** Code words with their offer's title and segment's name, as a batchable select. */
export const selectCodeWords = (db: Db) =>
  db
    .select({
      ...getTableColumns(codeWords),
      offerTitle: sql<string | null>`(select o.title from offers o where o.id = ${codeWords.offerId})`.as(
        'offer_title',
      ),
      segmentName: sql<string | null>`(select s.name from segments s
        where s.id = ${codeWords.segmentId} and s.clinic_id = ${codeWords.clinicId})`.as('segment_name'),
    })
    .from(codeWords);

export type CodeWordRow = Awaited<ReturnType<ReturnType<typeof selectCodeWords>['all']>>[number];

export const codeWordView = (r: CodeWordRow, now: number): CodeWordView => {
  const reward = specOf(r);
  return {
    id: r.id,
    word: r.word,
    description: r.description,
    reward,
    offerTitle: r.offerTitle,
    currency: r.currency,
    validFrom: r.validFrom,
    validUntil: r.validUntil,
    totalLimit: r.totalLimit,
    perPatientLimit: r.perPatientLimit,
    segmentId: r.segmentId,
    segmentName: r.segmentName,
    perPatientCodes: r.perPatientCodes,
    uses: r.uses,
    endedAt: r.endedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    status: statusOf(r, now),
    gives: givesInWords(reward, r.currency, r.offerTitle),
  };
};

export const ownCodeWord = (clinicId: string, id: string) =>
  and(eq(codeWords.id, id), eq(codeWords.clinicId, clinicId));

export const codeWordNotFound = (id: string): Refusal<'code_word_not_found'> => ({
  code: 'code_word_not_found',
  detail: `No code word ${id}`,
});

const liveKey = (keyId: string) =>
  sql`exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`;
const staffOfKey = (keyId: string) => sql`(select m.id from staff_members m where m.key_id = ${keyId})`;

// ---------------------------------------------------------------------------------------------------
// Creating a campaign

export interface CodeWordInput {
  clinic: OrgPrincipal;
  word: string;
  description?: string | null;
  reward: RewardSpec;
  /** Default: now. */
  validFrom?: number;
  validUntil: number;
  totalLimit?: number | null;
  /** Default 1. */
  perPatientLimit?: number;
  segmentId?: string | null;
  perPatientCodes?: boolean;
}

type Problems = { path: string; message: string }[];

const whole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** What is wrong with a campaign's fields, by path (empty: nothing). */
export function checkCodeWord(i: Omit<CodeWordInput, 'clinic'>, word: string, now: number): Problems {
  const errors: Problems = [];
  if (!CODE_WORD.test(word))
    errors.push({ path: 'word', message: 'letters and digits only, 3 to 32 of them (spaces are ignored)' });
  const reward = specProblem(i.reward);
  if (reward) errors.push({ path: `reward.${reward.path}`, message: reward.message });
  const from = i.validFrom ?? now;
  if (i.validUntil <= from) errors.push({ path: 'valid_until', message: 'must be after valid_from' });
  else if (i.validUntil <= now) errors.push({ path: 'valid_until', message: 'must be in the future' });
  if (i.totalLimit != null && !whole(i.totalLimit, 1, MAX_TOTAL_LIMIT))
    errors.push({ path: 'total_limit', message: `a whole number from 1 to ${MAX_TOTAL_LIMIT}` });
  if (i.perPatientLimit !== undefined && !whole(i.perPatientLimit, 1, MAX_PER_PATIENT_LIMIT))
    errors.push({ path: 'per_patient_limit', message: `a whole number from 1 to ${MAX_PER_PATIENT_LIMIT}` });
  if (
    i.totalLimit != null &&
    i.perPatientLimit !== undefined &&
    errors.length === 0 &&
    i.perPatientLimit > i.totalLimit
  )
    errors.push({ path: 'per_patient_limit', message: 'cannot be more than total_limit' });
  return errors;
}

/**
 * Creates a campaign, with an audit entry: one round trip reads the voucher's offer and the segment
 * (each must be usable), one writes (a word the clinic already has is refused by its UNIQUE index).
 */
export async function createCodeWord(
  deps: Deps,
  input: CodeWordInput,
): Promise<
  Result<
    CodeWordView,
    Refusal<'forbidden' | 'validation_failed' | 'segment_not_found' | 'code_word_taken' | 'unauthorized'>
  >
> {
  const refused = staffRefusal(input.clinic, CODE_WORD_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const { db } = deps;
  const now = deps.clock.now();
  const word = normaliseWord(input.word);
  const errors = checkCodeWord(input, word, now);
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The code word is not valid', errors });
  const clinicId = input.clinic.organizationId;
  const currency = input.clinic.organization.currency;
  const spec = input.reward;
  const offerId = spec.kind === 'voucher' ? (spec.offerId ?? '') : '';
  const segmentId = input.segmentId ?? null;
  const read = await runBatch(db, {
    offer: db
      .select({ active: offers.active, currency: offers.currency })
      .from(offers)
      .where(eq(offers.id, offerId)),
    segment: db
      .select({ id: segments.id })
      .from(segments)
      .where(
        and(eq(segments.id, segmentId ?? ''), eq(segments.clinicId, clinicId), isNull(segments.archivedAt)),
      ),
    taken: db
      .select({ id: codeWords.id })
      .from(codeWords)
      .where(and(eq(codeWords.clinicId, clinicId), eq(codeWords.word, word))),
  });
  if (spec.kind === 'voucher') {
    const offer = read.offer[0];
    const message = !offer
      ? 'no such offer in the catalogue'
      : !offer.active
        ? 'the offer is not active'
        : offer.currency !== currency
          ? `the offer is priced in ${offer.currency}, the clinic's currency is ${currency}`
          : null;
    if (message)
      return err({
        code: 'validation_failed',
        detail: 'The voucher’s offer cannot be given',
        errors: [{ path: 'reward.offer_id', message }],
      });
  }
  if (segmentId !== null && !read.segment[0])
    return err({ code: 'segment_not_found', detail: `No segment ${segmentId}` });
  if (read.taken[0])
    return err({ code: 'code_word_taken', detail: `The clinic already has the code word ${word}` });

  const id = newId('cwd', now);
  const keyId = input.clinic.keyId;
  const validFrom = input.validFrom ?? now;
  const perPatientLimit = input.perPatientLimit ?? 1;
  const totalLimit = input.totalLimit ?? null;
  const n = (v: number | null | undefined) => v ?? null;
  const out = await runBatch(db, {
    insert: db
      .insert(codeWords)
      .select(
        sql`select ${id}, ${clinicId}, ${word}, ${input.description ?? null}, ${spec.kind},
          ${spec.kind === 'points' ? n(spec.points) : null}, ${spec.kind === 'discount_bps' ? n(spec.discountBps) : null},
          ${spec.kind === 'discount_amount' ? n(spec.discountAmount) : null}, ${spec.kind === 'voucher' ? offerId : null},
          ${currency}, ${validFrom}, ${input.validUntil}, ${totalLimit}, ${perPatientLimit}, ${segmentId},
          ${input.perPatientCodes ? 1 : 0}, 0, null, ${staffOfKey(keyId)}, ${now}, ${now}
        where ${liveKey(keyId)}
          ${segmentId === null ? sql`` : sql`and exists (select 1 from segments s where s.id = ${segmentId} and s.clinic_id = ${clinicId} and s.archived_at is null)`}`,
      )
      .onConflictDoNothing(),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'code_word.create',
      subject: { type: 'code_word', id },
      detail: {
        word,
        reward: spec.kind,
        total_limit: totalLimit,
        per_patient_limit: perPatientLimit,
        per_patient_codes: input.perPatientCodes ?? false,
      },
      when: sql`exists (select 1 from code_words w where w.id = ${id})`,
      at: now,
    }),
    after: selectCodeWords(db).where(eq(codeWords.id, id)),
  });
  const row = out.after[0];
  if (row) return ok(codeWordView(row, now));
  // Not written: the word was taken meanwhile, the segment archived, or the key revoked.
  const again = await runBatch(db, {
    taken: db
      .select({ id: codeWords.id })
      .from(codeWords)
      .where(and(eq(codeWords.clinicId, clinicId), eq(codeWords.word, word))),
    key: db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt))),
  });
  if (again.taken[0])
    return err({ code: 'code_word_taken', detail: `The clinic already has the code word ${word}` });
  if (!again.key[0]) return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return err({ code: 'segment_not_found', detail: `No segment ${segmentId}` });
}

// ---------------------------------------------------------------------------------------------------
// Changing a campaign

export interface CodeWordChange {
  clinic: OrgPrincipal;
  id: string;
  description?: string | null;
  /** End it now: it no longer applies (for good). */
  end?: boolean;
  /** A later end of the window. */
  validUntil?: number;
  /** A new total limit (null: none), never below the uses so far. */
  totalLimit?: number | null;
  /** A higher per-patient limit. */
  perPatientLimit?: number;
}

/**
 * Changes a campaign: its description, ending it now, a later end, other limits (never below what was
 * used). One round trip reads it (the checks need its state), one writes the change guarded by that
 * state, with an audit entry naming what changed.
 */
export async function updateCodeWord(
  deps: Deps,
  input: CodeWordChange,
): Promise<
  Result<
    CodeWordView,
    Refusal<'forbidden' | 'validation_failed' | 'code_word_not_found' | 'code_word_ended' | 'unauthorized'>
  >
> {
  const refused = staffRefusal(input.clinic, CODE_WORD_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!isId('cwd', input.id)) return err(codeWordNotFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const [w] = await selectCodeWords(db).where(ownCodeWord(clinicId, input.id));
  if (!w) return err(codeWordNotFound(input.id));
  const changesTerms =
    input.end ||
    input.validUntil !== undefined ||
    input.totalLimit !== undefined ||
    input.perPatientLimit !== undefined;
  if (w.endedAt !== null && changesTerms)
    return err({ code: 'code_word_ended', detail: `${w.word} was ended; only its description can change` });
  const errors: Problems = [];
  if (input.validUntil !== undefined && input.validUntil <= w.validUntil)
    errors.push({ path: 'valid_until', message: 'may only be extended: later than the current end' });
  if (input.totalLimit != null) {
    if (!whole(input.totalLimit, 1, MAX_TOTAL_LIMIT))
      errors.push({ path: 'total_limit', message: `a whole number from 1 to ${MAX_TOTAL_LIMIT}` });
    else if (input.totalLimit < w.uses)
      errors.push({ path: 'total_limit', message: `already used ${w.uses} times: cannot be lower` });
  }
  if (input.perPatientLimit !== undefined) {
    if (!whole(input.perPatientLimit, 1, MAX_PER_PATIENT_LIMIT))
      errors.push({
        path: 'per_patient_limit',
        message: `a whole number from 1 to ${MAX_PER_PATIENT_LIMIT}`,
      });
    else if (input.perPatientLimit < w.perPatientLimit)
      errors.push({ path: 'per_patient_limit', message: `may only be raised (now ${w.perPatientLimit})` });
  }
  if (errors.length > 0) return err({ code: 'validation_failed', detail: 'The change is not valid', errors });

  const set: Partial<typeof codeWords.$inferInsert> = { updatedAt: now };
  const changed: string[] = [];
  if (input.description !== undefined) {
    set.description = input.description;
    changed.push('description');
  }
  if (input.end) {
    set.endedAt = now;
    changed.push('ended');
  }
  if (input.validUntil !== undefined) {
    set.validUntil = input.validUntil;
    changed.push('valid_until');
  }
  if (input.totalLimit !== undefined) {
    set.totalLimit = input.totalLimit;
    changed.push('total_limit');
  }
  if (input.perPatientLimit !== undefined) {
    set.perPatientLimit = input.perPatientLimit;
    changed.push('per_patient_limit');
  }
  // Nothing asked: nothing written, no entry.
  if (changed.length === 0) return ok(codeWordView(w, now));
  const keyId = input.clinic.keyId;
  // The state the checks read must still hold: not ended since, no use past the new total limit.
  const guard = and(
    ownCodeWord(clinicId, input.id),
    liveKey(keyId),
    changesTerms ? isNull(codeWords.endedAt) : undefined,
    input.totalLimit != null ? sql`${codeWords.uses} <= ${input.totalLimit}` : undefined,
  );
  const out = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: input.end ? 'code_word.end' : 'code_word.update',
      subject: { type: 'code_word', id: input.id },
      detail: { changed },
      when: sql`exists (select 1 from code_words where ${guard})`,
      at: now,
    }),
    update: db.update(codeWords).set(set).where(guard),
    after: selectCodeWords(db).where(eq(codeWords.id, input.id)),
  });
  const row = out.after[0];
  if (!row) return err(codeWordNotFound(input.id));
  if (row.updatedAt === now) return ok(codeWordView(row, now));
  if (row.endedAt !== null && changesTerms)
    return err({ code: 'code_word_ended', detail: `${w.word} was ended; only its description can change` });
  if (input.totalLimit != null && row.uses > input.totalLimit)
    return err({
      code: 'validation_failed',
      detail: 'The change is not valid',
      errors: [{ path: 'total_limit', message: `already used ${row.uses} times: cannot be lower` }],
    });
  return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}

// ---------------------------------------------------------------------------------------------------
// Reading campaigns

/** The clinic's campaigns, newest first, a page at a time (by id). One query. */
export async function listCodeWords(
  deps: Deps,
  input: { clinic: OrgPrincipal; before: string | null; limit: number },
): Promise<{ codeWords: CodeWordView[]; next: string | null }> {
  const now = deps.clock.now();
  const rows = await selectCodeWords(deps.db)
    .where(
      and(
        eq(codeWords.clinicId, input.clinic.organizationId),
        input.before ? lt(codeWords.id, input.before) : undefined,
      ),
    )
    .orderBy(desc(codeWords.id))
    .limit(input.limit + 1);
  const more = rows.length > input.limit;
  const kept = more ? rows.slice(0, input.limit) : rows;
  return { codeWords: kept.map((r) => codeWordView(r, now)), next: more ? kept[kept.length - 1]!.id : null };
}

export const LATEST_USES = 20;

/** A campaign and its latest uses (with the patients and who entered each), in one round trip. */
export async function getCodeWord(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; uses?: number },
): Promise<Result<{ codeWord: CodeWordView; uses: CodeWordUseView[] }, Refusal<'code_word_not_found'>>> {
  if (!isId('cwd', input.id)) return err(codeWordNotFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    word: selectCodeWords(db).where(ownCodeWord(clinicId, input.id)),
    uses: db
      .select({
        id: codeWordUses.id,
        patientId: codeWordUses.patientId,
        firstName: patients.firstName,
        lastName: patients.lastName,
        seq: codeWordUses.seq,
        totalSeq: codeWordUses.totalSeq,
        usedAt: codeWordUses.usedAt,
        rewardId: codeWordUses.rewardId,
        staffName: sql<
          string | null
        >`(select m.name from staff_members m where m.id = ${codeWordUses.staffId})`.as('staff_name'),
      })
      .from(codeWordUses)
      .innerJoin(patients, eq(patients.id, codeWordUses.patientId))
      .where(and(eq(codeWordUses.codeWordId, input.id), eq(codeWordUses.clinicId, clinicId)))
      .orderBy(desc(codeWordUses.totalSeq))
      .limit(input.uses ?? LATEST_USES),
  });
  const row = read.word[0];
  if (!row) return err(codeWordNotFound(input.id));
  return ok({ codeWord: codeWordView(row, now), uses: read.uses });
}

export interface OffersHome {
  codeWords: CodeWordView[];
  next: string | null;
  /** Active catalogue offers in the clinic's currency: what a voucher reward may give. */
  offers: { id: string; title: string }[];
  /** The clinic's live segments: who a campaign may be limited to. */
  segments: { id: string; name: string }[];
}

/** The console's Offers home: a page of campaigns, and what the create form offers, in one round trip. */
export async function readOffersHome(
  deps: Deps,
  input: { clinic: OrgPrincipal; before: string | null; limit: number },
): Promise<OffersHome> {
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    words: selectCodeWords(db)
      .where(and(eq(codeWords.clinicId, clinicId), input.before ? lt(codeWords.id, input.before) : undefined))
      .orderBy(desc(codeWords.id))
      .limit(input.limit + 1),
    offers: db
      .select({ id: offers.id, title: offers.title })
      .from(offers)
      .where(and(eq(offers.active, true), eq(offers.currency, input.clinic.organization.currency)))
      .orderBy(offers.title)
      .limit(200),
    segments: db
      .select({ id: segments.id, name: segments.name })
      .from(segments)
      .where(and(eq(segments.clinicId, clinicId), isNull(segments.archivedAt)))
      .orderBy(segments.name)
      .limit(100),
  });
  const more = read.words.length > input.limit;
  const kept = more ? read.words.slice(0, input.limit) : read.words;
  return {
    codeWords: kept.map((r) => codeWordView(r, now)),
    next: more ? kept[kept.length - 1]!.id : null,
    offers: read.offers,
    segments: read.segments,
  };
}
