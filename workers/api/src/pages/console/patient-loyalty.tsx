import { formatMoney, isId } from '@gratia/core';
import { MAX_VIP_REASON, markVip, rewardGives, unmarkVip, useReward } from '@gratia/loyalty';
import type { PatientOverview } from '@gratia/points';
import { issueVoucher } from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field, formatWhen } from './patient-views';
import { action, exactlyOnce, FormKeys, outcome, type Signed } from './shell';

// The patient page's VIP and Rewards sections (issue 12): the VIP badge, marking and unmarking (owners
// and managers), the perks a VIP may be given (not counted as gifts), and the patient's rewards with
// "Use now" for a discount kept for today's visit.

const SOURCE_WORDS = {
  referral: 'Referral',
  nth_visit: 'Every-Nth-visit offer',
  code_word: 'Code word',
  birthday: 'Birthday',
} as const;
const STATUS_WORDS = {
  granted: 'given',
  available: 'waiting for a visit',
  used: 'used',
  capped: 'over a limit: nothing given',
} as const;

export function LoyaltySections(props: { s: Signed; o: PatientOverview; q: Record<string, string> }) {
  const { s, o, q } = props;
  const p = o.patient;
  const { vip, vipMark, perks, rewards } = o.loyalty;
  const tz = s.principal.organization.timezone;
  const role = s.principal.staff?.role;
  const editor = role === undefined || role === 'owner' || role === 'manager';
  const done =
    q.vip === 'marked'
      ? `${p.firstName} is marked VIP.`
      : q.vip === 'unmarked'
        ? 'The VIP mark is removed.'
        : q.perk === 'given'
          ? 'The perk was given (it does not count as a gift).'
          : q.used === '1'
            ? 'The discount is used on today’s visit.'
            : null;
  return (
    <>
      {done ? (
        <p class="status ok" role="status">
          {done}
        </p>
      ) : null}
      <section class="card" aria-labelledby="vip" id="vip">
        <h2 id="vip">VIP {vip?.vip ? <span class="tag">VIP</span> : null}</h2>
        {vip?.vip ? (
          <p>
            {p.firstName} is a VIP
            {vipMark
              ? ` (marked ${formatWhen(vipMark.markedAt, tz)}${vipMark.reason ? `: ${vipMark.reason}` : ''})`
              : ''}
            {vip.bySegment ? `${vipMark ? ' and' : ''} by the clinic’s VIP segment` : ''}.{' '}
            {vip.limit === null
              ? 'No limit on gifts.'
              : `Gifts this year: ${vip.given} of ${vip.limit} (VIP limit; perks not counted).`}
          </p>
        ) : (
          <p class="muted">{p.firstName} is not a VIP.</p>
        )}
        {editor ? (
          vipMark ? (
            <form method="post" action={`/console/patients/${p.id}/vip`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <input type="hidden" name="op" value="unmark" />
              <button type="submit" class="secondary">
                Remove the VIP mark
              </button>
            </form>
          ) : (
            <form method="post" action={`/console/patients/${p.id}/vip`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <input type="hidden" name="op" value="mark" />
              <Field name="reason" label="Why (optional)" maxlength={MAX_VIP_REASON} />
              <button type="submit">Mark as VIP</button>
            </form>
          )
        ) : null}
        {vip?.vip && perks.length > 0 ? (
          <>
            <h3>Perks</h3>
            <p class="muted">Perks are given on top of gifts: they do not count toward the VIP gift limit.</p>
            <ul class="plain">
              {perks.map((k) => (
                <li>
                  <span>
                    <strong>{k.title}</strong> · {k.partnerName} · {formatMoney(k.priceAmount, k.currency)}
                  </span>
                  <form method="post" action={`/console/patients/${p.id}/perks`}>
                    <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                    <input type="hidden" name="offer_id" value={k.id} />
                    <button type="submit" class="small">
                      Give <span class="muted">{k.title}</span>
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <section class="card" aria-labelledby="rewards" id="rewards">
        <h2 id="rewards">Rewards</h2>
        {rewards.length === 0 ? (
          <p class="muted">No rewards yet.</p>
        ) : (
          <ul class="plain">
            {rewards.map((r) => (
              <li>
                <span>
                  <strong>{rewardGives(r)}</strong> · {SOURCE_WORDS[r.source]} · {STATUS_WORDS[r.status]}
                  <br />
                  <span class="muted">
                    {formatWhen(r.grantedAt, tz)}
                    {r.voucherId ? (
                      <>
                        {' · '}
                        <a href={`/console/gifts/${r.voucherId}`}>the gift</a>
                      </>
                    ) : null}
                  </span>
                </span>
                {r.status === 'available' ? (
                  <form method="post" action={`/console/rewards/${r.id}/use`}>
                    <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                    <input type="hidden" name="patient_id" value={p.id} />
                    <button type="submit" class="small">
                      Use now <span class="muted">{rewardGives(r)}</span>
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function registerConsolePatientLoyalty(app: Hono<AppEnv>) {
  app.post(
    '/console/patients/:id/vip',
    action('offers', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const reason = (f.reason ?? '').trim();
      if (reason.length > MAX_VIP_REASON || (f.op !== 'mark' && f.op !== 'unmark'))
        return c.redirect(`${back}?error=validation_failed#vip`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out =
          f.op === 'mark'
            ? await markVip(c.var.deps, { clinic: s.principal, patientId, reason: reason || null })
            : await unmarkVip(c.var.deps, { clinic: s.principal, patientId });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?vip=${f.op === 'mark' ? 'marked' : 'unmarked'}#vip` };
      });
    }),
  );

  app.post(
    '/console/patients/:id/perks',
    action('gift', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const offerId = f.offer_id ?? '';
      if (!isId('off', offerId)) return c.redirect(`${back}?error=validation_failed#vip`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await issueVoucher(c.var.deps, { clinic: s.principal, patientId, offerId, perk: true });
        if (!out.ok) return outcome(back, out.error);
        return { location: `/console/gifts/${out.value.voucher.id}?issued=1` };
      });
    }),
  );

  app.post(
    '/console/rewards/:id/use',
    action('patients', async (c, s, f) => {
      const patientId = isId('pat', f.patient_id ?? '') ? f.patient_id! : null;
      const back = patientId ? `/console/patients/${patientId}` : '/console/patients';
      return exactlyOnce(c, s, f, back, async () => {
        const out = await useReward(c.var.deps, { clinic: s.principal, rewardId: c.req.param('id') ?? '' });
        if (!out.ok) return outcome(back, out.error);
        return { location: `/console/patients/${out.value.reward.patientId}?used=1#rewards` };
      });
    }),
  );
}
