import { toIso } from '@gratia/core';
import type { CallRecord } from '@gratia/db';
import { CALL_OUTCOMES } from '@gratia/db';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

export const CallOutcomeSchema = z.enum(CALL_OUTCOMES).openapi({
  description:
    'What came of the call. `do_not_call` takes the patient off the call list until a later call records another outcome.',
  example: 'left_message',
});

export const CallRecordSchema = z
  .object({
    id: z.string().openapi({ example: 'cal_01JD0000000000000000000000' }),
    patient_id: z.string(),
    outcome: CallOutcomeSchema,
    note: z.string().nullable(),
    at: TimestampSchema,
    by: z
      .object({
        kind: z.enum(['staff', 'api_key']),
        id: z.string().openapi({ description: 'The staff member (`stf_`) or the API key (`key_`)' }),
        name: z.string().nullable().openapi({ description: 'The staff member’s name, or the key’s' }),
      })
      .openapi({ description: 'Who recorded the call: a staff member, or an API key' }),
  })
  .openapi('CallOutcome');

export function callRecordJson(r: CallRecord): z.infer<typeof CallRecordSchema> {
  return {
    id: r.id,
    patient_id: r.patientId,
    outcome: r.outcome,
    note: r.note,
    at: toIso(r.at),
    by: { kind: r.by.kind, id: r.by.id, name: r.by.name },
  };
}
