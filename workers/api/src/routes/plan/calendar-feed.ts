import { createCalendarFeed, revokeCalendarFeed } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

const Whose = z
  .object({
    staff_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'Whose feed (default: the signed-in staff member; an API key must name one)' }),
  })
  .strict()
  .openapi('CalendarFeedOwner');

const FeedSchema = z
  .object({
    staff_id: z.string(),
    url: z.string().openapi({
      description: 'The secret address of the feed (shown once): anyone holding it reads the items',
      example: 'https://gratia.example/calendar/3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAA.ics',
    }),
    webcal_url: z
      .string()
      .openapi({ description: 'The same as webcal://, which calendar apps subscribe to' }),
  })
  .openapi('CalendarFeed');

export const createFeedRoute = createRoute({
  method: 'post',
  path: '/v1/plan/calendar-feed',
  operationId: 'createCalendarFeed',
  tags: ['Plan'],
  summary: 'Create (or replace) a staff member’s iCalendar feed of their items',
  description:
    'Answers the feed’s secret URL once; only its hash is kept. Creating it again replaces the token: the previous URL answers 404 from then on. The feed (RFC 5545) holds the staff member’s planned items from 30 days ago to a year ahead, one all-day event each. Owners and managers (and API keys) may create another staff member’s.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: { ...jsonBody(Whose), required: false } },
  responses: {
    201: jsonContent(FeedSchema, 'The feed’s address, shown once'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export const revokeFeedRoute = createRoute({
  method: 'delete',
  path: '/v1/plan/calendar-feed',
  operationId: 'revokeCalendarFeed',
  tags: ['Plan'],
  summary: 'Revoke a staff member’s iCalendar feed',
  description: 'Its URL answers 404 from now on.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: z.object({
      staff_id: z
        .string()
        .max(64)
        .optional()
        .openapi({ description: 'Whose feed (default: the signed-in staff member)' }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ staff_id: z.string(), revoked: z.literal(true) }), 'Revoked'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerCalendarFeed(app: App) {
  app.openapi(createFeedRoute, async (c) => {
    const body = c.req.valid('json') ?? {};
    const out = await createCalendarFeed(c.var.deps, { clinic: orgOf(c), staffId: body.staff_id });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ staff_id: out.value.staffId, url: out.value.url, webcal_url: out.value.webcal }, 201);
  });
  app.openapi(revokeFeedRoute, async (c) => {
    const { staff_id } = c.req.valid('query');
    const out = await revokeCalendarFeed(c.var.deps, { clinic: orgOf(c), staffId: staff_id });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ staff_id: out.value.staffId, revoked: true as const }, 200);
  });
}
