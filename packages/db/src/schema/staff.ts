import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './api-keys';
import { organizations } from './organizations';
import { patients } from './patients';

// The people who work in an organisation: staff accounts with a role, invited by a one-time link,
// signing in with passkeys. Each staff member acts through a console key of their own (an api_keys row
// of kind 'staff' whose secret nobody holds): every use case proves the caller by a key, so a staff
// member's sessions go through exactly the checks an API key does, and removing them revokes that key,
// which ends every session they have at the next request.

export const CLINIC_ROLES = ['owner', 'manager', 'front_desk'] as const;
export const PARTNER_ROLES = ['owner', 'staff'] as const;
export const STAFF_ROLES = ['owner', 'manager', 'front_desk', 'staff'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const staffMembers = sqliteTable(
  'staff_members',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    email: text('email'),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    /** The staff member's console key: the key every session of theirs acts by. */
    keyId: text('key_id')
      .notNull()
      .unique()
      .references(() => apiKeys.id),
    createdAt: integer('created_at').notNull(),
    removedAt: integer('removed_at'),
  },
  (t) => [
    index('staff_members_organization_idx').on(t.organizationId, t.removedAt, t.name),
    check('staff_members_role_check', sql`${t.role} in ('owner', 'manager', 'front_desk', 'staff')`),
  ],
);
export type StaffMember = typeof staffMembers.$inferSelect;

/** One-time invitation links: only the token's SHA-256 is kept; accepted or expired, it opens nothing. */
export const staffInvitations = sqliteTable(
  'staff_invitations',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    name: text('name').notNull(),
    email: text('email'),
    tokenHash: text('token_hash').notNull().unique(),
    /** Who invited: a key (an owner's console key, or an API key); null for the operator. */
    invitedByKeyId: text('invited_by_key_id').references(() => apiKeys.id),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    acceptedAt: integer('accepted_at'),
    staffId: text('staff_id').references(() => staffMembers.id),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('staff_invitations_organization_idx').on(t.organizationId, t.createdAt)],
);
export type StaffInvitation = typeof staffInvitations.$inferSelect;

/** A staff member's passkeys (WebAuthn credentials): the public key and the signature counter. */
export const staffPasskeys = sqliteTable(
  'staff_passkeys',
  {
    /** The credential id, base64url. */
    id: text('id').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staffMembers.id),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull(),
    transports: text('transports'),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('staff_passkeys_staff_idx').on(t.staffId)],
);

/** WebAuthn challenges handed out and not yet answered: each is consumed (deleted) by its answer. */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    id: text('id').primaryKey(),
    challenge: text('challenge').notNull(),
    purpose: text('purpose', { enum: ['register', 'signin'] }).notNull(),
    invitationId: text('invitation_id').references(() => staffInvitations.id),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)],
);

/**
 * The audit trail: every change, by whom (a key, and the staff member it belongs to, if any; the
 * operator has neither), what (an action such as `patient.register`), on which record, when.
 * Append-only: triggers refuse every UPDATE and DELETE.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    /** The organisation whose records changed (null for the network's own settings). */
    organizationId: text('organization_id'),
    actorKeyId: text('actor_key_id'),
    actorStaffId: text('actor_staff_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    patientId: text('patient_id'),
    detail: text('detail'),
    at: integer('at').notNull(),
  },
  (t) => [
    index('audit_events_organization_idx').on(t.organizationId, t.at, t.id),
    index('audit_events_staff_idx').on(t.organizationId, t.actorStaffId, t.at, t.id),
    index('audit_events_patient_idx').on(t.organizationId, t.patientId, t.at, t.id),
  ],
);
export type AuditEvent = typeof auditEvents.$inferSelect;

export const CALL_OUTCOMES = ['reached', 'left_message', 'no_answer', 'do_not_call'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** What came of a call to a patient on the call list, and who made it. */
export const callOutcomes = sqliteTable(
  'call_outcomes',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    outcome: text('outcome', { enum: CALL_OUTCOMES }).notNull(),
    note: text('note'),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id),
    staffId: text('staff_id').references(() => staffMembers.id),
    at: integer('at').notNull(),
  },
  (t) => [
    index('call_outcomes_patient_idx').on(t.clinicId, t.patientId, t.at),
    index('call_outcomes_clinic_idx').on(t.clinicId, t.at),
    check(
      'call_outcomes_outcome_check',
      sql`${t.outcome} in ('reached', 'left_message', 'no_answer', 'do_not_call')`,
    ),
  ],
);
