import { DAY_MS } from '@gratia/core';
import {
  type CallRecord,
  callRecordOf,
  type Deps,
  lastCallJson,
  type OrgPrincipal,
  patients,
  pointAccounts,
} from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { liveBalance, spendableLot } from './rules';

// The call list: the clinic's patients with points lapsing within a window, soonest first, with
// contact details and consent, and the latest call made to each (what came of it, when, by whom), so
// staff can invite them back before the points are lost. A patient whose latest call outcome is
// `do_not_call` is left off unless asked for (see call-outcomes.ts).

export interface CallListEntry {
  patientId: string;
  firstName: string;
  lastName: string;
  cardNumber: string;
  email: string | null;
  phone: string | null;
  consent: { email: boolean; sms: boolean };
  pointsExpiring: number;
  firstExpiry: { expiresOn: string; expiresAt: number };
  lots: { points: number; expiresOn: string; expiresAt: number }[];
  balance: number;
  /** The latest call to the patient (null: none recorded). */
  lastCall: CallRecord | null;
}

/** Where the next page starts: after this card. */
export interface CallListPosition {
  /** The card's next expiry (point_accounts.next_expiry_at) the page ended on. */
  at: number;
  patientId: string;
}

interface Row {
  patient_id: string;
  first_name: string;
  last_name: string;
  card_number: string;
  email: string | null;
  phone: string | null;
  consent_email: number;
  consent_sms: number;
  points_expiring: number;
  first_expires_at: number;
  first_expires_on: string;
  lots: string;
  balance: number;
  last_call: string | null;
}

export interface CallListInput {
  clinic: OrgPrincipal;
  withinDays: number;
  after: CallListPosition | null;
  limit: number;
  /** Also list patients whose latest call outcome is do_not_call (flagged by lastCall). */
  includeDoNotCall?: boolean;
}
export interface CallList {
  entries: CallListEntry[];
  next: CallListPosition | null;
}

export async function buildCallList(deps: Deps, input: CallListInput): Promise<CallList> {
  const q = callListQuery(deps, input);
  return q.read(await q.statement);
}

/** The call list's one statement (to run alone or in another use case's batch) and how to read its rows. */
export function callListQuery(deps: Deps, input: CallListInput) {
  const now = deps.clock.now();
  const until = now + input.withinDays * DAY_MS;
  const after = input.after;
  // Cards are paged by their next expiry through point_accounts_next_expiry_idx (kept by triggers on
  // the lots), so a page reads its own cards and their lots in the window, never the whole window.
  // A card whose first lot lapsed within the hour (its expiry not booked yet) sorts first; it is left
  // out when nothing else of it lapses in the window. Patients not to be called are left out of the
  // page after it is read, like those cards, so a page never reads more than limit + 1 cards (it may
  // list fewer: the cursor goes on from the last card read).
  const lot = spendableLot('l', now);
  const col = <T>(expr: SQL, name: string) => sql<T>`${expr}`.as(name);
  // A query builder (not raw SQL), so another use case can put it in its own batch (the Today page).
  const statement = deps.db
    .select({
      patient_id: col<string>(sql`p.id`, 'patient_id'),
      first_name: col<string>(sql`p.first_name`, 'first_name'),
      last_name: col<string>(sql`p.last_name`, 'last_name'),
      card_number: col<string>(sql`p.card_number`, 'card_number'),
      email: col<string | null>(sql`p.email`, 'email'),
      phone: col<string | null>(sql`p.phone`, 'phone'),
      consent_email: col<number>(sql`p.consent_email`, 'consent_email'),
      consent_sms: col<number>(sql`p.consent_sms`, 'consent_sms'),
      next_expiry_at: col<number>(sql`a.next_expiry_at`, 'next_expiry_at'),
      points_expiring: col<number>(
        sql`(select sum(l.remaining) from point_lots l where l.patient_id = a.patient_id
          and ${lot} and l.expires_at <= ${until})`,
        'points_expiring',
      ),
      first_expires_at: col<number>(
        sql`(select min(l.expires_at) from point_lots l where l.patient_id = a.patient_id and ${lot})`,
        'first_expires_at',
      ),
      first_expires_on: col<string>(
        sql`(select min(l.expires_on) from point_lots l where l.patient_id = a.patient_id and ${lot})`,
        'first_expires_on',
      ),
      lots: col<string>(
        sql`(select json_group_array(json_object('points', l.remaining, 'expires_on', l.expires_on, 'expires_at', l.expires_at))
          from point_lots l where l.patient_id = a.patient_id and ${lot} and l.expires_at <= ${until})`,
        'lots',
      ),
      balance: col<number>(liveBalance(sql`a.patient_id`, now), 'balance'),
      last_call: col<string | null>(lastCallJson(sql`a.clinic_id`, sql`a.patient_id`), 'last_call'),
    })
    .from(alias(pointAccounts, 'a'))
    .innerJoin(alias(patients, 'p'), sql`p.id = a.patient_id`)
    .where(
      sql`a.clinic_id = ${input.clinic.organizationId} and a.next_expiry_at is not null
        and a.next_expiry_at <= ${until}
        ${after ? sql`and (a.next_expiry_at, a.patient_id) > (${after.at}, ${after.patientId})` : sql``}`,
    )
    .orderBy(sql`a.next_expiry_at, a.patient_id`)
    .limit(input.limit + 1);
  return { statement, read: (rows: (Row & { next_expiry_at: number })[]) => readCallList(rows, input) };
}

function readCallList(rows: (Row & { next_expiry_at: number })[], input: CallListInput): CallList {
  const more = rows.length > input.limit;
  const page = more ? rows.slice(0, input.limit) : rows;
  const last = page[page.length - 1];
  return {
    entries: page
      .filter((r) => r.points_expiring > 0)
      .map((r) => ({ r, lastCall: r.last_call === null ? null : callRecordOf(r.last_call) }))
      .filter(({ lastCall }) => input.includeDoNotCall || lastCall?.outcome !== 'do_not_call')
      .map(({ r, lastCall }) => ({
        patientId: r.patient_id,
        firstName: r.first_name,
        lastName: r.last_name,
        cardNumber: r.card_number,
        email: r.email,
        phone: r.phone,
        consent: { email: r.consent_email === 1, sms: r.consent_sms === 1 },
        pointsExpiring: r.points_expiring,
        firstExpiry: { expiresOn: r.first_expires_on, expiresAt: r.first_expires_at },
        lots: (JSON.parse(r.lots) as { points: number; expires_on: string; expires_at: number }[])
          .sort((a, b) => a.expires_at - b.expires_at)
          .map((l) => ({ points: l.points, expiresOn: l.expires_on, expiresAt: l.expires_at })),
        balance: r.balance,
        lastCall,
      })),
    next: more && last ? { at: last.next_expiry_at, patientId: last.patient_id } : null,
  };
}
