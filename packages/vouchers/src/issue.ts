import { err, formatMoney, isId, localDate, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type OrgPrincipal,
  offers,
  organizations,
  type PartnerCategory,
  patients,
  runBatch,
  vipPerkVouchers,
  vouchers,
} from '@gratia/db';
import { preferredChannelInserts, writtenIds } from '@gratia/messaging';
import { and, eq, sql } from 'drizzle-orm';
import { voucherClaims, voucherKeys, voucherLifetimes, voucherUrl } from './config';
import { signVoucherToken } from './token';
import {
  type GiftAllowance,
  giftAllowanceFrom,
  giftAllowanceStatement,
  giftAllowedSql,
  giftLimitSentence,
} from './vip-limit';

export interface IssueVoucherInput {
  clinic: OrgPrincipal;
  patientId: string;
  /** A catalogue reward ... */
  offerId?: string;
  /** ... or stored value, at one partner or any partner of a category. */
  value?: { amount: number; currency: string };
  partnerId?: string;
  category?: PartnerCategory;
  message?: string;
  expiresAt?: number;
  /**
   * A VIP perk (issue 12): one of the clinic's VIP perk offers, given to a VIP; it does not count
   * toward the VIP gift limit.
   */
  perk?: boolean;
  /**
   * Message the patient the voucher's link (issue 13), by e-mail when they can be reached by e-mail,
   * else by SMS, in the issue's own batch; default true. False: the clinic sends it by hand (Send).
   */
  notify?: boolean;
}

export type IssueRefusal = Refusal<
  | 'patient_not_found'
  | 'offer_not_found'
  | 'offer_inactive'
  | 'currency_mismatch'
  | 'partner_not_found'
  | 'invalid_expiry'
  | 'gift_limit_reached'
  | 'not_a_vip_perk'
>;

/** The soonest a voucher may expire: a voucher that lapses before the patient can open it is a mistake. */
const MIN_LIFETIME_MS = 60_000;

/** Issues a signed voucher to one of the clinic's patients: two D1 round trips (read, then write). */
export async function issueVoucher(deps: Deps, input: IssueVoucherInput) {
  const { db, clock, config } = deps;
  const now = clock.now();
  const clinic = input.clinic;
  const currency = clinic.organization.currency;
  const read = await runBatch(db, {
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinic.organizationId))),
    offer: db
      .select()
      .from(offers)
      .where(eq(offers.id, input.offerId ?? '')),
    partner: db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(eq(organizations.id, input.partnerId ?? ''), eq(organizations.kind, 'partner'))),
    allowance: giftAllowanceStatement(db, {
      clinicId: clinic.organizationId,
      patientId: input.patientId,
      now,
      timeZone: clinic.organization.timezone,
    }),
  });
  const no = (code: IssueRefusal['code'], detail: string): Result<never, IssueRefusal> =>
    err({ code, detail });
  if (!read.patient[0] || !read.allowance[0]) return no('patient_not_found', `No patient ${input.patientId}`);
  const allowance = giftAllowanceFrom(read.allowance[0], now, clinic.organization.timezone);
  const limitReached = (a: GiftAllowance) =>
    err({ code: 'gift_limit_reached' as const, detail: giftLimitSentence(a) });
  if (input.perk) {
    if (!allowance.vip || input.offerId === undefined || !allowance.perkOfferIds.includes(input.offerId))
      return no('not_a_vip_perk', 'Perks are the clinic’s VIP perk offers, given to VIPs');
  } else if (!allowance.allowed) return limitReached(allowance);

  let target: {
    kind: 'offer' | 'value';
    offerId: string | null;
    partnerId: string | null;
    title: string;
    amount: number;
  };
  if (input.offerId !== undefined) {
    const offer = read.offer[0];
    if (!offer || !isId('off', input.offerId)) return no('offer_not_found', `No offer ${input.offerId}`);
    if (!offer.active) return no('offer_inactive', 'This offer is no longer active and cannot be issued');
    if (offer.currency !== currency)
      return no(
        'currency_mismatch',
        `The offer is priced in ${offer.currency}; this clinic pays in ${currency}`,
      );
    target = {
      kind: 'offer',
      offerId: offer.id,
      partnerId: offer.partnerId,
      title: offer.title,
      amount: offer.priceAmount,
    };
  } else {
    const value = input.value!;
    if (value.currency !== currency)
      return no('currency_mismatch', `This clinic issues value in ${currency}`);
    if (input.partnerId !== undefined && !read.partner[0])
      return no('partner_not_found', `No partner ${input.partnerId}`);
    target = {
      kind: 'value',
      offerId: null,
      partnerId: input.partnerId ?? null,
      title: `Gift credit of ${formatMoney(value.amount, currency)}`,
      amount: value.amount,
    };
  }

  const { defaultMs, maxMs, maxDays } = voucherLifetimes(config);
  const expiresAt = input.expiresAt ?? now + defaultMs;
  if (expiresAt <= now + MIN_LIFETIME_MS || expiresAt > now + maxMs)
    return err({
      code: 'invalid_expiry' as const,
      detail: `expires_at must be in the future and at most ${maxDays} days away`,
      errors: [{ path: 'expires_at', message: `must be within ${maxDays} days from now` }],
    });

  const keys = await voucherKeys(deps);
  const category = target.kind === 'value' ? (input.category ?? null) : null;
  const row = {
    id: newId('vch', now),
    clinicId: clinic.organizationId,
    patientId: input.patientId,
    kind: target.kind,
    offerId: target.offerId,
    partnerId: target.partnerId,
    category,
    audience: target.partnerId ?? `category:${category}`,
    title: target.title,
    message: input.message ?? null,
    currency,
    valueAmount: target.amount,
    remainingAmount: target.amount,
    status: 'issued' as const,
    kid: keys.signer.kid,
    // Whole seconds, so the stored claims and the token's iat/exp agree exactly.
    issuedAt: Math.floor(now / 1000) * 1000,
    expiresAt: Math.floor(expiresAt / 1000) * 1000,
    updatedAt: now,
  };
  const token = await signVoucherToken(keys.signer, voucherClaims(row, config.baseUrl));
  // The VIP gift limit is checked again by the write itself: a gift raced past the read writes nothing.
  const guard = input.perk
    ? sql`1`
    : giftAllowedSql(clinic.organizationId, row.patientId, now, clinic.organization.timezone);
  const written = sql`exists (select 1 from vouchers w where w.id = ${row.id})`;
  const url = voucherUrl(config, token);
  const notify =
    input.notify === false
      ? []
      : preferredChannelInserts(db, now, {
          clinicId: row.clinicId,
          patientId: row.patientId,
          kind: 'voucher_issued',
          purpose: 'service',
          reasonKey: `voucher:${row.id}`,
          vars: {
            gift: target.kind === 'offer' ? target.title : formatMoney(target.amount, currency),
            url,
            expires_date: localDate(row.expiresAt, clinic.organization.timezone),
          },
          createdBy: clinic.keyId,
          from: sql`from vouchers v join patients p on p.id = v.patient_id where v.id = ${row.id}`,
        });
  const done = await runBatch(db, {
    row: db
      .insert(vouchers)
      .select(
        sql`select ${row.id}, ${row.clinicId}, ${row.patientId}, ${row.kind}, ${row.offerId}, ${row.partnerId},
          ${row.category}, ${row.audience}, ${row.title}, ${row.message}, ${row.currency}, ${row.valueAmount},
          ${row.remainingAmount}, ${row.status}, ${row.kid}, ${row.issuedAt}, ${row.expiresAt}, null, null, null,
          null, null, ${row.updatedAt} where ${guard}`,
      )
      .returning(),
    ...(input.perk && {
      perk: db
        .insert(vipPerkVouchers)
        .select(sql`select ${row.id}, ${row.clinicId}, ${row.patientId}, ${now} where ${written}`),
    }),
    audit: auditEntry(db, {
      when: written,
      actor: actorOf(clinic),
      organizationId: clinic.organizationId,
      action: 'voucher.issue',
      subject: { type: 'voucher', id: row.id },
      patientId: row.patientId,
      detail: { kind: row.kind, amount: row.valueAmount, currency, ...(input.perk && { perk: true }) },
      at: now,
    }),
    ...(notify.length > 0 && { notify }),
  });
  const [voucher] = done.row;
  if (!voucher) return limitReached({ ...allowance, given: allowance.limit ?? allowance.given });
  const messageIds = writtenIds(...(done.notify ?? []));
  if (messageIds.length > 0) deps.dispatch?.(messageIds);
  return ok({
    voucher: voucher!,
    token: token as string | null,
    url: url as string | null,
    /** The message that carries the link (none: no reachable channel, or `notify: false`). */
    messageId: messageIds[0] ?? null,
  });
}
