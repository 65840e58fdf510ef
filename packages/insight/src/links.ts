import {
  base64url,
  DAY_MS,
  err,
  isId,
  newId,
  ok,
  type Refusal,
  type Result,
  timingSafeEqual,
} from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type MessageChannel,
  messages,
  type OrgPrincipal,
  organizations,
  type PatientLink,
  type PatientLinkPurpose,
  type PatientLocale,
  patientLinks,
  patients,
  runBatch,
} from '@gratia/db';
import { messageInsert } from '@gratia/messaging';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';

// A patient's personal links: `/q/<token>` to answer the clinic's questionnaire, `/s/<token>` to answer
// a satisfaction survey. No account: the token is the patient's proof. It is
// `<link id>.<signature>`, an HMAC-SHA-256 (deps.config.linkSecret) over the id and the purpose, so a
// forged, altered or other-purpose token is refused before any database read; the row it names holds
// the one patient it is for and its expiry, checked in the same query that reads it. Opening it counts (the
// patient's engagement); a survey link takes one answer.

export const LINK_DAYS: Readonly<Record<PatientLinkPurpose, number>> = { questionnaire: 30, survey: 14 };
export const LINK_PATHS: Readonly<Record<PatientLinkPurpose, string>> = {
  questionnaire: '/q/',
  survey: '/s/',
};

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const hmacKey = (secret: string) => {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(`patient-links|${secret}`),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    keys.set(secret, key);
  }
  return key;
};

type Signed = Pick<PatientLink, 'id' | 'purpose'>;

async function signature(secret: string, link: Signed): Promise<string> {
  const data = encoder.encode(`${link.id}|${link.purpose}`);
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), data)));
}

/** The token of a link: what the patient's URL carries. */
export async function linkToken(deps: Deps, link: Signed): Promise<string> {
  return `${link.id}.${await signature(deps.config.linkSecret, link)}`;
}

/** The patient's URL of a link. */
export async function linkUrl(deps: Deps, link: Signed): Promise<string> {
  return `${deps.config.baseUrl}${LINK_PATHS[link.purpose]}${await linkToken(deps, link)}`;
}

const notTheirVisit: Refusal<'validation_failed'> = {
  code: 'validation_failed',
  detail: 'visit_id is not a visit of this patient',
  errors: [{ path: 'visit_id', message: 'is not a visit of this patient' }],
};

export interface IssuedLink {
  link: PatientLink;
  url: string;
  /** The message that carries the link, when it was sent (`send`) and the link is new. */
  messageId?: string | null;
}

const patientNotFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

/**
 * A new personal link for one of the clinic's patients, with an audit entry, in one batch: inserted
 * only if the patient is the clinic's (another clinic's patient is not found). A survey about a visit
 * has one link per visit: asking again returns the link already made.
 */
export async function createPatientLink(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    patientId: string;
    purpose: PatientLinkPurpose;
    visitId?: string | null;
    days?: number;
    /**
     * Issue 13: also message the link to the patient on this channel, in the same batch (a new link
     * only; consent is the consumer's to check when it sends): reason `questionnaire:<link>`, or
     * `survey:<visit>` (`survey:<link>` without a visit).
     */
    send?: MessageChannel;
  },
): Promise<Result<IssuedLink, Refusal<'patient_not_found' | 'validation_failed'>>> {
  if (!isId('pat', input.patientId)) return err(patientNotFound(input.patientId));
  const visitId = input.visitId ?? null;
  // A survey's visit is one of this patient's (another clinic's visit id is not a visit of theirs).
  if (visitId !== null && !isId('vis', visitId)) return err(notTheirVisit);
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('lnk', now);
  const expiresAt = now + (input.days ?? LINK_DAYS[input.purpose]) * DAY_MS;
  const clinicId = input.clinic.organizationId;
  const own = sql`exists (select 1 from patients p where p.id = ${input.patientId} and p.clinic_id = ${clinicId})
    and (${visitId} is null or exists (select 1 from visits v where v.id = ${visitId}
      and v.patient_id = ${input.patientId} and v.clinic_id = ${clinicId}))`;
  const message = input.send
    ? messageInsert(db, now, {
        clinicId,
        patientId: input.patientId,
        kind: input.purpose === 'questionnaire' ? 'questionnaire' : 'survey_request',
        channel: input.send,
        reasonKey: input.purpose === 'questionnaire' ? `questionnaire:${id}` : `survey:${visitId ?? id}`,
        vars: { url: await linkUrl(deps, { id, purpose: input.purpose }) },
        createdBy: input.clinic.keyId,
        guard: sql`from patient_links l where l.id = ${id}`,
      })
    : null;
  const out = await runBatch(db, {
    link: db
      .insert(patientLinks)
      .select(
        sql`select ${id}, ${clinicId}, ${input.patientId}, ${input.purpose}, ${input.visitId ?? null},
          ${input.clinic.keyId}, ${now}, ${expiresAt}, 0, null, null, null, null where ${own}`,
      )
      .onConflictDoNothing()
      .returning(),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'patient_link.create',
      subject: { type: 'patient_link', id },
      patientId: input.patientId,
      detail: { purpose: input.purpose, ...(input.send && { send: input.send }) },
      when: sql`exists (select 1 from patient_links l where l.id = ${id})`,
      at: now,
    }),
    ...(message && { message: message.statement.returning({ id: messages.id }) }),
    existing: db
      .select()
      .from(patientLinks)
      .where(
        and(
          eq(patientLinks.visitId, input.visitId ?? ''),
          eq(patientLinks.purpose, input.purpose),
          eq(patientLinks.patientId, input.patientId),
          eq(patientLinks.clinicId, clinicId),
        ),
      ),
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
  });
  const link = out.link[0] ?? out.existing[0];
  if (!link)
    return err(out.patient.length && visitId !== null ? notTheirVisit : patientNotFound(input.patientId));
  const messageId = out.message?.[0]?.id ?? null;
  if (messageId) deps.dispatch?.([messageId]);
  return ok({ link, url: await linkUrl(deps, link), messageId });
}

/** What a patient's link page shows about who it is for and from. */
export interface OpenedLink {
  link: PatientLink;
  patient: { id: string; firstName: string; birthDate: string | null; locale: PatientLocale };
  clinic: { id: string; name: string; timezone: string };
}

const linkNotFound: Refusal<'link_not_found'> = {
  code: 'link_not_found',
  detail: 'The link is not valid: forged, expired, revoked or for another purpose',
};

/** The link a token names, if the token is genuine for this purpose (checked without the database). */
async function genuineId(deps: Deps, token: string, purpose: PatientLinkPurpose): Promise<string | null> {
  const dot = token.indexOf('.');
  const id = token.slice(0, dot);
  if (dot <= 0 || !isId('lnk', id)) return null;
  const expected = await signature(deps.config.linkSecret, { id, purpose });
  return timingSafeEqual(token.slice(dot + 1), expected) ? id : null;
}

/**
 * Opens a patient's link: one batch counts the open (only on a live link) and reads the link, the
 * patient's first name and the clinic. Refused alike, as `link_not_found`, when the token is forged or
 * altered, the link expired or was revoked, or it is for another purpose.
 */
export async function openPatientLink(
  deps: Deps,
  input: { token: string; purpose: PatientLinkPurpose; count?: boolean },
): Promise<Result<OpenedLink, Refusal<'link_not_found'>>> {
  const id = await genuineId(deps, input.token, input.purpose);
  if (id === null) return err(linkNotFound);
  const { db } = deps;
  const now = deps.clock.now();
  const live = and(eq(patientLinks.id, id), gt(patientLinks.expiresAt, now), isNull(patientLinks.revokedAt));
  const out = await runBatch(db, {
    ...(input.count === false
      ? {}
      : {
          open: db
            .update(patientLinks)
            .set({
              opens: sql`${patientLinks.opens} + 1`,
              firstOpenedAt: sql`coalesce(${patientLinks.firstOpenedAt}, ${now})`,
              lastOpenedAt: now,
            })
            .where(live),
        }),
    row: db
      .select({
        link: patientLinks,
        firstName: patients.firstName,
        birthDate: patients.birthDate,
        locale: patients.locale,
        clinicName: organizations.name,
        timezone: organizations.timezone,
      })
      .from(patientLinks)
      .innerJoin(patients, eq(patients.id, patientLinks.patientId))
      .innerJoin(organizations, eq(organizations.id, patientLinks.clinicId))
      .where(live),
  });
  const row = out.row[0];
  if (!row || row.link.purpose !== input.purpose) return err(linkNotFound);
  return ok({
    link: row.link,
    patient: {
      id: row.link.patientId,
      firstName: row.firstName,
      birthDate: row.birthDate,
      locale: row.locale,
    },
    clinic: { id: row.link.clinicId, name: row.clinicName, timezone: row.timezone },
  });
}
