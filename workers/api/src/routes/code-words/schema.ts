import { toIso } from '@gratia/core';
import { type CodeWordUse, type LoyaltyReward, REWARD_KINDS } from '@gratia/db';
import type { CodeWordUseView, CodeWordView } from '@gratia/loyalty';
import type { RewardSpec } from '@gratia/points';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// Code words at the edge. The reward is `kind` plus the one field it needs (checked by the use case,
// which names the missing field: `reward.points`); the word is matched without regard to case or
// spaces, so the schema takes any short text and the use case says what is wrong with it.

export const WordInputSchema = z
  .string()
  .min(1)
  .max(80)
  .openapi({ description: 'Letters and digits, 3 to 32 (case and spaces ignored)', example: 'LAVENDER' });

export const RewardInputSchema = z
  .object({
    kind: z.enum(REWARD_KINDS),
    points: z.number().int().min(1).max(1_000_000).optional(),
    discount_bps: z.number().int().min(1).max(10_000).optional(),
    discount_amount: z.number().int().min(1).max(1_000_000_000).optional(),
    offer_id: z.string().max(64).optional(),
  })
  .strict()
  .openapi('CodeWordRewardInput', {
    description:
      'What the word gives: `points` (bonus points), `discount_bps` (basis points off today’s visit), `discount_amount` (minor units off today’s visit) or `voucher` (a gift voucher for the catalogue offer `offer_id`, active and in the clinic’s currency).',
    example: { kind: 'discount_bps', discount_bps: 1000 },
  });

export const specOfInput = (r: z.infer<typeof RewardInputSchema>): RewardSpec => ({
  kind: r.kind,
  points: r.points ?? null,
  discountBps: r.discount_bps ?? null,
  discountAmount: r.discount_amount ?? null,
  offerId: r.offer_id ?? null,
});

const RewardSchema = z
  .object({
    kind: z.enum(REWARD_KINDS),
    points: z.number().int().nullable(),
    discount_bps: z.number().int().nullable(),
    discount_amount: z.number().int().nullable(),
    offer_id: z.string().nullable(),
  })
  .openapi('CodeWordReward');

export const CodeWordSchema = z
  .object({
    id: z.string().openapi({ example: 'cwd_01JD0000000000000000000000' }),
    word: z.string().openapi({ example: 'LAVENDER' }),
    description: z.string().nullable(),
    reward: RewardSchema,
    offer_title: z.string().nullable(),
    gives: z.string().openapi({ example: '10% off today’s visit' }),
    currency: z.string(),
    valid_from: TimestampSchema,
    valid_until: TimestampSchema,
    total_limit: z.number().int().nullable(),
    per_patient_limit: z.number().int(),
    segment_id: z.string().nullable(),
    segment_name: z.string().nullable(),
    per_patient_codes: z.boolean(),
    uses: z.number().int(),
    status: z.enum(['scheduled', 'active', 'expired', 'ended', 'used_up']),
    ended_at: TimestampSchema.nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('CodeWord');

export function codeWordJson(w: CodeWordView): z.infer<typeof CodeWordSchema> {
  return {
    id: w.id,
    word: w.word,
    description: w.description,
    reward: {
      kind: w.reward.kind,
      points: w.reward.points ?? null,
      discount_bps: w.reward.discountBps ?? null,
      discount_amount: w.reward.discountAmount ?? null,
      offer_id: w.reward.offerId ?? null,
    },
    offer_title: w.offerTitle,
    gives: w.gives,
    currency: w.currency,
    valid_from: toIso(w.validFrom),
    valid_until: toIso(w.validUntil),
    total_limit: w.totalLimit,
    per_patient_limit: w.perPatientLimit,
    segment_id: w.segmentId,
    segment_name: w.segmentName,
    per_patient_codes: w.perPatientCodes,
    uses: w.uses,
    status: w.status,
    ended_at: w.endedAt === null ? null : toIso(w.endedAt),
    created_at: toIso(w.createdAt),
    updated_at: toIso(w.updatedAt),
  };
}

export const CodeWordUseSchema = z
  .object({
    id: z.string().openapi({ example: 'cwu_01JD0000000000000000000000' }),
    patient_id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    seq: z.number().int().openapi({ description: 'The patient’s nth use of the word' }),
    total_seq: z.number().int().openapi({ description: 'The word’s nth use' }),
    used_at: TimestampSchema,
    reward_id: z.string().nullable(),
    staff_name: z.string().nullable().openapi({ description: 'Who entered it (null: an API key)' }),
  })
  .openapi('CodeWordUse');

export const codeWordUseJson = (u: CodeWordUseView): z.infer<typeof CodeWordUseSchema> => ({
  id: u.id,
  patient_id: u.patientId,
  first_name: u.firstName,
  last_name: u.lastName,
  seq: u.seq,
  total_seq: u.totalSeq,
  used_at: toIso(u.usedAt),
  reward_id: u.rewardId,
  staff_name: u.staffName,
});

export const AppliedSchema = z
  .object({
    use: z.object({
      id: z.string(),
      code_word_id: z.string(),
      word: z.string(),
      patient_id: z.string(),
      seq: z.number().int(),
      total_seq: z.number().int(),
      used_at: TimestampSchema,
    }),
    gives: z.string().openapi({ example: '10% off today’s visit' }),
    reward: z.object({
      id: z.string(),
      kind: z.enum(REWARD_KINDS),
      title: z.string(),
      status: z.string().openapi({ description: '`used` for a discount taken off today’s visit' }),
      points: z.number().int().nullable(),
      discount_bps: z.number().int().nullable(),
      discount_amount: z.number().int().nullable(),
      currency: z.string(),
      voucher_id: z.string().nullable(),
    }),
    voucher: z
      .object({ id: z.string(), url: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The gift voucher issued (a voucher reward), with its link for the patient' }),
  })
  .openapi('CodeWordApplied');

export const appliedJson = (a: {
  use: CodeWordUse & { word: string };
  reward: LoyaltyReward;
  gives: string;
  voucher: { id: string; url: string | null } | null;
}): z.infer<typeof AppliedSchema> => ({
  use: {
    id: a.use.id,
    code_word_id: a.use.codeWordId,
    word: a.use.word,
    patient_id: a.use.patientId,
    seq: a.use.seq,
    total_seq: a.use.totalSeq,
    used_at: toIso(a.use.usedAt),
  },
  gives: a.gives,
  reward: {
    id: a.reward.id,
    kind: a.reward.kind,
    title: a.reward.title,
    status: a.reward.status,
    points: a.reward.points,
    discount_bps: a.reward.discountBps,
    discount_amount: a.reward.discountAmount,
    currency: a.reward.currency,
    voucher_id: a.reward.voucherId,
  },
  voucher: a.voucher ? { id: a.voucher.id, url: a.voucher.url } : null,
});

export const CodeWordIdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({
      param: { name: 'id', in: 'path' },
      example: 'cwd_01JD0000000000000000000000',
      description: 'Code word id',
    }),
});
