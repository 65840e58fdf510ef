import {
  base64url,
  DAY_MS,
  err,
  HOUR_MS,
  MINUTE_MS,
  newId,
  ok,
  type Refusal,
  type Result,
  randomToken,
  sha256Hex,
} from '@gratia/core';
import {
  abuseCounters,
  actorOf,
  apiKeys,
  auditEntry,
  CLINIC_ROLES,
  countFailure,
  type Deps,
  keyLookup,
  lockedRefusal,
  type OrgPrincipal,
  organizations,
  PARTNER_ROLES,
  type Principal,
  pageSessions,
  principalFromKey,
  runBatch,
  SESSION_IDLE_MS,
  type StaffRole,
  staffInvitations,
  staffMembers,
  staffPasskeys,
  staffRefusal,
  webauthnChallenges,
} from '@gratia/db';
import { messageInsert } from '@gratia/messaging';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { and, asc, desc, eq, gt, isNull, lt, type SQL, sql } from 'drizzle-orm';

// Staff accounts: invited by a one-time link, signed in with passkeys (WebAuthn), acting through a
// console key of their own. A staff session is a page_sessions row bound to that key: every use case
// checks it exactly as it checks an API key (revoked, locked, of this organisation), so removing a staff
// member (which revokes the key and ends their sessions in one batch) stops them at their next request.

export const INVITATION_TTL_MS = 72 * HOUR_MS;
/** A staff session lasts a working day at most, and ends after this long without a request. */
export const STAFF_SESSION_TTL_MS = 12 * HOUR_MS;
export const STAFF_IDLE_MS = SESSION_IDLE_MS;
/** last_seen_at is refreshed at most this often, so a busy session does not write on every request. */
const SEEN_RESOLUTION_MS = MINUTE_MS;
const CHALLENGE_TTL_MS = 5 * MINUTE_MS;
const UNKNOWN_SOURCE = 'unknown';

export const rolesOf = (kind: 'clinic' | 'partner'): readonly StaffRole[] =>
  kind === 'clinic' ? CLINIC_ROLES : PARTNER_ROLES;

/** Who may manage an organisation's staff: its owners (and its API keys, which act for it whole). */
export const STAFF_MANAGERS: readonly StaffRole[] = ['owner'];

type StaffRefusal = Refusal<
  'forbidden' | 'organization_not_found' | 'staff_not_found' | 'invitation_not_found' | 'validation_failed'
>;

export interface WebAuthnSite {
  rpID: string;
  rpName: string;
  origin: string;
}

/** The relying party: the public origin's host (passkeys are bound to it) and the network's name. */
export function webauthnSite(deps: Deps): WebAuthnSite {
  const url = new URL(deps.config.baseUrl);
  return { rpID: url.hostname, rpName: deps.config.networkName, origin: url.origin };
}

export interface InvitationView {
  id: string;
  organizationId: string;
  organizationName: string;
  organizationKind: 'clinic' | 'partner';
  role: StaffRole;
  name: string;
  email: string | null;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  revokedAt: number | null;
}

export const STAFF_NAME_MAX = 100;
export const STAFF_EMAIL_MAX = 254;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with the name and e-mail of someone to invite (both already trimmed), field by field. */
export function invitationFieldErrors(
  name: string,
  email: string | null,
): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  if (name.length === 0 || name.length > STAFF_NAME_MAX)
    errors.push({ path: 'name', message: `must be 1 to ${STAFF_NAME_MAX} characters` });
  if (email !== null && (email.length > STAFF_EMAIL_MAX || !EMAIL_SHAPE.test(email)))
    errors.push({ path: 'email', message: 'must be an e-mail address' });
  return errors;
}

/** Where an invitation is accepted: a one-time link carrying the token (only its hash is stored). */
export const invitationUrl = (deps: Deps, token: string) =>
  `${deps.config.baseUrl.replace(/\/$/, '')}/join/${token}`;

/**
 * Invites a staff member: the operator invites an organisation's owners, an owner (or the
 * organisation's API key) anyone of the organisation's roles. The token is in this answer only.
 */
export async function inviteStaff(
  deps: Deps,
  input: {
    by: Principal;
    organizationId: string;
    role: StaffRole;
    name: string;
    email?: string | null;
  },
): Promise<
  Result<{ invitation: InvitationView; token: string; url: string; messageId: string | null }, StaffRefusal>
> {
  const { db } = deps;
  const by = input.by;
  if (by.role !== 'operator') {
    if (by.organizationId !== input.organizationId)
      return err({ code: 'organization_not_found', detail: `No organisation ${input.organizationId}` });
    const refused = staffRefusal(by, STAFF_MANAGERS);
    if (refused) return err({ code: 'forbidden', detail: refused.detail });
  } else if (input.role !== 'owner') {
    return err({
      code: 'validation_failed',
      detail: "The operator invites an organisation's owners; owners invite the rest of their staff",
    });
  }
  const name = input.name.trim();
  const email = input.email?.trim() || null;
  const invalid = invitationFieldErrors(name, email);
  if (invalid.length > 0)
    return err({
      code: 'validation_failed',
      detail: invalid.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors: invalid,
    });
  // An organisation inviting its own staff is known already; only the operator's invitation looks it up.
  const [org] =
    by.role === 'operator'
      ? await db
          .select({ id: organizations.id, name: organizations.name, kind: organizations.kind })
          .from(organizations)
          .where(eq(organizations.id, input.organizationId))
      : [{ id: by.organizationId, name: by.organization.name, kind: by.role }];
  if (!org) return err({ code: 'organization_not_found', detail: `No organisation ${input.organizationId}` });
  if (!rolesOf(org.kind).includes(input.role))
    return err({
      code: 'validation_failed',
      detail: `A ${org.kind}'s staff roles are ${rolesOf(org.kind).join(', ')}`,
    });
  const now = deps.clock.now();
  const token = randomToken(32);
  const row = {
    id: newId('inv', now),
    organizationId: org.id,
    role: input.role,
    name,
    email,
    tokenHash: await sha256Hex(token),
    invitedByKeyId: by.role === 'operator' ? null : by.keyId,
    createdAt: now,
    expiresAt: now + INVITATION_TTL_MS,
  };
  const url = invitationUrl(deps, token);
  // Issue 13: an invitation with an e-mail address is e-mailed its link (a service message to staff,
  // no patient: the address is the message's own). The outbox row holds the live link until it is used.
  const message = email
    ? messageInsert(db, now, {
        clinicId: org.id,
        patientId: null,
        kind: 'staff_sign_in',
        channel: 'email',
        reasonKey: `invite:${row.id}`,
        vars: { url },
        createdBy: by.role === 'operator' ? 'operator' : by.keyId,
        toAddress: email,
      })
    : null;
  await runBatch(db, {
    invitation: db.insert(staffInvitations).values(row),
    ...(message && { message: message.statement }),
    audit: auditEntry(db, {
      actor: actorOf(by),
      organizationId: org.id,
      action: 'staff.invite',
      subject: { type: 'invitation', id: row.id },
      detail: { role: input.role, name },
      at: now,
    }),
  });
  if (message) deps.dispatch?.([message.id]);
  return ok({
    invitation: {
      ...row,
      organizationName: org.name,
      organizationKind: org.kind,
      acceptedAt: null,
      revokedAt: null,
    },
    token,
    url,
    messageId: message?.id ?? null,
  });
}

const openInvitation = (now: number) =>
  and(
    isNull(staffInvitations.acceptedAt),
    isNull(staffInvitations.revokedAt),
    gt(staffInvitations.expiresAt, now),
  );

function invitationQuery(deps: Deps, tokenHash: string) {
  return deps.db
    .select({
      id: staffInvitations.id,
      organizationId: staffInvitations.organizationId,
      // Distinct column names: D1 batch rows are keyed by name, and both tables have `name`.
      organizationName: sql<string>`${organizations.name}`.as('organization_name'),
      organizationKind: sql<'clinic' | 'partner'>`${organizations.kind}`.as('organization_kind'),
      role: staffInvitations.role,
      name: staffInvitations.name,
      email: staffInvitations.email,
      createdAt: staffInvitations.createdAt,
      expiresAt: staffInvitations.expiresAt,
      acceptedAt: staffInvitations.acceptedAt,
      revokedAt: staffInvitations.revokedAt,
    })
    .from(staffInvitations)
    .innerJoin(organizations, eq(organizations.id, staffInvitations.organizationId))
    .where(and(eq(staffInvitations.tokenHash, tokenHash), openInvitation(deps.clock.now())));
}

const INVITATION_GONE: Refusal<'invitation_not_found'> = {
  code: 'invitation_not_found',
  detail: 'This invitation link is not valid: it was used already, withdrawn, or it expired',
};
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/** The open invitation a link's token names. */
export async function readInvitation(
  deps: Deps,
  input: { token: string },
): Promise<Result<InvitationView, Refusal<'invitation_not_found'>>> {
  if (!TOKEN_SHAPE.test(input.token)) return err(INVITATION_GONE);
  const [row] = await invitationQuery(deps, await sha256Hex(input.token));
  return row ? ok(row) : err(INVITATION_GONE);
}

/** Registration options for the passkey of an invitation's new staff member (the challenge is kept). */
export async function startPasskeyRegistration(
  deps: Deps,
  input: { token: string },
): Promise<
  Result<
    { challengeId: string; options: PublicKeyCredentialCreationOptionsJSON },
    Refusal<'invitation_not_found'>
  >
> {
  const invitation = await readInvitation(deps, input);
  if (!invitation.ok) return invitation;
  const inv = invitation.value;
  const site = webauthnSite(deps);
  const options = await generateRegistrationOptions({
    rpName: site.rpName,
    rpID: site.rpID,
    userName: inv.email ?? inv.name,
    userDisplayName: `${inv.name} (${inv.organizationName})`,
    userID: new Uint8Array(new TextEncoder().encode(inv.id)),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  const now = deps.clock.now();
  const challengeId = newId('chl', now);
  await deps.db.insert(webauthnChallenges).values({
    id: challengeId,
    challenge: options.challenge,
    purpose: 'register',
    invitationId: inv.id,
    expiresAt: now + CHALLENGE_TTL_MS,
  });
  return ok({ challengeId, options });
}

export interface StaffSession {
  id: string;
  principal: OrgPrincipal;
  expiresAt: number;
}

const consumeChallenge = (deps: Deps, id: string, purpose: 'register' | 'signin') =>
  deps.db
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.id, id),
        eq(webauthnChallenges.purpose, purpose),
        gt(webauthnChallenges.expiresAt, deps.clock.now()),
      ),
    )
    .returning();

const PASSKEY_REFUSED: Refusal<'unauthorized'> = {
  code: 'unauthorized',
  detail: 'The passkey could not be checked. Try again.',
};

/**
 * Accepts an invitation with the passkey just made: creates the staff member, their console key and
 * passkey, marks the invitation used and signs them in, all in one batch that does nothing if the
 * invitation was used meanwhile.
 */
export async function acceptInvitation(
  deps: Deps,
  input: { token: string; challengeId: string; response: RegistrationResponseJSON },
): Promise<Result<StaffSession, Refusal<'invitation_not_found' | 'unauthorized'>>> {
  const { db } = deps;
  if (!TOKEN_SHAPE.test(input.token)) return err(INVITATION_GONE);
  const found = await runBatch(db, {
    challenge: consumeChallenge(deps, input.challengeId, 'register'),
    invitation: invitationQuery(deps, await sha256Hex(input.token)),
  });
  const inv = found.invitation[0];
  if (!inv) return err(INVITATION_GONE);
  const challenge = found.challenge[0];
  if (!challenge || challenge.invitationId !== inv.id) return err(PASSKEY_REFUSED);
  const site = webauthnSite(deps);
  let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo'];
  try {
    const verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: site.origin,
      expectedRPID: site.rpID,
      requireUserVerification: false,
    });
    if (!verified.verified) return err(PASSKEY_REFUSED);
    info = verified.registrationInfo;
  } catch (e) {
    deps.log({ level: 'info', event: 'passkey_registration_refused', reason: String(e) });
    return err(PASSKEY_REFUSED);
  }
  const now = deps.clock.now();
  const staffId = newId('stf', now);
  const keyId = newId('key', now);
  const sessionId = randomToken(24);
  const open = sql`exists (select 1 from staff_invitations i where i.id = ${inv.id}
    and i.accepted_at is null and i.revoked_at is null and i.expires_at > ${now})`;
  const accepted = sql`exists (select 1 from staff_invitations i where i.id = ${inv.id} and i.staff_id = ${staffId})`;
  const secretHash = await sha256Hex(`staff:${randomToken(32)}`);
  const cred = info.credential;
  const done = await runBatch(db, {
    key: db.insert(apiKeys).select(
      sql`select ${keyId}, ${inv.organizationId}, ${`Console: ${inv.name}`}, ${'staff'}, ${secretHash},
          ${now}, null, null, 'staff' where ${open}`,
    ),
    staff: db.insert(staffMembers).select(
      sql`select ${staffId}, ${inv.organizationId}, ${inv.name}, ${inv.email}, ${inv.role}, ${keyId},
          ${now}, null where ${open}`,
    ),
    invitation: db
      .update(staffInvitations)
      .set({ acceptedAt: now, staffId })
      .where(and(eq(staffInvitations.id, inv.id), openInvitation(now))),
    passkey: db.insert(staffPasskeys).select(
      sql`select ${cred.id}, ${staffId}, ${base64url(cred.publicKey)}, ${cred.counter},
          ${(cred.transports ?? []).join(',') || null}, ${now}, ${now} where ${accepted}`,
    ),
    session: db.insert(pageSessions).select(
      sql`select ${sessionId}, ${keyId}, ${inv.organizationId}, ${now}, ${now + STAFF_SESSION_TTL_MS},
          null, ${staffId}, ${now} where ${accepted}`,
    ),
    audit: auditEntry(db, {
      actor: { id: keyId },
      organizationId: inv.organizationId,
      action: 'staff.join',
      subject: { type: 'staff', id: staffId },
      detail: { role: inv.role, invitation: inv.id },
      when: accepted,
      at: now,
    }),
    me: keyLookup(db, { id: keyId }),
  });
  const row = done.me[0];
  if (!row) return err(INVITATION_GONE);
  return ok({ id: sessionId, principal: principalFromKey(row), expiresAt: now + STAFF_SESSION_TTL_MS });
}

/** Options for signing in with a passkey (any of this site's; the browser offers the ones it has). */
export async function startPasskeySignIn(
  deps: Deps,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const options = await generateAuthenticationOptions({
    rpID: webauthnSite(deps).rpID,
    userVerification: 'preferred',
  });
  const now = deps.clock.now();
  const challengeId = newId('chl', now);
  await deps.db.insert(webauthnChallenges).values({
    id: challengeId,
    challenge: options.challenge,
    purpose: 'signin',
    invitationId: null,
    expiresAt: now + CHALLENGE_TTL_MS,
  });
  return { challengeId, options };
}

/**
 * Signs a staff member in with a passkey. Failed attempts count against the source address (the
 * same cap as every sign-in); a removed staff member's passkeys sign no one in.
 */
export async function signInWithPasskey(
  deps: Deps,
  input: {
    challengeId: string;
    response: AuthenticationResponseJSON;
    from: string | null;
    kind: 'clinic' | 'partner';
  },
): Promise<Result<StaffSession, Refusal<'unauthorized' | 'forbidden' | 'rate_limited'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const from = input.from ?? UNKNOWN_SOURCE;
  const credentialId = typeof input.response?.id === 'string' ? input.response.id.slice(0, 512) : '';
  const found = await runBatch(db, {
    signinLock: db
      .select({ lockedUntil: abuseCounters.lockedUntil })
      .from(abuseCounters)
      .where(and(eq(abuseCounters.subject, `signin:${from}`), gt(abuseCounters.lockedUntil, now))),
    challenge: consumeChallenge(deps, input.challengeId, 'signin'),
    passkey: db
      .select({
        id: staffPasskeys.id,
        publicKey: staffPasskeys.publicKey,
        counter: staffPasskeys.counter,
        transports: staffPasskeys.transports,
        keyId: staffMembers.keyId,
      })
      .from(staffPasskeys)
      .innerJoin(staffMembers, eq(staffMembers.id, staffPasskeys.staffId))
      .where(and(eq(staffPasskeys.id, credentialId), isNull(staffMembers.removedAt))),
  });
  const signinLock = found.signinLock[0]?.lockedUntil;
  if (signinLock) return err(lockedRefusal(signinLock));
  const fail = async () => {
    const until = await countFailure(deps, [{ kind: 'signin', id: from }]);
    if (until !== null) deps.log({ level: 'warn', event: 'signin_locked', from, until });
    return err(PASSKEY_REFUSED);
  };
  const challenge = found.challenge[0];
  const passkey = found.passkey[0];
  if (!challenge || !passkey) return fail();
  const site = webauthnSite(deps);
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: site.origin,
      expectedRPID: site.rpID,
      credential: {
        id: passkey.id,
        publicKey: b64urlToBytes(passkey.publicKey),
        counter: passkey.counter,
      },
      requireUserVerification: false,
    });
    if (!verified.verified) return fail();
    newCounter = verified.authenticationInfo.newCounter;
  } catch (e) {
    deps.log({ level: 'info', event: 'passkey_signin_refused', reason: String(e) });
    return fail();
  }
  const sessionId = randomToken(24);
  const done = await runBatch(db, {
    me: keyLookup(db, { id: passkey.keyId, at: now, from: input.from }),
    counter: db
      .update(staffPasskeys)
      .set({ counter: newCounter, lastUsedAt: now })
      .where(eq(staffPasskeys.id, passkey.id)),
    session: db.insert(pageSessions).select(
      sql`select ${sessionId}, k.id, k.organization_id, ${now}, ${now + STAFF_SESSION_TTL_MS}, null,
          m.id, ${now}
        from api_keys k join staff_members m on m.key_id = k.id join organizations o on o.id = k.organization_id
        where k.id = ${passkey.keyId} and k.revoked_at is null and m.removed_at is null
          and o.kind = ${input.kind}`,
    ),
  });
  const row = done.me[0];
  if (!row) return fail();
  if (row.lockedUntil !== null) return err(lockedRefusal(row.lockedUntil));
  if (row.kind !== input.kind)
    return err({
      code: 'forbidden',
      detail:
        input.kind === 'partner'
          ? 'This passkey belongs to clinic staff: sign in at the console'
          : 'This passkey belongs to partner staff: sign in at the counter page',
    });
  return ok({ id: sessionId, principal: principalFromKey(row), expiresAt: now + STAFF_SESSION_TTL_MS });
}

/**
 * The staff member a console session acts as, checked in one round trip (the session live and not
 * idle, its key unrevoked and unlocked, of this organisation); refreshes the session's last request.
 */
export async function resumeStaffSession(
  deps: Deps,
  input: { sessionId: string; organizationId: string; from: string | null },
): Promise<Result<OrgPrincipal, Refusal<'unauthorized' | 'forbidden' | 'rate_limited'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const done = await runBatch(db, {
    seen: db
      .update(pageSessions)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(pageSessions.id, input.sessionId),
          isNull(pageSessions.endedAt),
          gt(pageSessions.expiresAt, now),
          gt(pageSessions.lastSeenAt, now - STAFF_IDLE_MS),
          lt(pageSessions.lastSeenAt, now - SEEN_RESOLUTION_MS),
        ),
      ),
    me: keyLookup(db, { session: input.sessionId, at: now, from: input.from }),
  });
  const row = done.me[0];
  if (!row || row.organizationId !== input.organizationId || !row.staffId)
    return err({ code: 'unauthorized', detail: 'Your session ended. Please sign in again.' });
  if (row.lockedUntil !== null) return err(lockedRefusal(row.lockedUntil));
  return ok(principalFromKey(row));
}

/** When this isolate last refreshed each session: a busy counter refreshes once a minute, not per request. */
const touched = new Map<string, number>();
const TOUCHED_MAX = 10_000;

/** Refreshes a session's last request off the response path (the counter page's requests). */
export function touchSession(deps: Deps, sessionId: string): void {
  const now = deps.clock.now();
  const last = touched.get(sessionId);
  if (last !== undefined && now - last < SEEN_RESOLUTION_MS && now >= last) return;
  if (touched.size >= TOUCHED_MAX) touched.clear();
  touched.set(sessionId, now);
  deps.defer(
    deps.db
      .update(pageSessions)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(pageSessions.id, sessionId),
          isNull(pageSessions.endedAt),
          gt(pageSessions.lastSeenAt, now - STAFF_IDLE_MS),
          lt(pageSessions.lastSeenAt, now - SEEN_RESOLUTION_MS),
        ),
      )
      .run()
      .catch((e: unknown) => deps.log({ level: 'error', event: 'touch_session_failed', error: String(e) })),
  );
}

export interface StaffView {
  id: string;
  name: string;
  email: string | null;
  role: StaffRole;
  createdAt: number;
  removedAt: number | null;
  passkeys: number;
  lastSignInAt: number | null;
}

/**
 * A member's passkeys and last sign-in, for a select from staff_members. The member's id is named
 * with its table by hand: drizzle writes a selected column bare, which inside these subqueries would
 * be the passkey's own id.
 */
const passkeyColumns = () => ({
  passkeys: sql<number>`(select count(*) from staff_passkeys x
    where x.staff_id = "staff_members"."id")`.as('passkeys'),
  lastSignInAt: sql<number | null>`(select max(x.last_used_at) from staff_passkeys x
    where x.staff_id = "staff_members"."id")`.as('last_sign_in_at'),
});

/**
 * An organisation's current staff by name, a page of `limit` after the staff member `after` (the last
 * of the previous page; names repeat, so the page is keyed by name and id), and its open invitations
 * (owners only). One round trip.
 */
export async function listStaff(
  deps: Deps,
  input: { principal: OrgPrincipal; after?: string; limit: number },
): Promise<
  Result<{ staff: StaffView[]; invitations: InvitationView[]; next: string | null }, Refusal<'forbidden'>>
> {
  const { db } = deps;
  const p = input.principal;
  const refused = staffRefusal(p, STAFF_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const now = deps.clock.now();
  const after =
    input.after === undefined
      ? undefined
      : sql`(${staffMembers.name}, ${staffMembers.id}) > (select a.name, a.id from staff_members a
          where a.id = ${input.after} and a.organization_id = ${p.organizationId})`;
  const out = await runBatch(db, {
    staff: db
      .select({
        id: staffMembers.id,
        name: staffMembers.name,
        email: staffMembers.email,
        role: staffMembers.role,
        createdAt: staffMembers.createdAt,
        removedAt: staffMembers.removedAt,
        ...passkeyColumns(),
      })
      .from(staffMembers)
      .where(and(eq(staffMembers.organizationId, p.organizationId), isNull(staffMembers.removedAt), after))
      .orderBy(asc(staffMembers.name), asc(staffMembers.id))
      .limit(input.limit + 1),
    // The organisation's own name and kind are added below: unnamed constant columns would share one
    // column name in the batch's rows and shift every column after them.
    invitations: db
      .select({
        id: staffInvitations.id,
        organizationId: staffInvitations.organizationId,
        role: staffInvitations.role,
        name: staffInvitations.name,
        email: staffInvitations.email,
        createdAt: staffInvitations.createdAt,
        expiresAt: staffInvitations.expiresAt,
        acceptedAt: staffInvitations.acceptedAt,
        revokedAt: staffInvitations.revokedAt,
      })
      .from(staffInvitations)
      .where(
        and(
          eq(staffInvitations.organizationId, p.organizationId),
          gt(staffInvitations.createdAt, now - INVITATION_TTL_MS),
          openInvitation(now),
        ),
      )
      .orderBy(desc(staffInvitations.createdAt))
      .limit(50),
  });
  const staff = out.staff.slice(0, input.limit);
  return ok({
    staff,
    invitations: out.invitations.map((i) => ({
      ...i,
      organizationName: p.organization.name,
      organizationKind: p.role,
    })),
    next: out.staff.length > input.limit ? staff[staff.length - 1]!.id : null,
  });
}

const staffNotFound = (id: string): Refusal<'staff_not_found'> => ({
  code: 'staff_not_found',
  detail: `No staff member ${id}`,
});

/** The owners left if `staffId` stopped being one: an organisation always keeps an owner. */
const otherOwners = (organizationId: string, staffId: string) =>
  sql`(select count(*) from staff_members o where o.organization_id = ${organizationId}
    and o.role = 'owner' and o.removed_at is null and o.id <> ${staffId})`;

/** Changes a staff member's role (owners only); the last owner stays an owner. One round trip. */
export async function changeStaffRole(
  deps: Deps,
  input: { principal: OrgPrincipal; staffId: string; role: StaffRole },
): Promise<Result<StaffView, StaffRefusal | Refusal<'last_owner'>>> {
  const { db } = deps;
  const p = input.principal;
  const refused = staffRefusal(p, STAFF_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!rolesOf(p.role).includes(input.role))
    return err({
      code: 'validation_failed',
      detail: `A ${p.role}'s staff roles are ${rolesOf(p.role).join(', ')}`,
    });
  const now = deps.clock.now();
  // The change applies when the member is this organisation's, still here, of another role, and, for
  // an owner's demotion, not the last owner. The audit entry is written just before the update under
  // the same condition (one transaction: it holds before the update exactly when the update applies),
  // so it can say the role it changes from.
  const applies = (m: SQL) => sql`${m}.id = ${input.staffId} and ${m}.organization_id = ${p.organizationId}
    and ${m}.removed_at is null and ${m}.role <> ${input.role}
    and ${input.role === 'owner' ? sql`1` : sql`(${m}.role <> 'owner' or ${otherOwners(p.organizationId, input.staffId)} > 0)`}`;
  const done = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: p.organizationId,
      action: 'staff.change_role',
      subject: { type: 'staff', id: input.staffId },
      detail: sql`(select json_object('from', x.role, 'to', ${input.role}) from staff_members x
        where x.id = ${input.staffId})`,
      when: sql`exists (select 1 from staff_members x where ${applies(sql.raw('x'))})`,
      at: now,
    }),
    update: db
      .update(staffMembers)
      .set({ role: input.role })
      .where(applies(sql.raw('"staff_members"'))),
    after: staffRow(deps, input.staffId, p.organizationId),
  });
  const row = done.after[0];
  if (!row || row.removedAt !== null) return err(staffNotFound(input.staffId));
  if (row.role !== input.role)
    return err({ code: 'last_owner', detail: 'Every organisation keeps at least one owner' });
  return ok(row);
}

function staffRow(deps: Deps, staffId: string, organizationId: string) {
  return deps.db
    .select({
      id: staffMembers.id,
      name: staffMembers.name,
      email: staffMembers.email,
      role: staffMembers.role,
      createdAt: staffMembers.createdAt,
      removedAt: staffMembers.removedAt,
      ...passkeyColumns(),
    })
    .from(staffMembers)
    .where(and(eq(staffMembers.id, staffId), eq(staffMembers.organizationId, organizationId)));
}

/**
 * Removes a staff member (owners only; not the last owner): their console key is revoked and every
 * session of theirs ended in the same batch, so they are out at their next request.
 */
export async function removeStaff(
  deps: Deps,
  input: { principal: OrgPrincipal; staffId: string },
): Promise<Result<StaffView, StaffRefusal | Refusal<'last_owner'>>> {
  const { db } = deps;
  const p = input.principal;
  const refused = staffRefusal(p, STAFF_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const now = deps.clock.now();
  const target = sql`(select m.id from staff_members m where m.id = ${input.staffId}
    and m.organization_id = ${p.organizationId} and m.removed_at is null
    and (m.role <> 'owner' or ${otherOwners(p.organizationId, input.staffId)} > 0))`;
  const removed = sql`exists (select 1 from staff_members x where x.id = ${input.staffId} and x.removed_at = ${now})`;
  const done = await runBatch(db, {
    staff: db.update(staffMembers).set({ removedAt: now }).where(sql`${staffMembers.id} = ${target}`),
    key: db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(
        sql`${apiKeys.id} = (select x.key_id from staff_members x where x.id = ${input.staffId} and x.removed_at = ${now}) and ${apiKeys.revokedAt} is null`,
      ),
    sessions: db
      .update(pageSessions)
      .set({ endedAt: now })
      .where(and(eq(pageSessions.staffId, input.staffId), isNull(pageSessions.endedAt), sql`${removed}`)),
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: p.organizationId,
      action: 'staff.remove',
      subject: { type: 'staff', id: input.staffId },
      when: removed,
      at: now,
    }),
    after: staffRow(deps, input.staffId, p.organizationId),
  });
  const row = done.after[0];
  if (!row) return err(staffNotFound(input.staffId));
  if (row.removedAt === null)
    return err({ code: 'last_owner', detail: 'Every organisation keeps at least one owner' });
  return ok(row);
}

/** Withdraws an invitation not yet accepted (owners only); an accepted one is no longer there to withdraw. */
export async function revokeInvitation(
  deps: Deps,
  input: { principal: OrgPrincipal; invitationId: string },
): Promise<Result<{ id: string }, StaffRefusal>> {
  const { db } = deps;
  const p = input.principal;
  const refused = staffRefusal(p, STAFF_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const now = deps.clock.now();
  const mine = and(
    eq(staffInvitations.id, input.invitationId),
    eq(staffInvitations.organizationId, p.organizationId),
  );
  const done = await runBatch(db, {
    revoke: db
      .update(staffInvitations)
      .set({ revokedAt: now })
      .where(and(mine, isNull(staffInvitations.acceptedAt), isNull(staffInvitations.revokedAt))),
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: p.organizationId,
      action: 'staff.withdraw_invitation',
      subject: { type: 'invitation', id: input.invitationId },
      when: sql`exists (select 1 from staff_invitations i where i.id = ${input.invitationId} and i.revoked_at = ${now})`,
      at: now,
    }),
    after: db
      .select({ id: staffInvitations.id })
      .from(staffInvitations)
      .where(and(mine, isNull(staffInvitations.acceptedAt))),
  });
  return done.after[0]
    ? ok(done.after[0])
    : err({ code: 'invitation_not_found', detail: INVITATION_GONE.detail });
}

/** Deletes challenges never answered (run by the cron trigger). */
export async function purgeWebauthnChallenges(deps: Deps): Promise<number> {
  const res = await deps.db
    .delete(webauthnChallenges)
    .where(lt(webauthnChallenges.expiresAt, deps.clock.now() - DAY_MS))
    .run();
  return res.meta.changes ?? 0;
}

export function b64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
