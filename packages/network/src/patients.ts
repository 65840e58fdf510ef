import {
  err,
  isId,
  newCardNumber,
  newId,
  normalizeCardNumber,
  normalizeReferralCode,
  ok,
  type Refusal,
  type Result,
  sharedContact,
} from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type ConsentChannel,
  type ConsentEvent,
  consentEvents,
  type Db,
  type Deps,
  jobState,
  type OrgPrincipal,
  type Patient,
  type PatientLocale,
  patientSearchTerms,
  patients,
  referralCodes,
  referrals,
  runBatch,
} from '@gratia/db';
import { and, asc, eq, getTableColumns, gt, type SQL, sql } from 'drizzle-orm';

// A clinic's patients and their coalition card: register, read, search, update. Consent is recorded
// as history (who, when, from what source) in the same batch as the change it describes.

export interface PatientFields {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
  tags: string[];
  notes: string | null;
  /** The language the patient reads (messages and pages); 'en' when not said. */
  locale?: PatientLocale;
  /** The patient's IANA timezone (quiet hours, dates); null: the clinic's. */
  timezone?: string | null;
}

export interface ConsentInput {
  email?: boolean;
  sms?: boolean;
  /** Where the consent was given ("paper_form", "front_desk"...); "api" when not said. */
  source?: string;
  /** The words the patient was shown for each channel (CONSENT_WORDING, where the console showed it). */
  wording?: Partial<Record<ConsentChannel, string>>;
  /** Which version of that wording (CONSENT_WORDING_VERSION for the console's). */
  wordingVersion?: string;
}

/** Lower-cased name, e-mail and phone: what the clinic's search box matches. */
export function searchText(p: Pick<PatientFields, 'firstName' | 'lastName' | 'email' | 'phone'>): string {
  return [p.firstName, p.lastName, p.email ?? '', p.phone ?? ''].join(' ').toLowerCase();
}

/** Lower case without accents: how names are kept as search terms and how a search is read. */
const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
const digits = (s: string) => s.replace(/\D/g, '');

/**
 * The words a patient is found by: each word of the name, the e-mail and its local part, the phone's
 * digits and their tails. A search matches the start of any of them.
 */
export function searchTerms(p: Pick<PatientFields, 'firstName' | 'lastName' | 'email' | 'phone'>): string[] {
  const name = fold(`${p.firstName} ${p.lastName}`);
  // Each part of a name ("anna", "lena", "o", "brien"), and each word whole without its hyphens or
  // apostrophes ("annalena", "obrien"), so "O'Brien", "obr" and "Lena" all find her.
  const terms = new Set(name.split(/[\s'’-]+/));
  for (const word of name.split(/\s+/)) terms.add(word.replace(/['’-]/g, ''));
  if (p.email) {
    const email = fold(p.email);
    terms.add(email);
    terms.add(email.slice(0, email.indexOf('@')));
  }
  // Every tail of the phone's digits (4 or more), so a number is found with or without its country
  // code: "+49 170 1234567" by "49170...", "170 1234567" or "4567".
  const phone = p.phone ? digits(p.phone) : '';
  for (let i = 0; i <= phone.length - 4; i++) terms.add(phone.slice(i));
  terms.delete('');
  return [...terms].slice(0, MAX_TERMS).map((t) => t.slice(0, 120));
}

/** At most this many terms a patient (a name of many words is cut there). */
const MAX_TERMS = 40;
/** Term rows per INSERT: three parameters each, under D1's 100 bound parameters per statement. */
const TERMS_PER_STATEMENT = 30;

/** The statements inserting a patient's terms, at most TERMS_PER_STATEMENT rows each. */
function termInserts(db: Db, clinicId: string, patientId: string, terms: string[]) {
  const out = [];
  for (let i = 0; i < terms.length; i += TERMS_PER_STATEMENT)
    out.push(
      db
        .insert(patientSearchTerms)
        .values(terms.slice(i, i + TERMS_PER_STATEMENT).map((term) => ({ clinicId, term, patientId })))
        .onConflictDoNothing(),
    );
  return out;
}

/** Replaces a patient's search terms, if the row now has `text` as its search text (the change applied). */
function replaceTerms(db: Db, row: { clinicId: string; patientId: string; text: string }, terms: string[]) {
  const applied = sql`exists (select 1 from patients x where x.id = ${row.patientId} and x.search_text = ${row.text})`;
  return [
    db.delete(patientSearchTerms).where(and(eq(patientSearchTerms.patientId, row.patientId), applied)),
    ...terms.map((term) =>
      db
        .insert(patientSearchTerms)
        .select(sql`select ${row.clinicId}, ${term}, ${row.patientId} where ${applied}`)
        .onConflictDoNothing(),
    ),
  ];
}

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});
const CARD_ATTEMPTS = 3;

export interface RegisterPatientInput {
  clinic: OrgPrincipal;
  patient: PatientFields;
  consent?: ConsentInput;
}

export async function registerPatient(deps: Deps, input: RegisterPatientInput): Promise<Patient> {
  return register(deps, input, null);
}

export type ReferralCodeRefusal = Refusal<'referral_code_unknown' | 'self_referral'>;

/**
 * Registers a patient who was referred with another patient's code (issue 12: referrals): the code
 * must be one of this clinic's patients', and not the new patient's own person (the same e-mail or
 * phone: `self_referral`). One read of the referrer, then the registration's own batch, which also
 * writes the referral (one per referred patient), guarded on the code still being the clinic's. Without
 * a code it is `registerPatient`.
 */
export async function registerPatientWithReferral(
  deps: Deps,
  input: RegisterPatientInput & { referralCode?: string | null },
): Promise<Result<Patient, ReferralCodeRefusal>> {
  if (input.referralCode === undefined || input.referralCode === null)
    return ok(await register(deps, input, null));
  const code = normalizeReferralCode(input.referralCode);
  const unknown: ReferralCodeRefusal = {
    code: 'referral_code_unknown',
    detail: 'No patient of this clinic has that referral code',
    errors: [{ path: 'referral_code', message: 'is not the code of a patient of this clinic' }],
  };
  if (!code) return err(unknown);
  const { db } = deps;
  const [referrer] = await db
    .select({ id: patients.id, email: patients.email, phone: patients.phone })
    .from(referralCodes)
    .innerJoin(patients, eq(patients.id, referralCodes.patientId))
    .where(and(eq(referralCodes.code, code), eq(referralCodes.clinicId, input.clinic.organizationId)));
  if (!referrer) return err(unknown);
  const same = sharedContact(input.patient, referrer);
  if (same)
    return err({
      code: 'self_referral',
      detail: `The code belongs to a patient with the same ${same === 'email' ? 'e-mail address' : 'phone number'}: a patient cannot refer themselves`,
      errors: [
        {
          path: 'referral_code',
          message: `belongs to a patient with the same ${same === 'email' ? 'e-mail' : 'phone'}`,
        },
      ],
    });
  return ok(await register(deps, input, { code, referrerId: referrer.id }));
}

async function register(
  deps: Deps,
  input: RegisterPatientInput,
  referral: { code: string; referrerId: string } | null,
): Promise<Patient> {
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('pat', now);
  const referralId = newId('ref', now);
  const consent = input.consent;
  const base = {
    ...input.patient,
    id,
    clinicId: input.clinic.organizationId,
    consentEmail: consent?.email ?? false,
    consentSms: consent?.sms ?? false,
    searchText: searchText(input.patient),
    createdAt: now,
    updatedAt: now,
  };
  const events = (['email', 'sms'] as const)
    .filter((ch) => consent?.[ch] !== undefined)
    .map((ch) => ({
      id: newId('cns', now),
      patientId: id,
      channel: ch,
      granted: consent![ch]!,
      source: consent?.source ?? 'api',
      apiKeyId: input.clinic.keyId,
      recordedAt: now,
      wording: consent?.wording?.[ch] ?? null,
      wordingVersion: consent?.wording?.[ch] ? (consent.wordingVersion ?? null) : null,
    }));
  // A card-number collision (1 in 10^14 per pair) is retried with a fresh number, never surfaced.
  for (let attempt = 1; ; attempt++) {
    try {
      const done = await runBatch(db, {
        patient: db
          .insert(patients)
          .values({ ...base, cardNumber: newCardNumber() })
          .returning(),
        terms: termInserts(db, base.clinicId, id, searchTerms(input.patient)),
        ...(events.length ? { consent: db.insert(consentEvents).values(events) } : {}),
        // The referral, from the code as it stands now (still this clinic's patient's).
        ...(referral
          ? {
              referral: db.insert(referrals).select(
                sql`select ${referralId}, ${base.clinicId}, rc.patient_id, ${id}, rc.code, ${now}, null, null
                  from referral_codes rc
                  where rc.code = ${referral.code} and rc.clinic_id = ${base.clinicId} and rc.patient_id <> ${id}`,
              ),
            }
          : {}),
        audit: auditEntry(db, {
          actor: actorOf(input.clinic),
          organizationId: base.clinicId,
          action: 'patient.register',
          subject: { type: 'patient', id },
          patientId: id,
          ...(referral ? { detail: { referred_by: referral.referrerId } } : {}),
          at: now,
        }),
      });
      return done.patient[0]!;
    } catch (e) {
      if (attempt >= CARD_ATTEMPTS || !String((e as Error).message).includes('card_number')) throw e;
    }
  }
}

export async function readPatient(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<{ patient: Patient; consentHistory: ConsentEvent[] }, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  // One round trip: the patient (only if it is this clinic's) and its consent history. The history
  // selects only its own columns: D1 batch rows are keyed by column name, so both tables' `id` would
  // collide.
  const read = await runBatch(db, {
    patient: db
      .select()
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
    history: db
      .select(getTableColumns(consentEvents))
      .from(consentEvents)
      .innerJoin(patients, eq(patients.id, consentEvents.patientId))
      .where(and(eq(consentEvents.patientId, input.patientId), eq(patients.clinicId, clinicId)))
      // Insertion order breaks ties within a millisecond: the history reads as it was written.
      .orderBy(asc(consentEvents.recordedAt), asc(sql`${consentEvents}.rowid`)),
  });
  const patient = read.patient[0];
  return patient ? ok({ patient, consentHistory: read.history }) : err(notFound(input.patientId));
}

/** Just past every string that starts with `prefix` (binary order): the top of a prefix range. */
const prefixEnd = (prefix: string) => `${prefix}\u{10FFFF}`;

/**
 * A card number (exactly, spaces allowed), or words each matching the start of a word of the name, the
 * e-mail or the phone's digits: a range seek on (clinic, term) per word, so rows read follow the hits.
 */
function searchCondition(clinicId: string, q: string): SQL {
  const card = normalizeCardNumber(q);
  if (/^\d{16}$/.test(card)) return eq(patients.cardNumber, card);
  // A phone number as typed at the desk: digits only, and without a national trunk prefix ("0170...").
  // An e-mail address is one word (it may hold hyphens: anna-lena@t-online.de).
  const phone = q.replace(/[\s()+./-]/g, '');
  const trimmed = q.trim();
  const words = /^\d{4,}$/.test(phone)
    ? [trimmed.startsWith('+') ? phone : phone.replace(/^0+/, '')].filter((w) => w.length >= 4)
    : trimmed.includes('@')
      ? [fold(trimmed)]
      : fold(q)
          .split(/[\s'’-]+/)
          .filter(Boolean)
          .slice(0, 5);
  if (words.length === 0) return sql`0`;
  const match = (alias: string, w: string) =>
    sql`${sql.raw(alias)}.clinic_id = ${clinicId} and ${sql.raw(alias)}.term >= ${w} and ${sql.raw(alias)}.term < ${prefixEnd(w)}`;
  const [first, ...rest] = words as [string, ...string[]];
  const others = rest.map(
    (w, i) =>
      sql`and exists (select 1 from patient_search_terms ${sql.raw(`t${i + 2}`)}
        where ${match(`t${i + 2}`, w)} and ${sql.raw(`t${i + 2}`)}.patient_id = t.patient_id)`,
  );
  return sql`${patients.id} in (select t.patient_id from patient_search_terms t where ${match('t', first)} ${sql.join(others, sql` `)})`;
}

export async function listPatients(
  deps: Deps,
  input: { clinic: OrgPrincipal; q?: string; after?: string; limit: number },
): Promise<Patient[]> {
  return deps.db
    .select()
    .from(patients)
    .where(
      and(
        eq(patients.clinicId, input.clinic.organizationId),
        input.after ? gt(patients.id, input.after) : undefined,
        input.q ? searchCondition(input.clinic.organizationId, input.q) : undefined,
      ),
    )
    .orderBy(asc(patients.id))
    .limit(input.limit);
}

export type PatientChanges = Partial<PatientFields> & { consent?: ConsentInput };

/** The names of the fields a change sets (API spelling), for the audit trail: never their values. */
function changedFields(b: PatientChanges): string[] {
  const names: Record<keyof PatientFields, string> = {
    firstName: 'first_name',
    lastName: 'last_name',
    email: 'email',
    phone: 'phone',
    birthDate: 'birth_date',
    tags: 'preferences.tags',
    notes: 'preferences.notes',
    locale: 'locale',
    timezone: 'timezone',
  };
  const fields = (Object.keys(names) as (keyof PatientFields)[])
    .filter((k) => b[k] !== undefined)
    .map((k) => names[k]);
  for (const ch of ['email', 'sms'] as const) if (b.consent?.[ch] !== undefined) fields.push(`consent.${ch}`);
  return fields;
}

/** How many times a name or contact change re-reads after losing a race to a concurrent one. */
const UPDATE_ATTEMPTS = 8;

/**
 * Updates a patient in one guarded batch. Consent needs no read: each consent event is inserted from
 * the row itself, only if the row's value differs, in the same batch as the update that sets it, so
 * concurrent updates can never leave the history disagreeing with the row (and re-sending the consent
 * in force records nothing). A change of name or contact also rewrites the search text, computed from
 * the row as read: that batch applies only if those fields are still what was read; the loser of a
 * race re-reads and applies on top of the winner.
 */
export async function updatePatient(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; changes: PatientChanges },
): Promise<Result<Patient, Refusal<'patient_not_found' | 'concurrent_update'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const b = input.changes;
  const mine = and(eq(patients.id, input.patientId), eq(patients.clinicId, input.clinic.organizationId));
  const searchable =
    b.firstName !== undefined || b.lastName !== undefined || b.email !== undefined || b.phone !== undefined;
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    const [current] = searchable ? await db.select().from(patients).where(mine) : [undefined];
    if (searchable && !current) return err(notFound(input.patientId));
    const now = deps.clock.now();
    const set: Partial<typeof patients.$inferInsert> = {
      ...(b.firstName !== undefined && { firstName: b.firstName }),
      ...(b.lastName !== undefined && { lastName: b.lastName }),
      ...(b.email !== undefined && { email: b.email }),
      ...(b.phone !== undefined && { phone: b.phone }),
      ...(b.birthDate !== undefined && { birthDate: b.birthDate }),
      ...(b.tags !== undefined && { tags: b.tags }),
      ...(b.notes !== undefined && { notes: b.notes }),
      ...(b.locale !== undefined && { locale: b.locale }),
      ...(b.timezone !== undefined && { timezone: b.timezone }),
      ...(b.consent?.email !== undefined && { consentEmail: b.consent.email }),
      ...(b.consent?.sms !== undefined && { consentSms: b.consent.sms }),
      ...(b.consent?.email === false && { consentEmailService: false }),
      ...(b.consent?.sms === false && { consentSmsService: false }),
      updatedAt: now,
    };
    // The row as this change saw it, when the search text is derived from it.
    let guard = mine;
    let terms: ReturnType<typeof replaceTerms> = [];
    if (current) {
      const fields = {
        firstName: b.firstName ?? current.firstName,
        lastName: b.lastName ?? current.lastName,
        email: b.email === undefined ? current.email : b.email,
        phone: b.phone === undefined ? current.phone : b.phone,
      };
      set.searchText = searchText(fields);
      terms = replaceTerms(
        db,
        { clinicId: current.clinicId, patientId: current.id, text: set.searchText },
        searchTerms(fields),
      );
      guard = and(
        mine,
        eq(patients.firstName, current.firstName),
        eq(patients.lastName, current.lastName),
        sql`${patients.email} is ${current.email}`,
        sql`${patients.phone} is ${current.phone}`,
      );
    }
    const history = (['email', 'sms'] as const)
      .filter((ch) => b.consent?.[ch] !== undefined)
      .map((channel) => {
        const granted = b.consent![channel]!;
        const column = channel === 'email' ? patients.consentEmail : patients.consentSms;
        // A withdrawal withdraws the service-only consent too (scope `all`).
        const service = channel === 'email' ? patients.consentEmailService : patients.consentSmsService;
        return db.insert(consentEvents).select(
          sql`select ${newId('cns', now)}, ${patients.id}, ${channel}, ${granted}, ${b.consent?.source ?? 'api'},
            ${input.clinic.keyId}, ${now}, ${b.consent?.wording?.[channel] ?? null},
            ${b.consent?.wording?.[channel] ? (b.consent.wordingVersion ?? null) : null}, 'all'
            from ${patients} where ${guard} and (${column} <> ${granted} or (not ${granted} and ${service} = 1))`,
        );
      });
    const done = await runBatch(db, {
      history,
      // Before the update, on its own guard: an update that loses a race (or finds no patient of this
      // clinic) records nothing.
      audit: auditEntry(db, {
        actor: actorOf(input.clinic),
        organizationId: input.clinic.organizationId,
        action: 'patient.update',
        subject: { type: 'patient', id: input.patientId },
        patientId: input.patientId,
        detail: { fields: changedFields(b) },
        when: sql`exists (select 1 from ${patients} where ${guard})`,
        at: now,
      }),
      update: db.update(patients).set(set).where(guard).returning(),
      terms,
    });
    const updated = done.update[0];
    if (updated) return ok(updated);
    if (!current) return err(notFound(input.patientId));
  }
  return err({
    code: 'concurrent_update',
    detail: 'The patient was being changed by others at the same moment; send the change again',
  });
}

const BACKFILL = 'patient_search_terms';
/** Patients one run of the search-term backfill indexes. */
const BACKFILL_SLICE = 200;

/**
 * Writes the search terms of patients registered before terms existed, with the same `searchTerms`
 * as registration, a slice per cron run, resuming from where the last run stopped (job_state). Once it
 * has walked every patient it records `done` and costs one read per run from then on.
 */
export async function backfillPatientSearchTerms(deps: Deps): Promise<number> {
  const { db } = deps;
  const [state] = await db.select().from(jobState).where(eq(jobState.name, BACKFILL));
  if (state?.cursor === 'done') return 0;
  const after = state?.cursor ?? '';
  const rows = await db
    .select()
    .from(patients)
    .where(gt(patients.id, after))
    .orderBy(asc(patients.id))
    .limit(BACKFILL_SLICE);
  const last = rows[rows.length - 1];
  const cursor = rows.length < BACKFILL_SLICE || !last ? 'done' : last.id;
  await runBatch(db, {
    terms: rows.flatMap((p) => termInserts(db, p.clinicId, p.id, searchTerms(p))),
    state: db
      .insert(jobState)
      .values({ name: BACKFILL, cursor, updatedAt: deps.clock.now() })
      .onConflictDoUpdate({ target: jobState.name, set: { cursor, updatedAt: deps.clock.now() } }),
  });
  return rows.length;
}
