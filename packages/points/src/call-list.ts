import { DAY_MS } from '@gratia/core';
import type { Deps, OrgPrincipal } from '@gratia/db';
import { sql } from 'drizzle-orm';
import { liveBalance, spendableLot } from './rules';

// The call list: the clinic's patients with points lapsing within a window, soonest first, with
// contact details and consent, so staff can invite them back before the points are lost.

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
}

/** Where the next page starts: after this patient's first expiry. */
export interface CallListPosition {
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
}

export async function buildCallList(
  deps: Deps,
  input: { clinic: OrgPrincipal; withinDays: number; after: CallListPosition | null; limit: number },
): Promise<{ entries: CallListEntry[]; next: CallListPosition | null }> {
  const now = deps.clock.now();
  const until = now + input.withinDays * DAY_MS;
  const after = input.after;
  const rows = await deps.db.all<Row>(
    sql`select p.id as patient_id, p.first_name, p.last_name, p.card_number, p.email, p.phone,
          p.consent_email, p.consent_sms,
          sum(l.remaining) as points_expiring, min(l.expires_at) as first_expires_at,
          min(l.expires_on) as first_expires_on,
          json_group_array(json_object('points', l.remaining, 'expires_on', l.expires_on, 'expires_at', l.expires_at)) as lots,
          ${liveBalance(sql`p.id`, now)} as balance
        from point_lots l join patients p on p.id = l.patient_id
        where l.clinic_id = ${input.clinic.organizationId} and ${spendableLot('l', now)} and l.expires_at <= ${until}
        group by p.id
        ${after ? sql`having (min(l.expires_at), p.id) > (${after.at}, ${after.patientId})` : sql``}
        order by first_expires_at, p.id
        limit ${input.limit + 1}`,
  );
  const more = rows.length > input.limit;
  const kept = more ? rows.slice(0, input.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    entries: kept.map((r) => ({
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
    })),
    next: more && last ? { at: last.first_expires_at, patientId: last.patient_id } : null,
  };
}
