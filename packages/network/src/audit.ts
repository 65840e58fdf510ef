import type { Deps, OrgPrincipal, StaffRole } from '@gratia/db';
import { sql } from 'drizzle-orm';

// The audit trail as an organisation's owner reads it: every change made by its staff and keys,
// newest first, by staff member or by patient. The entries are written by the use cases, each in the
// batch of the change it records (auditEntry in @gratia/db).

export type AuditActor =
  | { kind: 'staff'; staffId: string; keyId: string | null; name: string; role: StaffRole }
  | { kind: 'api_key'; keyId: string; name: string | null; prefix: string }
  | { kind: 'operator' }
  | { kind: 'patient' };

export interface AuditEventView {
  id: string;
  at: number;
  action: string;
  subject: { type: string; id: string };
  /** The patient the change concerned, when they are the reading clinic's own. */
  patientId: string | null;
  detail: Record<string, unknown> | null;
  actor: AuditActor;
}

interface Row {
  id: string;
  at: number;
  action: string;
  subject_type: string;
  subject_id: string;
  patient_id: string | null;
  detail: string | null;
  actor_key_id: string | null;
  actor_staff_id: string | null;
  key_name: string | null;
  key_prefix: string | null;
  staff_name: string | null;
  staff_role: StaffRole | null;
}

function actorOfRow(r: Row): AuditActor {
  if (r.actor_staff_id !== null && r.staff_name !== null && r.staff_role !== null)
    return {
      kind: 'staff',
      staffId: r.actor_staff_id,
      keyId: r.actor_key_id,
      name: r.staff_name,
      role: r.staff_role,
    };
  if (r.actor_key_id !== null)
    return { kind: 'api_key', keyId: r.actor_key_id, name: r.key_name, prefix: r.key_prefix ?? '' };
  // A patient's own answer on their personal link is written without a key (audit.ts: actor 'patient').
  if (r.detail !== null && (JSON.parse(r.detail) as { actor?: unknown }).actor === 'patient')
    return { kind: 'patient' };
  return { kind: 'operator' };
}

/**
 * One page of an organisation's audit trail, newest first: `limit` entries before the entry `before`
 * (the last one of the previous page), optionally of one staff member and one patient. One query,
 * an index seek on (organisation[, staff | patient], at, id), so a page costs its own rows whatever
 * the trail's length. A patient is the clinic's own: another's patient id filters to nothing and is
 * never shown.
 */
export async function listAuditEvents(
  deps: Deps,
  input: { principal: OrgPrincipal; staffId?: string; patientId?: string; before?: string; limit: number },
): Promise<AuditEventView[]> {
  const org = input.principal.organizationId;
  const ownPatient = (id: unknown) =>
    sql`exists (select 1 from patients p where p.id = ${id} and p.clinic_id = ${org})`;
  const rows = await deps.db.all<Row>(sql`
    select a.id, a.at, a.action, a.subject_type, a.subject_id,
      case when ${ownPatient(sql`a.patient_id`)} then a.patient_id end as patient_id,
      a.detail, a.actor_key_id, a.actor_staff_id, k.name as key_name, k.prefix as key_prefix,
      m.name as staff_name, m.role as staff_role
    from audit_events a
      left join api_keys k on k.id = a.actor_key_id
      left join staff_members m on m.id = a.actor_staff_id
    where a.organization_id = ${org}
      ${input.staffId === undefined ? sql`` : sql`and a.actor_staff_id = ${input.staffId}`}
      ${input.patientId === undefined ? sql`` : sql`and a.patient_id = ${input.patientId} and ${ownPatient(input.patientId)}`}
      ${input.before === undefined ? sql`` : sql`and (a.at, a.id) < (select c.at, c.id from audit_events c where c.id = ${input.before})`}
    order by a.at desc, a.id desc
    limit ${input.limit}`);
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    subject: { type: r.subject_type, id: r.subject_id },
    patientId: r.patient_id,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    actor: actorOfRow(r),
  }));
}
