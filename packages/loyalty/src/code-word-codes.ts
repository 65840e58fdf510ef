import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  codeWordCodes,
  codeWords,
  type Deps,
  type OrgPrincipal,
  patients,
  runBatch,
  staffRefusal,
} from '@gratia/db';
import { MEMBER_FROM, meetsRules } from '@gratia/insight';
import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import { CODE_WORD_KEEPERS, codeWordNotFound, ownCodeWord } from './code-words';

// One unique code per patient for a campaign that takes them ("LAVENDER-7K3Q": the word, a hyphen and
// five characters without look-alikes), for the patients of its segment or every patient of the
// clinic. Generated in slices (500 patients a call, resumable: the answer says how many remain), each
// slice one INSERT ... SELECT that draws the characters in SQL; a code that collides with one the
// clinic already has (PRIMARY KEY (clinic, code)) is skipped and that patient is simply still waiting
// for the next call. The codes go out by the clinic's own means for now (CSV); issue 13 sends them.

export const CODES_SLICE = 500;
/** Characters no one confuses when reading a code aloud or off a screen: no 0/O, 1/I/L. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_SUFFIX_LENGTH = 5;

const suffix = () => {
  const n = CODE_ALPHABET.length;
  const one = sql`substr(${CODE_ALPHABET}, (abs(random()) % ${n}) + 1, 1)`;
  return sql.join(
    Array.from({ length: CODE_SUFFIX_LENGTH }, () => one),
    sql` || `,
  );
};

/** The patients a campaign's codes are for: its segment's members (or every patient), still without one. */
const waiting = (clinicId: string, id: string, now: number) => sql`p.clinic_id = ${clinicId}
  and not exists (select 1 from code_word_codes c where c.code_word_id = ${id} and c.patient_id = p.id)
  and (w.segment_id is null or exists (select 1 from segments s where s.id = w.segment_id
    and s.clinic_id = w.clinic_id and s.archived_at is null and ${meetsRules(sql`s.rules`, now)}))`;

export interface CodesGenerated {
  /** Codes made by this call. */
  generated: number;
  /** Codes the campaign has now. */
  codes: number;
  /** Patients still without a code: call again while above 0. */
  remaining: number;
}

/**
 * Makes the next slice of codes of a campaign that takes codes per patient, with an audit entry: one
 * round trip reads the campaign, one writes the slice and counts what is done and what remains.
 */
export async function generateCodeWordCodes(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; slice?: number },
): Promise<
  Result<
    CodesGenerated,
    Refusal<
      'forbidden' | 'code_word_not_found' | 'code_word_not_per_patient' | 'code_word_ended' | 'unauthorized'
    >
  >
> {
  const refused = staffRefusal(input.clinic, CODE_WORD_KEEPERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!isId('cwd', input.id)) return err(codeWordNotFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const keyId = input.clinic.keyId;
  const read = await runBatch(db, {
    word: db.select().from(codeWords).where(ownCodeWord(clinicId, input.id)),
    codes: db.select({ n: count() }).from(codeWordCodes).where(eq(codeWordCodes.codeWordId, input.id)),
  });
  const w = read.word[0];
  if (!w) return err(codeWordNotFound(input.id));
  if (!w.perPatientCodes)
    return err({
      code: 'code_word_not_per_patient',
      detail: `${w.word} takes the word itself, not codes per patient`,
    });
  if (w.endedAt !== null) return err({ code: 'code_word_ended', detail: `${w.word} was ended` });
  const before = read.codes[0]?.n ?? 0;
  const live = sql`w.ended_at is null and exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`;
  const codesNow = sql<number>`(select count(*) from code_word_codes c where c.code_word_id = ${input.id})`;
  const done = await runBatch(db, {
    slice: db
      .insert(codeWordCodes)
      .select(
        sql`select ${w.word} || '-' || ${suffix()}, p.clinic_id, w.id, p.id, ${now}
          from code_words w, ${MEMBER_FROM}
          where w.id = ${input.id} and w.clinic_id = ${clinicId} and ${live} and ${waiting(clinicId, input.id, now)}
          order by p.id limit ${input.slice ?? CODES_SLICE}`,
      )
      .onConflictDoNothing(),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'code_word.codes',
      subject: { type: 'code_word', id: input.id },
      detail: sql`json_object('codes', ${codesNow}, 'before', ${before})`,
      when: sql`${codesNow} > ${before}`,
      at: now,
    }),
    after: db
      .select({
        codes: sql<number>`${codesNow}`.as('codes'),
        remaining:
          sql<number>`(select count(*) from ${MEMBER_FROM} where ${waiting(clinicId, input.id, now)})`.as(
            'remaining',
          ),
        ended: sql<number>`w.ended_at is not null`.as('ended'),
        key: sql<number>`exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`.as(
          'key',
        ),
      })
      .from(sql`code_words w`)
      .where(sql`w.id = ${input.id}`),
  });
  const after = done.after[0];
  if (!after) return err(codeWordNotFound(input.id));
  if (!after.key) return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  if (after.ended) return err({ code: 'code_word_ended', detail: `${w.word} was ended` });
  return ok({ generated: Math.max(0, after.codes - before), codes: after.codes, remaining: after.remaining });
}

export interface PatientCode {
  patientId: string;
  code: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  email: string | null;
  consentEmail: boolean;
  consentSms: boolean;
}

/**
 * A page of a campaign's codes by patient id (code_word_codes_patient_unique in order), with what
 * sending them needs. The campaign must be the clinic's (one round trip: it and the page).
 */
export async function listCodeWordCodes(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; after: string | null; limit: number },
): Promise<
  Result<{ word: string; codes: PatientCode[]; next: string | null }, Refusal<'code_word_not_found'>>
> {
  if (!isId('cwd', input.id)) return err(codeWordNotFound(input.id));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    word: db.select({ word: codeWords.word }).from(codeWords).where(ownCodeWord(clinicId, input.id)),
    codes: db
      .select({
        patientId: codeWordCodes.patientId,
        code: codeWordCodes.code,
        firstName: patients.firstName,
        lastName: patients.lastName,
        phone: patients.phone,
        email: patients.email,
        consentEmail: patients.consentEmail,
        consentSms: patients.consentSms,
      })
      .from(codeWordCodes)
      .innerJoin(patients, eq(patients.id, codeWordCodes.patientId))
      .where(
        and(
          eq(codeWordCodes.codeWordId, input.id),
          eq(codeWordCodes.clinicId, clinicId),
          input.after ? gt(codeWordCodes.patientId, input.after) : undefined,
        ),
      )
      .orderBy(asc(codeWordCodes.patientId))
      .limit(input.limit + 1),
  });
  const w = read.word[0];
  if (!w) return err(codeWordNotFound(input.id));
  const more = read.codes.length > input.limit;
  const codes = more ? read.codes.slice(0, input.limit) : read.codes;
  return ok({ word: w.word, codes, next: more ? codes[codes.length - 1]!.patientId : null });
}
