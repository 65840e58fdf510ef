import { MESSAGE_CHANNELS, MESSAGE_KINDS, MESSAGE_PURPOSES, PATIENT_LOCALES } from '@gratia/db';
import {
  TEMPLATE_LIMITS,
  type TemplateEntry,
  type TemplatePreview,
  templateVariables,
} from '@gratia/messaging';
import { z } from '@hono/zod-openapi';

export const KindSchema = z.enum(MESSAGE_KINDS).openapi({ example: 'voucher_issued' });
export const ChannelSchema = z.enum(MESSAGE_CHANNELS).openapi({ example: 'sms' });
export const LocaleSchema = z.enum(PATIENT_LOCALES).openapi({ example: 'es' });

export const TemplateParams = z.object({
  kind: KindSchema.openapi({ param: { name: 'kind', in: 'path' } }),
  channel: ChannelSchema.openapi({ param: { name: 'channel', in: 'path' } }),
  locale: LocaleSchema.openapi({ param: { name: 'locale', in: 'path' } }),
});

export const TemplateInputSchema = z
  .object({
    subject: z
      .string()
      .max(TEMPLATE_LIMITS.subject)
      .nullable()
      .optional()
      .openapi({ description: 'E-mail: required. SMS: absent or null', example: null }),
    body: z
      .string()
      .max(TEMPLATE_LIMITS.email)
      .openapi({
        description: `ICU MessageFormat over the kind’s variables; at most ${TEMPLATE_LIMITS.email} characters for e-mail, ${TEMPLATE_LIMITS.sms} for SMS`,
        example: '{clinic_name}: un regalo para usted, {gift}. Válido hasta el {expires_date}: {url}',
      }),
  })
  .strict()
  .openapi('MessageTemplateInput');

export const TemplateSchema = z
  .object({
    kind: KindSchema,
    channel: ChannelSchema,
    locale: LocaleSchema,
    purpose: z.enum(MESSAGE_PURPOSES),
    subject: z.string().nullable(),
    body: z.string(),
    custom: z.boolean().openapi({ description: 'The clinic’s own (true) or the default (false)' }),
    variables: z
      .array(z.string())
      .openapi({ example: ['first_name', 'clinic_name', 'gift', 'url', 'expires_date'] }),
    updated_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('MessageTemplate');

export function templateJson(t: TemplateEntry): z.infer<typeof TemplateSchema> {
  return {
    kind: t.kind,
    channel: t.channel,
    locale: t.locale,
    purpose: t.purpose,
    subject: t.subject,
    body: t.body,
    custom: t.custom,
    variables: [...templateVariables(t.kind)],
    updated_at: t.updatedAt == null ? null : new Date(t.updatedAt).toISOString(),
  };
}

export const PreviewInputSchema = z
  .object({
    kind: KindSchema,
    channel: ChannelSchema,
    locale: LocaleSchema,
    subject: z.string().max(TEMPLATE_LIMITS.subject).nullable().optional(),
    body: z.string().max(TEMPLATE_LIMITS.email).nullable().optional().openapi({
      description: 'A text to try (unsaved); without it, the clinic’s saved template or the default',
    }),
  })
  .strict()
  .openapi('MessageTemplatePreviewInput');

export const PreviewSchema = z
  .object({
    kind: KindSchema,
    channel: ChannelSchema,
    locale: LocaleSchema,
    subject: z.string().nullable(),
    body: z.string(),
    sms: z
      .object({
        encoding: z.enum(['GSM-7', 'UCS-2']),
        characters: z.number().int(),
        segments: z.number().int(),
      })
      .nullable()
      .openapi({ description: 'SMS only: its encoding, length and segments (160/153 GSM-7, 70/67 UCS-2)' }),
    variables: z.record(z.string(), z.union([z.string(), z.number()])).openapi({
      description: 'The sample values the preview used',
    }),
  })
  .openapi('MessageTemplatePreview');

export const previewJson = (p: TemplatePreview): z.infer<typeof PreviewSchema> => ({ ...p });
