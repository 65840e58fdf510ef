import { createDb, type Deps, purgeAbuseCounters, purgeExpiredIdempotencyKeys } from '@gratia/db';
import {
  backfillPatientInsight,
  refreshInsightDaily,
  snapshotDueSegments,
  surveyRequestMessages,
} from '@gratia/insight';
import { runBirthdays } from '@gratia/loyalty';
import {
  birthdayMessages,
  cardUrl,
  expiringPointsMessages,
  type MessageJobLinks,
  planItemMessages,
  sweepOutbox,
} from '@gratia/messaging';

import { backfillPatientSearchTerms, purgePageSessions, purgeWebauthnChallenges } from '@gratia/network';
import { addExpiringPointsCalls, keepPlansAhead } from '@gratia/plan';
import { backfillClinicFigures, bookExpiredPoints } from '@gratia/points';
import { catchUpSettlementLines, closeSettlementPeriods, reconcile } from '@gratia/settlement';
import { markLapsedVouchers, voucherKeys } from '@gratia/vouchers';
import type { Env } from './env';
import { networkConfig } from './lib/config';
import { queueDispatcher } from './lib/messaging';

/** The deps of one cron run: the same use cases as a request, with the run's own clock and log. */
export function scheduledDeps(env: Env, now: number, cron: string, pending: Promise<unknown>[]): Deps {
  return {
    db: createDb(env.DB),
    clock: { now: () => now },
    // A cron run has no request origin: links it builds use PUBLIC_BASE_URL.
    config: networkConfig(env, 'http://localhost'),
    log: (event) => console.log(JSON.stringify({ ...event, cron })),
    defer: (work) => {
      pending.push(work);
    },
  };
}

/** The frequent cron: the outbox sweep (and the scheduled messages, which run through the outbox). */
export const OUTBOX_CRON = '*/5 * * * *';

/** The network-local hour at which the daily reconciliation runs. */
export const RECONCILE_HOUR = 3;

const localHour = (now: number, timeZone: string) =>
  Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone }).format(now));

/**
 * Issue 13, sending: the scheduled messages, written to the outbox each once per reason, a bounded
 * slice a run (for the "*\/5 * * * *" cron). Links point at the patient's card page (cardUrl).
 */
export const MESSAGE_JOBS = (deps: Deps): Record<string, () => Promise<unknown>> => {
  const links: MessageJobLinks = { patientUrl: (id) => cardUrl(deps, id) };
  return {
    expiring_points_messages: () => expiringPointsMessages(deps, links),
    birthday_messages: () => birthdayMessages(deps, links),
    plan_item_messages: () => planItemMessages(deps, links),
    // Survey requests a clinic's delay after a visit, each with the visit's survey link.
    survey_request_messages: () => surveyRequestMessages(deps),
  };
};

/** The cron trigger's work, each job independent so one failure does not stop the others. */
export async function runScheduledJobs(
  env: Env,
  now: number,
  cron: string,
): Promise<Record<string, unknown>> {
  const pending: Promise<unknown>[] = [];
  const deps = scheduledDeps(env, now, cron, pending);
  deps.dispatch = queueDispatcher(env, deps);
  // Every five minutes: the scheduled messages (each written once per reason and handed to the queue),
  // then the sweep of whatever the queue has not taken.
  if (cron === OUTBOX_CRON)
    return runJobs({ ...MESSAGE_JOBS(deps), sweep_outbox: () => sweepOutbox(deps) }, cron, pending);
  const jobs: Record<string, () => Promise<unknown>> = {
    book_point_expiry: () => bookExpiredPoints(deps),
    // Lines for redemptions that have none (recorded before settlement, or by an older Worker during a
    // deploy), before any month they belong to is closed.
    catch_up_settlement_lines: async () =>
      catchUpSettlementLines(deps, { signerKid: (await voucherKeys(deps)).signer.kid }),
    close_settlement_periods: () => closeSettlementPeriods(deps),
    mark_lapsed_vouchers: () => markLapsedVouchers(deps),
    purge_idempotency_keys: () => purgeExpiredIdempotencyKeys(deps),
    purge_abuse_counters: () => purgeAbuseCounters(deps),
    purge_page_sessions: () => purgePageSessions(deps),
    purge_webauthn_challenges: () => purgeWebauthnChallenges(deps),
    // Search terms of patients registered before terms existed (migration 0006), a slice an hour.
    backfill_patient_search_terms: () => backfillPatientSearchTerms(deps),
    // Monthly report figures of clinics that existed before the report triggers (migration 0013).
    backfill_clinic_figures: () => backfillClinicFigures(deps),
    // Patient insight (issue 11): behaviour of patients before migration 0016, a few clinics a run; then
    // every clinic re-derived once a day (recency, windows, A/B/C, this month's snapshot), a few a run.
    backfill_patient_insight: () => backfillPatientInsight(deps),
    refresh_patient_insight: () => refreshInsightDaily(deps),
    // Segments' members and engagement this month, for their charts: each clinic's once a day, a
    // slice of clinics a run.
    snapshot_segments: () => snapshotDueSegments(deps),
    // Birthdays (issue 12): plan items before them and the reward on the day, a slice of patients a
    // run, each once a year however often it runs.
    birthdays: () => runBirthdays(deps),
    // The loyalty plan (issue 12): every patient's plan kept 12 months ahead (a slice of patients a run,
    // each once a day), and a call on the plan for cards whose points expire within 30 days.
    keep_plans_ahead: () => keepPlansAhead(deps),
    plan_points_expiring: () => addExpiringPointsCalls(deps),
  };
  // Once a day, in the quiet hour of the network's night: recompute every summary from its records.
  if (localHour(now, deps.config.timezone) === RECONCILE_HOUR) jobs.reconcile = () => reconcile(deps);
  return runJobs(jobs, cron, pending);
}

async function runJobs(
  jobs: Record<string, () => Promise<unknown>>,
  cron: string,
  pending: Promise<unknown>[],
): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const [name, job] of Object.entries(jobs)) {
    try {
      results[name] = await job();
    } catch (e) {
      results[name] = { error: String(e) };
      console.error(JSON.stringify({ level: 'error', job: name, cron, error: String(e) }));
    }
  }
  await Promise.allSettled(pending);
  console.log(JSON.stringify({ level: 'info', cron, results }));
  return results;
}
