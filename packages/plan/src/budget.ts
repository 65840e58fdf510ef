import { addMonths, err, localMonth, monthRange, ok, type Refusal, type Result } from '@gratia/core';
import {
  type BatchResults,
  type Deps,
  type OrgPrincipal,
  PLAN_CHANNELS,
  type PlanChannel,
  planMonthFigures,
  runBatch,
  staffRefusal,
} from '@gratia/db';
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { PLAN_MANAGERS } from './items';

// The plan's budget, month by month: the gifts planned (still to give) and given, with their cost, and
// every interaction by channel. Read from plan_month_figures (kept by triggers on plan_items), at most
// one row per channel and month asked, whatever the clinic's history. By default this month and the 11
// after it; at most 24 months. A month is the month an item is due, in the clinic's timezone.

export const BUDGET_MAX_MONTHS = 24;

export interface ChannelFigures {
  planned: number;
  done: number;
  skipped: number;
}

export interface BudgetMonth {
  month: string;
  /** Gifts still planned for the month, and their cost. */
  giftsPlanned: { count: number; cost: number };
  /** Gifts given (done), and their cost. */
  giftsDone: { count: number; cost: number };
  /** The cost of every item of the month, planned and done (a gift's price, mostly). */
  cost: { planned: number; done: number };
  byChannel: Record<PlanChannel, ChannelFigures>;
}

export interface PlanBudget {
  from: string;
  to: string;
  currency: string;
  months: BudgetMonth[];
}

const emptyMonth = (month: string): BudgetMonth => ({
  month,
  giftsPlanned: { count: 0, cost: 0 },
  giftsDone: { count: 0, cost: 0 },
  cost: { planned: 0, done: 0 },
  byChannel: Object.fromEntries(PLAN_CHANNELS.map((c) => [c, { planned: 0, done: 0, skipped: 0 }])) as Record<
    PlanChannel,
    ChannelFigures
  >,
});

export async function readPlanBudget(
  deps: Deps,
  input: { clinic: OrgPrincipal; from?: string; to?: string },
): Promise<Result<PlanBudget, Refusal<'forbidden' | 'validation_failed'>>> {
  const p = input.clinic;
  const refused = staffRefusal(p, PLAN_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const range = budgetMonths(deps, input);
  if (!range.ok) return range;
  const q = budgetQuery(deps, { clinic: p, ...range.value });
  return ok(q.read(await runBatch(deps.db, q.statements)));
}

/** The budget's statement for months already checked, to run alone or in another batch, and its reading. */
export function budgetQuery(deps: Deps, input: { clinic: OrgPrincipal; from: string; to: string }) {
  const { from, to } = input;
  const p = input.clinic;
  const { db } = deps;
  const statements = {
    budget: db
      .select()
      .from(planMonthFigures)
      .where(
        and(
          eq(planMonthFigures.clinicId, p.organizationId),
          gte(planMonthFigures.month, from),
          lte(planMonthFigures.month, to),
        ),
      )
      .orderBy(asc(planMonthFigures.month)),
  };
  const read = (out: BatchResults<typeof statements>): PlanBudget => {
    const months = new Map<string, BudgetMonth>();
    for (let m = from; m <= to; m = addMonths(m, 1)) months.set(m, emptyMonth(m));
    for (const r of out.budget) {
      const m = months.get(r.month);
      if (!m) continue;
      m.byChannel[r.channel] = { planned: r.planned, done: r.done, skipped: r.skipped };
      m.cost.planned += r.plannedCost;
      m.cost.done += r.doneCost;
      if (r.channel === 'gift') {
        m.giftsPlanned = { count: r.planned, cost: r.plannedCost };
        m.giftsDone = { count: r.done, cost: r.doneCost };
      }
    }
    return { from, to, currency: p.organization.currency, months: [...months.values()] };
  };
  return { statements, read };
}

/** The months a budget covers, from what was asked: by default this month and the 11 after it. */
export function budgetMonths(deps: Deps, input: { clinic: OrgPrincipal; from?: string; to?: string }) {
  const current = localMonth(deps.clock.now(), input.clinic.organization.timezone);
  const asked =
    input.from === undefined && input.to === undefined
      ? { from: current, to: addMonths(current, 11) }
      : input;
  return monthRange(asked, input.to ?? addMonths(input.from ?? current, 11), {
    defaultMonths: 12,
    maxMonths: BUDGET_MAX_MONTHS,
  });
}
