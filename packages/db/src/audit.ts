import { newId } from '@gratia/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Principal } from './caller';
import type { Db } from './index';
import { type KeyRef, keyMatchUnlocked } from './key-ref';
import { auditEvents } from './schema/staff';

// The audit trail, written in the same batch as the change it records: an entry exists exactly when
// the change committed. The actor is proven in SQL from the key the batch acts by (and the staff member
// that key belongs to), so an entry names who really acted, never who a request claimed to be.

export interface AuditInput {
  /** The key the change was made by (an API key, or a staff member's console key); or the operator. */
  actor: KeyRef | 'operator';
  /** The organisation whose records changed; null for the network's own. */
  organizationId: string | null;
  /** What happened: `<record>.<verb>`, e.g. `patient.register`, `voucher.void`. */
  action: string;
  subject: { type: string; id: string };
  /** The patient the change concerns, if any: the owner filters the trail by patient. */
  patientId?: string | null;
  /** A few facts worth keeping (amounts, the new role): small, never secrets. */
  detail?: Record<string, unknown> | null;
  /**
   * The condition under which the change happened, checked after the batch's work: a guarded write
   * that wrote nothing (refused in SQL) leaves no entry. E.g. `exists (select 1 from x where id = ...)`.
   */
  when?: SQL;
  at: number;
}

/** The statement writing one audit entry; put it in the batch after the work it records. */
export function auditEntry(db: Db, e: AuditInput) {
  const id = newId('aud', e.at);
  const detail = e.detail ? JSON.stringify(e.detail) : null;
  const when = e.when ?? sql`1`;
  if (e.actor === 'operator')
    return db.insert(auditEvents).select(
      sql`select ${id}, ${e.organizationId}, null, null, ${e.action}, ${e.subject.type}, ${e.subject.id},
        ${e.patientId ?? null}, ${detail}, ${e.at} where ${when}`,
    );
  return db.insert(auditEvents).select(
    sql`select ${id}, ${e.organizationId ?? sql`k.organization_id`}, k.id,
        (select m.id from staff_members m where m.key_id = k.id), ${e.action}, ${e.subject.type},
        ${e.subject.id}, ${e.patientId ?? null}, ${detail}, ${e.at}
      from api_keys k where ${keyMatchUnlocked(e.actor)} and k.revoked_at is null and ${when}`,
  );
}

/** The actor of a change made by a known principal: its key, or the operator. */
export const actorOf = (principal: Principal): AuditInput['actor'] =>
  principal.role === 'operator' ? 'operator' : { id: principal.keyId };
