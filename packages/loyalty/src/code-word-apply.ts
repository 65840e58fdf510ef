import { err, isId, newId, ok, type Refusal, type Result, toIso } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type CodeWordUse,
  codeWords,
  codeWordUses,
  type Deps,
  type LoyaltyReward,
  type OrgPrincipal,
  patients,
  runBatch,
  vouchers,
} from '@gratia/db';
import { MEMBER_FROM, meetsRules } from '@gratia/insight';
import {
  currentProgram,
  lotExpiry,
  pointMoney,
  prefixed,
  rewardAfter,
  rewardMessageIds,
  rewardStatements,
  rulesFromRow,
  specOf,
  voucherLifetimeMs,
} from '@gratia/points';
import { voucherKeys, withLink } from '@gratia/vouchers';
import { and, count, eq, max, type SQL, sql } from 'drizzle-orm';
import { CODE_WORD, givesInWords, normaliseWord, PATIENT_CODE } from './code-words';

// A code word said at the desk, applied for one patient exactly once per use: one write batch inserts
// the use only if every rule of the campaign holds at that moment (the word or the patient's own code,
// the window, not ended, the segment, the patient's uses below the per-patient limit, the word's below
// the total), numbering it `seq` (the patient's) and `total_seq` (the word's), each UNIQUE, so requests
// that race cannot pass a limit: D1 runs batches one at a time, and the second of two racing requests
// sees the first one's use. The word's count, the reward (via rewardStatements, guarded by the use
// written now) and the audit entry are in the same batch. When the batch wrote nothing, the state it
// read right after says why, with the refusal's own code.

export type CodeWordRefusal = Refusal<
  | 'patient_not_found'
  | 'code_word_unknown'
  | 'code_word_not_started'
  | 'code_word_expired'
  | 'code_word_ended'
  | 'code_word_used_up'
  | 'code_word_already_used'
  | 'code_word_not_eligible'
  | 'code_word_not_yours'
  | 'unauthorized'
> & {
  /** code_word_already_used: when the patient last used it. */
  usedAt?: number;
};

export interface CodeWordApplied {
  use: CodeWordUse & { word: string };
  reward: LoyaltyReward;
  /** What it gave, in words: "10% off today's visit", "200 bonus points", "a gift voucher: Massage". */
  gives: string;
  /** The gift voucher it issued, with its link (a voucher reward). */
  voucher: { id: string; url: string | null; token: string | null } | null;
}

/** Whether the patient meets the word's segment (1), as SQL over `code_words w`. */
const inSegment = (patientId: string, now: number) => sql`(w.segment_id is null or exists (
  select 1 from segments s, ${MEMBER_FROM}
  where s.id = w.segment_id and s.clinic_id = w.clinic_id and s.archived_at is null
    and p.id = ${patientId} and p.clinic_id = w.clinic_id and ${meetsRules(sql`s.rules`, now)}))`;

/**
 * Applies a code word (or a patient's own code) for one of the clinic's patients. Two round trips: one
 * reads the word, the patient and the programme; one writes the use and its reward, or nothing.
 */
export async function applyCodeWord(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; word: string },
): Promise<Result<CodeWordApplied, CodeWordRefusal>> {
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const keyId = input.clinic.keyId;
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const typed = normaliseWord(input.word);
  const asCode = PATIENT_CODE.test(typed);
  const wellFormed = asCode || CODE_WORD.test(typed);
  const read = await runBatch(db, {
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId))),
    word: db
      .select({
        id: codeWords.id,
        word: codeWords.word,
        rewardKind: codeWords.rewardKind,
        points: codeWords.points,
        discountBps: codeWords.discountBps,
        discountAmount: codeWords.discountAmount,
        offerId: codeWords.offerId,
        currency: codeWords.currency,
        perPatientCodes: codeWords.perPatientCodes,
        offerTitle: sql<string | null>`(select o.title from offers o where o.id = ${codeWords.offerId})`.as(
          'offer_title',
        ),
        codeOwner: sql<string | null>`(select c.patient_id from code_word_codes c
          where c.clinic_id = ${clinicId} and c.code = ${typed} and c.code_word_id = ${codeWords.id})`.as(
          'code_owner',
        ),
      })
      .from(codeWords)
      .where(
        and(
          eq(codeWords.clinicId, clinicId),
          wellFormed
            ? asCode
              ? sql`${codeWords.id} = (select c.code_word_id from code_word_codes c
                  where c.clinic_id = ${clinicId} and c.code = ${typed})`
              : eq(codeWords.word, typed)
            : sql`0`,
        ),
      ),
    program: currentProgram(db, clinicId),
  });
  if (!read.patient[0]) return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const w = read.word[0];
  if (!w)
    return err({ code: 'code_word_unknown', detail: `${typed || 'That'} is not a code word of this clinic` });
  if (asCode && w.codeOwner !== patientId)
    return err({ code: 'code_word_not_yours', detail: `${typed} is another patient’s code` });
  if (!asCode && w.perPatientCodes)
    return err({
      code: 'code_word_not_yours',
      detail: `${w.word} takes each patient’s own code (${w.word}-XXXX), not the word itself`,
    });

  const spec = specOf(w);
  const currency = w.currency;
  const gives = givesInWords(spec, currency, w.offerTitle);
  const tz = input.clinic.organization.timezone;
  const rules = rulesFromRow(read.program[0], input.clinic.organization.currency);
  const useId = newId('cwu', now);
  const code: SQL = asCode
    ? sql`and exists (select 1 from code_word_codes c where c.clinic_id = w.clinic_id and c.code = ${typed}
        and c.code_word_id = w.id and c.patient_id = ${patientId})`
    : sql`and w.per_patient_codes = 0`;
  const patientUses = sql`(select count(*) from code_word_uses u where u.code_word_id = w.id and u.patient_id = ${patientId})`;
  const reward = rewardStatements(
    db,
    {
      clinicId,
      patientId,
      source: 'code_word',
      sourceId: w.id,
      reasonKey: `code:${useId}`,
      spec,
      title: spec.kind === 'voucher' ? `Code word ${w.word}` : `Code word ${w.word}: ${gives}`,
      currency,
      // A discount is for today's visit: taken off now, so used.
      status: spec.kind === 'points' || spec.kind === 'voucher' ? 'granted' : 'used',
      apiKeyId: keyId,
      guard: sql`from code_word_uses u where u.id = ${useId}`,
    },
    {
      money: pointMoney(deps.config),
      expiry: lotExpiry(now, rules.expiryDays, tz),
      kid: spec.kind === 'voucher' ? (await voucherKeys(deps)).signer.kid : '',
      voucherLifetimeMs: voucherLifetimeMs(deps.config),
      timezone: tz,
      now,
    },
  );
  const written = sql`exists (select 1 from code_word_uses u where u.id = ${useId})`;
  const done = await runBatch(db, {
    use: db
      .insert(codeWordUses)
      .select(
        sql`select ${useId}, w.id, w.clinic_id, ${patientId}, ${patientUses} + 1, w.uses + 1, null,
          (select m.id from staff_members m where m.key_id = ${keyId}), ${keyId}, ${now}
        from code_words w
        where w.id = ${w.id} and w.clinic_id = ${clinicId} ${code}
          and w.ended_at is null and w.valid_from <= ${now} and ${now} < w.valid_until
          and (w.total_limit is null or w.uses < w.total_limit)
          and ${patientUses} < w.per_patient_limit
          and ${inSegment(patientId, now)}
          and exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = w.clinic_id)
          and exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`,
      )
      .onConflictDoNothing(),
    count: db
      .update(codeWords)
      .set({ uses: sql`${codeWords.uses} + 1` })
      .where(and(eq(codeWords.id, w.id), written)),
    ...prefixed('reward', reward.statements),
    link: db
      .update(codeWordUses)
      .set({ rewardId: sql`(select r.id from loyalty_rewards r where r.id = ${reward.rewardId})` })
      .where(
        and(
          eq(codeWordUses.id, useId),
          sql`exists (select 1 from loyalty_rewards r where r.id = ${reward.rewardId})`,
        ),
      ),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'code_word.apply',
      subject: { type: 'code_word_use', id: useId },
      patientId,
      detail: { word: w.word, code_word_id: w.id, reward: spec.kind, gives },
      when: written,
      at: now,
    }),
    useAfter: db.select().from(codeWordUses).where(eq(codeWordUses.id, useId)),
    rewardAfter: reward.after,
    voucher: db
      .select()
      .from(vouchers)
      .where(
        sql`${vouchers.id} = (select r.voucher_id from loyalty_rewards r where r.id = ${reward.rewardId})`,
      ),
    // What explains a refusal, as it stands right after this batch.
    state: db
      .select({
        endedAt: sql<number | null>`w.ended_at`.as('ended_at'),
        validFrom: sql<number>`w.valid_from`.as('valid_from'),
        validUntil: sql<number>`w.valid_until`.as('valid_until'),
        totalLimit: sql<number | null>`w.total_limit`.as('total_limit'),
        perPatientLimit: sql<number>`w.per_patient_limit`.as('per_patient_limit'),
        uses: sql<number>`w.uses`.as('uses'),
        eligible: sql<number>`${inSegment(patientId, now)}`.as('eligible'),
      })
      .from(sql`code_words w`)
      .where(sql`w.id = ${w.id}`),
    mine: db
      .select({ n: count(), last: max(codeWordUses.usedAt) })
      .from(codeWordUses)
      .where(and(eq(codeWordUses.codeWordId, w.id), eq(codeWordUses.patientId, patientId))),
  });
  const use = done.useAfter[0];
  const given = rewardAfter(done.rewardAfter);
  const messageIds = rewardMessageIds(done);
  if (messageIds.length > 0) deps.dispatch?.(messageIds);
  if (use && given) {
    const v = done.voucher[0];
    const link = v ? await withLink(deps, v) : null;
    return ok({
      use: { ...use, word: w.word },
      reward: given,
      gives,
      voucher: v && link ? { id: v.id, url: link.url, token: link.token } : null,
    });
  }
  if (use) throw new Error('a code word use was written without its reward');
  return err(whyNot(done.state[0], done.mine[0], w.word, now));
}

function whyNot(
  s:
    | {
        endedAt: number | null;
        validFrom: number;
        validUntil: number;
        totalLimit: number | null;
        perPatientLimit: number;
        uses: number;
        eligible: number;
      }
    | undefined,
  mine: { n: number; last: number | null } | undefined,
  word: string,
  now: number,
): CodeWordRefusal {
  if (!s) return { code: 'code_word_unknown', detail: `${word} is not a code word of this clinic` };
  if (s.endedAt !== null)
    return { code: 'code_word_ended', detail: `${word} was ended on ${toIso(s.endedAt)}` };
  if (now < s.validFrom)
    return { code: 'code_word_not_started', detail: `${word} is valid from ${toIso(s.validFrom)}` };
  if (now >= s.validUntil)
    return { code: 'code_word_expired', detail: `${word} was valid until ${toIso(s.validUntil)}` };
  if (!s.eligible)
    return { code: 'code_word_not_eligible', detail: `${word} is only for the members of a segment` };
  const used = mine?.n ?? 0;
  if (used >= s.perPatientLimit)
    return {
      code: 'code_word_already_used',
      detail: `${word} was already used by this patient${used > 1 ? ` ${used} times` : ''}, last on ${toIso(mine?.last ?? now)} (at most ${s.perPatientLimit})`,
      usedAt: mine?.last ?? undefined,
    };
  if (s.totalLimit !== null && s.uses >= s.totalLimit)
    return { code: 'code_word_used_up', detail: `${word} has been used ${s.uses} times, its limit` };
  return { code: 'unauthorized', detail: 'The API key is unknown or revoked' };
}
