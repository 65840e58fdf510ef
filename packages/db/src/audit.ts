import { newId } from '@gratia/core';
import { is, SQL, sql } from 'drizzle-orm';
import type { Principal } from './caller';
import type { Db } from './index';
import { type KeyRef, keyMatchUnlocked } from './key-ref';
import { auditEvents } from './schema/staff';

// The audit trail, written in the same batch as the change it records: an entry exists exactly when
// the change committed. The actor is proven in SQL from the key the batch acts by (and the staff member
// that key belongs to), so an entry names who really acted, never who a request claimed to be.

export interface AuditInput {
  /**
   * The key the change was made by (an API key, or a staff member's console key); or the operator; or
   * the patient themselves, on their personal link (no key: the entry says so in its detail).
   */
  actor: KeyRef | 'operator' | 'patient';
  /**
   * The organisation whose records changed (a SQL value when only the batch knows it); null for the
   * network's own, or, for a key, the key's organisation.
   */
  organizationId: string | SQL | null;
  /** What happened: `<record>.<verb>`, e.g. `patient.register`, `voucher.void`. */
  action: string;
  subject: { type: string; id: string };
  /**
   * The patient the change concerns, if any: the owner filters the trail by patient. A SQL value when
   * only the batch knows it (the card a spend was taken from).
   */
  patientId?: string | SQL | null;
  /**
   * A few facts worth keeping (amounts, the new role): small, never secrets. A SQL value (a JSON
   * object) when they are the batch's own (the amount a redemption took).
   */
  detail?: Record<string, unknown> | SQL | null;
  /**
   * The condition under which the change happened, checked after the batch's work: a guarded write
   * that wrote nothing (refused in SQL) leaves no entry. E.g. `exists (select 1 from x where id = ...)`.
   */
  when?: SQL;
  at: number;
}

/**
 * The statement writing one audit entry. Put it in the batch after the work it records, its `when`
 * reading what the work wrote (the row inserted now, the id the update stamped); for an update that
 * leaves no mark of its own (a void, a revocation), just before it, with the update's own guard as
 * `when`: in the batch's one transaction the guard holds before the update exactly when it applies.
 */
export function auditEntry(db: Db, e: AuditInput) {
  const id = newId('aud', e.at);
  const detail = is(e.detail, SQL)
    ? e.detail
    : e.actor === 'patient'
      ? JSON.stringify({ ...e.detail, actor: 'patient' })
      : e.detail
        ? JSON.stringify(e.detail)
        : null;
  const when = e.when ?? sql`1`;
  if (e.actor === 'operator' || e.actor === 'patient')
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
