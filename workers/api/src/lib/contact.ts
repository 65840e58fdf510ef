import { isTimeZone } from '@gratia/core';
import { z } from '@hono/zod-openapi';

// Contact fields shared by organisations and patients: validated once, stored normalised.

export const EmailSchema = z
  .string()
  .trim()
  .max(254)
  .email('must be an e-mail address')
  .transform((s) => s.toLowerCase())
  .openapi({ example: 'anna@example.com' });

export const PhoneSchema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +491701234567')
  .openapi({ example: '+491701234567' });

export const HttpsUrlSchema = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const TimezoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
  .openapi({ example: 'Europe/Berlin' });
