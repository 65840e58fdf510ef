import { HONOUR_REFUSALS, verifyVoucher } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, MoneySchema, TimestampSchema } from '../../lib/schemas';
import { authorizeDeferred } from '../../middleware/auth';
import { TokenSchema } from './schema';

const Body = z.object({ token: TokenSchema }).strict().openapi('VerifyVoucher');

const Verified = z
  .union([
    z.object({
      valid: z.literal(true),
      voucher: z.object({
        id: z.string(),
        title: z.string(),
        kind: z.enum(['offer', 'value']),
        holder: z.object({ first_name: z.string(), last_initial: z.string() }),
        value: MoneySchema,
        remaining: MoneySchema.nullable(),
        expires_at: TimestampSchema,
        issuer: z.object({ id: z.string(), name: z.string() }),
      }),
    }),
    z.object({
      valid: z.literal(false),
      code: z.enum(HONOUR_REFUSALS),
    }),
  ])
  .openapi('VoucherVerification');

export const route = createRoute({
  method: 'post',
  path: '/v1/vouchers/verify',
  operationId: 'verifyVoucher',
  tags: ['Vouchers'],
  summary: 'Check a voucher at the counter (no side effects)',
  description:
    'Answers 200 either way: `{ valid: true, voucher }` or `{ valid: false, code }`. One D1 round trip.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('partner')] as const,
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(Verified, 'The verification'), ...commonErrors },
});

export function registerVerifyVoucher(app: App) {
  app.openapi(route, async (c) => {
    const { token } = c.req.valid('json');
    const out = await verifyVoucher(c.var.deps, { caller: c.var.caller, token });
    if (!out.ok) return refusal(c, out.error);
    const v = out.value;
    return v.valid
      ? c.json({ valid: true as const, voucher: v.voucher }, 200)
      : c.json({ valid: false as const, code: v.code }, 200);
  });
}
