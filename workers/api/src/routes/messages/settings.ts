import { minuteOf, readMessagingSettings, saveMessagingSettings } from '@gratia/messaging';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { MessagingSettingsInputSchema, MessagingSettingsSchema, settingsJson } from './schema';

export const getRoute = createRoute({
  method: 'get',
  path: '/v1/messaging/settings',
  operationId: 'getMessagingSettings',
  tags: ['Messages'],
  summary: 'The clinic’s delivery settings: quiet hours, the monthly cap, reminder timings',
  description:
    'The defaults (quiet 21:00–08:00, 4 marketing messages a month, reminders 14 days before points lapse, surveys 24 hours after a visit, birthday greetings on) until the clinic saves its own.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(MessagingSettingsSchema, 'The settings'), ...commonErrors },
});

export const putRoute = createRoute({
  method: 'put',
  path: '/v1/messaging/settings',
  operationId: 'setMessagingSettings',
  tags: ['Messages'],
  summary: 'Set the clinic’s delivery settings',
  description:
    'Quiet hours are in each patient’s timezone (the clinic’s when the patient has none). Owners and managers in the console; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(MessagingSettingsInputSchema) },
  responses: {
    200: jsonContent(MessagingSettingsSchema, 'The settings now in force'),
    ...commonErrors,
    ...problemResponses(400),
  },
});

export function registerMessagingSettings(app: App) {
  app.openapi(getRoute, async (c) => {
    return c.json(settingsJson(await readMessagingSettings(c.var.deps, { clinic: orgOf(c) })), 200);
  });
  app.openapi(putRoute, async (c) => {
    const b = c.req.valid('json');
    const out = await saveMessagingSettings(c.var.deps, {
      clinic: orgOf(c),
      settings: {
        quietStartMinute: minuteOf(b.quiet_start) ?? -1,
        quietEndMinute: minuteOf(b.quiet_end) ?? -1,
        monthlyCap: b.monthly_cap,
        expiryReminderDays: b.expiry_reminder_days,
        surveyDelayHours: b.survey_delay_hours,
        birthdayGreetings: b.birthday_greetings,
      },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(settingsJson(out.value), 200);
  });
}
