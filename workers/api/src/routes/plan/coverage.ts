import { type CoveragePosition, readCoverage } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, ListQuerySchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

// A cursor of the coverage list: how far behind the last patient was (shifted to stay positive: a
// patient ahead of target is behind by a negative number) and their id.
const SHIFT = 1_000_000_000;
export const encodeCoverageCursor = (p: CoveragePosition) =>
  encodePositionCursor(p.behind + SHIFT, p.patientId);
export function decodeCoverageCursor(cursor: string | undefined): CoveragePosition | null {
  const p = decodePositionCursor(cursor, 'pat');
  return p ? { behind: p.at - SHIFT, patientId: p.id } : null;
}

const CoverageSchema = z
  .object({
    since: z
      .string()
      .openapi({ description: 'The first month counted (12 months up to this one)', example: '2025-12' }),
    summary: z.object({
      patients: z.number().int(),
      with_plan: z.number().int(),
      on_target: z.number().int(),
      behind: z.number().int(),
      without_plan: z.number().int(),
    }),
    data: z.array(
      z.object({
        patient_id: z.string(),
        first_name: z.string(),
        last_name: z.string(),
        owner_staff_id: z.string().nullable(),
        owner_name: z.string().nullable(),
        target: z.number().int().openapi({ description: 'Interactions a year, from the plan’s template' }),
        done: z.number().int().openapi({ description: 'Items done, due in the last 12 months or later' }),
        behind: z.number().int().openapi({ description: 'target − done (negative: ahead)' }),
      }),
    ),
    next_cursor: z.string().nullable(),
    overdue: z.array(
      z.object({
        owner_staff_id: z.string().nullable(),
        owner_name: z.string().nullable(),
        count: z.number().int(),
        oldest_due_on: z.string(),
      }),
    ),
  })
  .openapi('PlanCoverage');

export const route = createRoute({
  method: 'get',
  path: '/v1/plan/coverage',
  operationId: 'getPlanCoverage',
  tags: ['Plan'],
  summary:
    'The plan’s coverage: interactions done against each patient’s target, and overdue items per owner',
  description:
    'Per patient with a plan, the items done (due in the last 12 months, this one included) against their template’s interactions a year, furthest behind first, a page at a time; how many patients are on target, behind or without a plan; and each owner’s overdue items (still planned, due before today). Read from figures kept with every item. Owners and managers (and API keys).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ListQuerySchema },
  responses: { 200: jsonContent(CoverageSchema, 'The coverage'), ...commonErrors },
});

export function registerPlanCoverage(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = decodeCoverageCursor(cursor);
    const out = await readCoverage(c.var.deps, { clinic: orgOf(c), after, limit });
    if (!out.ok) return refusal(c, out.error);
    const v = out.value;
    return c.json(
      {
        since: v.since,
        summary: {
          patients: v.summary.patients,
          with_plan: v.summary.withPlan,
          on_target: v.summary.onTarget,
          behind: v.summary.behind,
          without_plan: v.summary.withoutPlan,
        },
        data: v.rows.map((r) => ({
          patient_id: r.patientId,
          first_name: r.firstName,
          last_name: r.lastName,
          owner_staff_id: r.ownerStaffId,
          owner_name: r.ownerName,
          target: r.target,
          done: r.done,
          behind: r.behind,
        })),
        next_cursor: v.next ? encodeCoverageCursor(v.next) : null,
        overdue: v.overdue.map((o) => ({
          owner_staff_id: o.ownerStaffId,
          owner_name: o.ownerName,
          count: o.count,
          oldest_due_on: o.oldestDueOn,
        })),
      },
      200,
    );
  });
}
