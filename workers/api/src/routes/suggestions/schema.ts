import { toIso } from '@gratia/core';
import { SUGGESTION_STATUSES } from '@gratia/db';
import type { SuggestionView } from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

export const SuggestionStatusSchema = z.enum(SUGGESTION_STATUSES).openapi({
  description: 'new → planned → implemented or declined (implemented and declined are final)',
  example: 'planned',
});

export const SuggestionSchema = z
  .object({
    id: z.string().openapi({ example: 'sug_01JD0000000000000000000000' }),
    patient_id: z.string(),
    patient_name: z.string(),
    survey_response_id: z.string().nullable(),
    text: z.string().openapi({ example: 'Evening appointments' }),
    status: SuggestionStatusSchema,
    reply: z.string().nullable().openapi({ description: 'The clinic’s answer, shown to the patient' }),
    created_at: TimestampSchema,
    status_changed_at: TimestampSchema,
    notified_at: TimestampSchema.nullable().openapi({
      description: 'When the patient was told it was implemented (null until the message is delivered)',
    }),
  })
  .openapi('Suggestion');

export const suggestionJson = (s: SuggestionView): z.infer<typeof SuggestionSchema> => ({
  id: s.id,
  patient_id: s.patientId,
  patient_name: `${s.patient.firstName} ${s.patient.lastName}`,
  survey_response_id: s.surveyResponseId,
  text: s.text,
  status: s.status,
  reply: s.reply,
  created_at: toIso(s.createdAt),
  status_changed_at: toIso(s.statusChangedAt),
  notified_at: s.notifiedAt === null ? null : toIso(s.notifiedAt),
});
