import { addDays, err, isId, ok, type Refusal, type Result, randomToken, sha256Hex } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  calendarFeeds,
  type Deps,
  type OrgPrincipal,
  organizations,
  type PlanChannel,
  type PlanKind,
  patients,
  planItems,
  runBatch,
  staffMembers,
} from '@gratia/db';
import { and, asc, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import ical, { ICalEventTransparency } from 'ical-generator';
import { managesPlan } from './items';
import { PLAN_CHANNEL_TEXT, PLAN_CHANNEL_VERB, PLAN_KIND_TEXT, shortName } from './plan-text';

// A staff member's items of the plan as an iCalendar feed (RFC 5545) their calendar app subscribes to:
// a secret URL, /calendar/<token>.ics, that works without a session (calendar apps have none). Only the
// SHA-256 of the token is kept; creating a feed again replaces the token (the old URL stops working at
// once), revoking deletes it. The feed holds the staff member's planned items from 30 days ago to a year
// ahead, one all-day event each, saying no more than the agenda does: whom to contact, why, how, and a
// link to the patient's page in the console (which asks for a session).

export const FEED_PAST_DAYS = 30;
export const FEED_AHEAD_DAYS = 366;
/** A feed holds at most this many items (a year of a busy agenda). */
export const FEED_MAX_ITEMS = 2000;
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

type FeedRefusal = 'validation_failed' | 'forbidden' | 'staff_not_found' | 'unauthorized';

/** Whose feed: the staff member named, or the signed-in one; others' only for owners, managers and keys. */
function feedOwner(p: OrgPrincipal, staffId: string | undefined): Result<string, Refusal<FeedRefusal>> {
  const target = staffId ?? p.staff?.id;
  if (!target)
    return err({
      code: 'validation_failed',
      detail: 'An API key acts for no one: name the staff member whose calendar feed this is',
      errors: [{ path: 'staff_id', message: 'give a staff member id (stf_...) with an API key' }],
    });
  if (!isId('stf', target))
    return err({
      code: 'validation_failed',
      detail: 'The staff member is not valid',
      errors: [{ path: 'staff_id', message: 'must be a staff member id (stf_...)' }],
    });
  if (!managesPlan(p) && target !== p.staff?.id)
    return err({
      code: 'forbidden',
      detail: 'Only an owner or a manager may manage another staff member’s feed',
    });
  return ok(target);
}

export interface CreatedFeed {
  staffId: string;
  /** https://…/calendar/<token>.ics: shown once. */
  url: string;
  /** The same as webcal://, which calendar apps open as a subscription. */
  webcal: string;
}

/** Creates (or replaces) a staff member's feed, with an audit entry, in one batch. */
export async function createCalendarFeed(
  deps: Deps,
  input: { clinic: OrgPrincipal; staffId?: string },
): Promise<Result<CreatedFeed, Refusal<FeedRefusal>>> {
  const who = feedOwner(input.clinic, input.staffId);
  if (!who.ok) return who;
  const staffId = who.value;
  const { db } = deps;
  const p = input.clinic;
  const now = deps.clock.now();
  const token = randomToken(24);
  const hash = await sha256Hex(token);
  const out = await runBatch(db, {
    staff: db
      .select({ id: staffMembers.id })
      .from(staffMembers)
      .where(
        and(
          eq(staffMembers.id, staffId),
          eq(staffMembers.organizationId, p.organizationId),
          isNull(staffMembers.removedAt),
        ),
      ),
    save: db
      .insert(calendarFeeds)
      .select(
        sql`select m.id, m.organization_id, ${hash}, ${now}, null from staff_members m
          where m.id = ${staffId} and m.organization_id = ${p.organizationId} and m.removed_at is null
            and exists (select 1 from api_keys k where k.id = ${p.keyId} and k.revoked_at is null)`,
      )
      .onConflictDoUpdate({
        target: calendarFeeds.staffId,
        set: { tokenHash: hash, createdAt: now, lastFetchedAt: null },
      }),
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: p.organizationId,
      action: 'calendar_feed.create',
      subject: { type: 'staff_member', id: staffId },
      when: sql`exists (select 1 from calendar_feeds f where f.staff_id = ${staffId} and f.token_hash = ${hash})`,
      at: now,
    }),
    after: db
      .select({ staffId: calendarFeeds.staffId })
      .from(calendarFeeds)
      .where(eq(calendarFeeds.tokenHash, hash)),
  });
  if (out.staff.length === 0) return err({ code: 'staff_not_found', detail: `No staff member ${staffId}` });
  if (out.after.length === 0)
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  const url = `${deps.config.baseUrl}/calendar/${token}.ics`;
  return ok({ staffId, url, webcal: url.replace(/^https?:/, 'webcal:') });
}

/** Revokes a staff member's feed (its URL answers 404 from now on), with an audit entry. */
export async function revokeCalendarFeed(
  deps: Deps,
  input: { clinic: OrgPrincipal; staffId?: string },
): Promise<Result<{ staffId: string }, Refusal<FeedRefusal | 'calendar_feed_not_found'>>> {
  const who = feedOwner(input.clinic, input.staffId);
  if (!who.ok) return who;
  const staffId = who.value;
  const { db } = deps;
  const p = input.clinic;
  const now = deps.clock.now();
  const mine = and(eq(calendarFeeds.staffId, staffId), eq(calendarFeeds.clinicId, p.organizationId));
  const guard = sql`exists (select 1 from calendar_feeds f where f.staff_id = ${staffId}
    and f.clinic_id = ${p.organizationId})
    and exists (select 1 from api_keys k where k.id = ${p.keyId} and k.revoked_at is null)`;
  const out = await runBatch(db, {
    before: db.select({ staffId: calendarFeeds.staffId }).from(calendarFeeds).where(mine),
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: p.organizationId,
      action: 'calendar_feed.revoke',
      subject: { type: 'staff_member', id: staffId },
      when: guard,
      at: now,
    }),
    drop: db.delete(calendarFeeds).where(and(mine, guard)).returning({ staffId: calendarFeeds.staffId }),
  });
  if (out.before.length === 0)
    return err({ code: 'calendar_feed_not_found', detail: 'This staff member has no calendar feed' });
  if (out.drop.length === 0)
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok({ staffId });
}

/** Whether a staff member has a feed now, and since when (the URL itself is never shown again). */
export async function readCalendarFeedState(
  deps: Deps,
  input: { clinic: OrgPrincipal; staffId: string },
): Promise<{ createdAt: number; lastFetchedAt: number | null } | null> {
  const [row] = await deps.db
    .select({ createdAt: calendarFeeds.createdAt, lastFetchedAt: calendarFeeds.lastFetchedAt })
    .from(calendarFeeds)
    .where(
      and(eq(calendarFeeds.staffId, input.staffId), eq(calendarFeeds.clinicId, input.clinic.organizationId)),
    );
  return row ?? null;
}

export interface FeedEvent {
  id: string;
  patientId: string;
  firstName: string;
  lastName: string;
  kind: PlanKind;
  channel: PlanChannel;
  purpose: string;
  dueOn: string;
  updatedAt: number;
}

/** The feed's calendar: one all-day event per item (UID = item id @ host), in RFC 5545 text. */
export function feedCalendar(
  feed: { clinicName: string; staffName: string; baseUrl: string; now: number },
  events: FeedEvent[],
): string {
  const host = new URL(feed.baseUrl).host;
  const cal = ical({
    name: `${feed.staffName} · ${feed.clinicName} plan`,
    prodId: { company: 'Gratia', product: 'Plan', language: 'EN' },
    ttl: 3600,
  });
  for (const e of events) {
    const start = new Date(`${e.dueOn}T00:00:00Z`);
    cal.createEvent({
      id: `${e.id}@${host}`,
      allDay: true,
      start,
      end: new Date(start.getTime() + 86_400_000),
      stamp: new Date(e.updatedAt),
      summary: `${PLAN_CHANNEL_VERB[e.channel]} ${shortName(e.firstName, e.lastName)} — ${PLAN_KIND_TEXT[e.kind]}`,
      description: `${e.purpose}\nChannel: ${PLAN_CHANNEL_TEXT[e.channel]}`,
      url: `${feed.baseUrl}/console/patients/${e.patientId}`,
      transparency: ICalEventTransparency.TRANSPARENT,
    });
  }
  return cal.toString();
}

/**
 * The feed behind a token, as calendar text: the staff member's planned items from FEED_PAST_DAYS ago
 * to FEED_AHEAD_DAYS ahead, in one round trip that also notes when the feed was last fetched. An unknown
 * or replaced token, or a staff member since removed, is not found.
 */
export async function readCalendarFeed(
  deps: Deps,
  input: { token: string },
): Promise<Result<string, Refusal<'calendar_feed_not_found'>>> {
  const notFound = err({
    code: 'calendar_feed_not_found' as const,
    detail: 'No calendar feed at this address',
  });
  if (!TOKEN.test(input.token)) return notFound;
  const { db } = deps;
  const now = deps.clock.now();
  const hash = await sha256Hex(input.token);
  // The days around today in UTC, a day wider each side: every clinic's today falls inside.
  const today = new Date(now).toISOString().slice(0, 10);
  const from = addDays(today, -FEED_PAST_DAYS - 1);
  const to = addDays(today, FEED_AHEAD_DAYS + 1);
  const feed = sql`(select f.staff_id from calendar_feeds f where f.token_hash = ${hash})`;
  const clinic = sql`(select f.clinic_id from calendar_feeds f where f.token_hash = ${hash})`;
  const out = await runBatch(db, {
    feed: db
      .select({
        staffName: staffMembers.name,
        clinicName: sql<string>`${organizations.name}`.as('clinic_name'),
      })
      .from(calendarFeeds)
      .innerJoin(staffMembers, eq(staffMembers.id, calendarFeeds.staffId))
      .innerJoin(organizations, eq(organizations.id, calendarFeeds.clinicId))
      .where(and(eq(calendarFeeds.tokenHash, hash), isNull(staffMembers.removedAt))),
    items: db
      .select({
        id: planItems.id,
        patientId: planItems.patientId,
        firstName: patients.firstName,
        lastName: patients.lastName,
        kind: planItems.kind,
        channel: planItems.channel,
        purpose: planItems.purpose,
        dueOn: planItems.dueOn,
        updatedAt: planItems.updatedAt,
      })
      .from(planItems)
      .innerJoin(patients, eq(patients.id, planItems.patientId))
      .where(
        and(
          sql`${planItems.clinicId} = ${clinic}`,
          sql`${planItems.ownerStaffId} = ${feed}`,
          eq(planItems.status, 'planned'),
          gte(planItems.dueOn, from),
          lte(planItems.dueOn, to),
        ),
      )
      .orderBy(asc(planItems.dueOn), asc(planItems.id))
      .limit(FEED_MAX_ITEMS),
    fetched: db.update(calendarFeeds).set({ lastFetchedAt: now }).where(eq(calendarFeeds.tokenHash, hash)),
  });
  const f = out.feed[0];
  if (!f) return notFound;
  return ok(
    feedCalendar(
      { clinicName: f.clinicName, staffName: f.staffName, baseUrl: deps.config.baseUrl, now },
      out.items as FeedEvent[],
    ),
  );
}
