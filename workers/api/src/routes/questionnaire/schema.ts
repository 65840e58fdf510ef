import { toIso } from '@gratia/core';
import {
  ANSWER_SOURCES,
  PARTNER_CATEGORIES,
  PATIENT_LINK_PURPOSES,
  QUESTION_ROLES,
  QUESTION_TYPES,
  type QuestionnaireResponse,
} from '@gratia/db';
import type { QuestionnaireView } from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

const OptionSchema = z
  .object({
    value: z.string().trim().min(1).max(100),
    label: z.string().trim().min(1).max(200),
    tags: z
      .array(z.string().trim().min(1).max(50))
      .max(20)
      .optional()
      .openapi({
        description: 'Preference tags the patient gets when they choose this option',
        example: ['massage'],
      }),
    category: z.enum(PARTNER_CATEGORIES).optional().openapi({
      description: 'The partner category this option says the patient would enjoy',
    }),
  })
  .strict()
  .openapi('QuestionOption');

export const QuestionSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _ (at most 40)')
      .openapi({
        description: 'Stable across versions: answers are kept by it',
        example: 'interests',
      }),
    type: z.enum(QUESTION_TYPES),
    label: z.string().trim().min(1).max(300),
    help: z.string().trim().max(500).optional(),
    required: z.boolean().default(false),
    role: z.enum(QUESTION_ROLES).optional().openapi({
      description:
        'What the answer tells the clinic: `interests`/`life_situation` give tags, `categories` partner categories, `branch` the preferred branch (its options are the clinic’s branches, filled in when shown), `contact_channel`/`contact_time`, `birthday` (fills the birth date when unknown)',
    }),
    options: z.array(OptionSchema).max(40).optional(),
  })
  .strict()
  .openapi('Question');

export const QuestionnaireInputSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    intro: z.string().trim().max(2000).nullable().optional(),
    questions: z.array(QuestionSchema).min(1).max(40),
  })
  .strict()
  .openapi('QuestionnaireInput');

export const QuestionnaireSchema = z
  .object({
    id: z.string().nullable().openapi({ description: 'Null for the default while it was never stored' }),
    version: z.number().int().openapi({ description: '0: the default every clinic starts from' }),
    title: z.string(),
    intro: z.string().nullable(),
    questions: z.array(QuestionSchema),
    created_at: TimestampSchema.nullable(),
  })
  .openapi('Questionnaire');

export function questionnaireJson(v: QuestionnaireView): z.infer<typeof QuestionnaireSchema> {
  return {
    id: v.id,
    version: v.version,
    title: v.title,
    intro: v.intro,
    questions: v.questions.map((q) => ({ ...q, required: q.required })),
    created_at: v.createdAt === null ? null : toIso(v.createdAt),
  };
}

export const AnswerValueSchema = z
  .union([z.string().max(1000), z.array(z.string().max(100)).max(40), z.number(), z.null()])
  .openapi({ description: 'A choice value, a list of them, text, a date (YYYY-MM-DD) or a 1-5 number' });

export const QuestionnaireResponseSchema = z
  .object({
    id: z.string().openapi({ example: 'qrs_01JD0000000000000000000000' }),
    patient_id: z.string(),
    version: z.number().int(),
    answers: z.record(z.string(), AnswerValueSchema),
    source: z.enum(ANSWER_SOURCES),
    link_id: z.string().nullable(),
    api_key_id: z.string().nullable(),
    submitted_at: TimestampSchema,
  })
  .openapi('QuestionnaireResponse');

export function responseJson(r: QuestionnaireResponse): z.infer<typeof QuestionnaireResponseSchema> {
  return {
    id: r.id,
    patient_id: r.patientId,
    version: r.version,
    answers: r.answers,
    source: r.source,
    link_id: r.linkId,
    api_key_id: r.apiKeyId,
    submitted_at: toIso(r.submittedAt),
  };
}

export const LinkPurposeSchema = z.enum(PATIENT_LINK_PURPOSES);
