import { formatMoney, isId } from '@gratia/core';
import {
  LIMITS,
  type LoyaltySettingsInput,
  type LoyaltySettingsPage,
  readLoyaltySettingsPage,
  type SettingReward,
  saveLoyaltySettings,
} from '@gratia/loyalty';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field, problemPage, TableWrap } from './patient-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// The Offers area's settings (owners and managers): the referral reward and its yearly cap, the
// birthday reward and its plan item, VIP (segment, yearly gift limit, perks), and the clinic's VIPs.

const BACK = '/console/offers/settings';
type Values = Record<string, string>;

const TEXT = {
  points: 'Enter a whole number of points above 0.',
  offer: 'Choose an offer from the catalogue.',
  cap: `Enter a whole number from 0 to ${LIMITS.capPerYear}.`,
  days: `Enter a whole number of days from 0 to ${LIMITS.daysBefore}.`,
  gifts: `Enter a whole number from 0 to ${LIMITS.giftsPerYear}, or leave it empty for no limit.`,
  perks: `Choose at most ${LIMITS.perks} perks.`,
} as const;

function valuesOf(p: LoyaltySettingsPage): Values {
  const s = p.settings;
  const v: Values = {
    referral_kind: s.referralReward?.kind ?? 'none',
    referral_points: s.referralReward?.kind === 'points' ? String(s.referralReward.points) : '',
    referral_offer: s.referralReward?.kind === 'voucher' ? s.referralReward.offerId : '',
    referral_cap: String(s.referralCapPerYear),
    birthday_kind: s.birthdayReward?.kind ?? 'none',
    birthday_points: s.birthdayReward?.kind === 'points' ? String(s.birthdayReward.points) : '',
    birthday_offer: s.birthdayReward?.kind === 'voucher' ? s.birthdayReward.offerId : '',
    birthday_days: String(s.birthdayDaysBefore),
    vip_segment: s.vipSegmentId ?? '',
    vip_gifts: s.vipGiftsPerYear === null ? '' : String(s.vipGiftsPerYear),
  };
  for (const id of s.vipPerkOfferIds) v[`perk_${id}`] = 'on';
  return v;
}

const whole = (v: string | undefined, lo: number, hi: number) => {
  const t = (v ?? '').trim();
  if (!/^\d{1,7}$/.test(t)) return null;
  const n = Number(t);
  return n >= lo && n <= hi ? n : null;
};

function readForm(f: Values): { errors: Values } | { input: LoyaltySettingsInput } {
  const errors: Values = {};
  const reward = (name: 'referral' | 'birthday'): SettingReward | null => {
    const kind = f[`${name}_kind`];
    if (kind === 'points') {
      const n = whole(f[`${name}_points`], 1, 1_000_000);
      if (n === null) errors[`${name}_points`] = TEXT.points;
      return { kind: 'points', points: n ?? 0 };
    }
    if (kind === 'voucher') {
      const id = f[`${name}_offer`] ?? '';
      if (!isId('off', id)) errors[`${name}_offer`] = TEXT.offer;
      return { kind: 'voucher', offerId: id };
    }
    return null;
  };
  const referralReward = reward('referral');
  const birthdayReward = reward('birthday');
  const cap = whole(f.referral_cap, 0, LIMITS.capPerYear);
  if (cap === null) errors.referral_cap = TEXT.cap;
  const days = whole(f.birthday_days, 0, LIMITS.daysBefore);
  if (days === null) errors.birthday_days = TEXT.days;
  const giftsText = (f.vip_gifts ?? '').trim();
  const gifts = giftsText === '' ? null : whole(giftsText, 0, LIMITS.giftsPerYear);
  if (giftsText !== '' && gifts === null) errors.vip_gifts = TEXT.gifts;
  const perks = Object.keys(f)
    .filter((k) => k.startsWith('perk_') && f[k] === 'on')
    .map((k) => k.slice(5));
  if (perks.length > LIMITS.perks) errors.perks = TEXT.perks;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      referralReward,
      referralCapPerYear: cap!,
      birthdayReward,
      birthdayDaysBefore: days!,
      vipSegmentId: f.vip_segment ? f.vip_segment : null,
      vipGiftsPerYear: gifts,
      vipPerkOfferIds: perks,
    },
  };
}

function RewardFields(props: {
  name: 'referral' | 'birthday';
  p: LoyaltySettingsPage;
  v: Values;
  e: Values;
}) {
  const { name, v, e } = props;
  return (
    <fieldset>
      <legend>{name === 'referral' ? 'Referral reward (both patients)' : 'Birthday reward'}</legend>
      <label for={`${name}_kind`}>Gives</label>
      <select id={`${name}_kind`} name={`${name}_kind`}>
        <option value="none" selected={v[`${name}_kind`] === 'none'}>
          Nothing
        </option>
        <option value="points" selected={v[`${name}_kind`] === 'points'}>
          Bonus points
        </option>
        <option value="voucher" selected={v[`${name}_kind`] === 'voucher'}>
          A gift from the catalogue
        </option>
      </select>
      <Field
        name={`${name}_points`}
        label="Points (for bonus points)"
        value={v[`${name}_points`]}
        error={e[`${name}_points`]}
        inputmode="numeric"
      />
      <label for={`${name}_offer`}>Gift (for a gift)</label>
      <select id={`${name}_offer`} name={`${name}_offer`}>
        <option value="">Choose…</option>
        {props.p.offers.map((o) => (
          <option value={o.id} selected={v[`${name}_offer`] === o.id}>
            {o.title} · {o.partnerName}
          </option>
        ))}
      </select>
      {e[`${name}_offer`] ? <p class="status bad">{e[`${name}_offer`]}</p> : null}
    </fieldset>
  );
}

function SettingsPage(props: { s: Signed; p: LoyaltySettingsPage; v: Values; e: Values; q: Values }) {
  const { s, p, v, e } = props;
  const currency = s.principal.organization.currency;
  const limit = p.settings.vipGiftsPerYear;
  return (
    <ConsolePage title="Offer settings" principal={s.principal} csrf={s.session.csrf} area="offers">
      <p>
        <a href="/console/offers">Back to Offers</a>
      </p>
      <h1>Offer settings</h1>
      <Flash q={props.q} ok={props.q.saved ? 'Saved.' : undefined} />
      <section class="card" aria-labelledby="change">
        <h2 id="change">Referrals, birthdays and VIP</h2>
        <form method="post" action={BACK}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <RewardFields name="referral" p={p} v={v} e={e} />
          <Field
            name="referral_cap"
            label="Rewarded referrals per patient per year"
            value={v.referral_cap}
            error={e.referral_cap}
            inputmode="numeric"
            required
          />
          <RewardFields name="birthday" p={p} v={v} e={e} />
          <Field
            name="birthday_days"
            label="Plan the birthday call this many days before"
            value={v.birthday_days}
            error={e.birthday_days}
            inputmode="numeric"
            required
          />
          <fieldset>
            <legend>VIP</legend>
            <label for="vip_segment">Members of this segment are VIPs</label>
            <select id="vip_segment" name="vip_segment">
              <option value="">No segment (VIPs marked by hand only)</option>
              {p.segments.map((g) => (
                <option value={g.id} selected={v.vip_segment === g.id}>
                  {g.name}
                </option>
              ))}
            </select>
            <Field
              name="vip_gifts"
              label="Gifts a VIP may be given per year"
              value={v.vip_gifts}
              error={e.vip_gifts}
              inputmode="numeric"
              hint="Empty: no limit. Perks do not count toward it."
            />
            <p>Perks offered to VIPs (given from a VIP’s page; they are not counted as gifts):</p>
            {e.perks ? <p class="status bad">{e.perks}</p> : null}
            <ul class="plain">
              {p.offers.map((o) => (
                <li>
                  <label>
                    <input type="checkbox" name={`perk_${o.id}`} checked={v[`perk_${o.id}`] === 'on'} />{' '}
                    {o.title} · {o.partnerName} · {formatMoney(o.priceAmount, currency)}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="card" aria-labelledby="vips" id="vips">
        <h2 id="vips">VIPs</h2>
        {p.vips.items.length === 0 ? (
          <p class="muted">No VIPs yet: mark a patient VIP on their page, or choose a VIP segment.</p>
        ) : (
          <TableWrap label="The clinic's VIPs">
            <table>
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">VIP by</th>
                  <th scope="col">Gifts this year</th>
                </tr>
              </thead>
              <tbody>
                {p.vips.items.map((r) => (
                  <tr>
                    <td>
                      <a href={`/console/patients/${r.patientId}`}>
                        {r.firstName} {r.lastName}
                      </a>
                    </td>
                    <td>
                      {[
                        r.byHand ? `hand${r.reason ? ` (${r.reason})` : ''}` : '',
                        r.bySegment ? 'segment' : '',
                      ]
                        .filter(Boolean)
                        .join(', ')}
                    </td>
                    <td class="num">
                      {r.giftsThisYear}
                      {limit === null ? '' : ` of ${limit}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {p.vips.next ? (
          <nav class="pager" aria-label="Pages of VIPs">
            <a href={`${BACK}?vips_after=${encodeURIComponent(p.vips.next)}#vips`}>More VIPs</a>
          </nav>
        ) : null}
      </section>
    </ConsolePage>
  );
}

export function registerConsoleOffersSettings(app: Hono<AppEnv>) {
  app.get(
    BACK,
    page('offers', async (c, s) => {
      const q = c.req.query();
      if (q.vips_after !== undefined && !isId('pat', q.vips_after))
        return problemPage(c, s, 'invalid_cursor', 400);
      const p = await readLoyaltySettingsPage(c.var.deps, { clinic: s.principal, vipsAfter: q.vips_after });
      return html(c, <SettingsPage s={s} p={p} v={valuesOf(p)} e={{}} q={q} />);
    }),
  );
  app.post(
    BACK,
    action('offers', async (c, s, f) => {
      const form = readForm(f);
      if ('errors' in form) {
        const p = await readLoyaltySettingsPage(c.var.deps, { clinic: s.principal });
        return html(c, <SettingsPage s={s} p={p} v={f} e={form.errors} q={{}} />, 422);
      }
      return exactlyOnce(c, s, f, BACK, async () => {
        const out = await saveLoyaltySettings(c.var.deps, { clinic: s.principal, ...form.input });
        return out.ok ? { location: `${BACK}?saved=1` } : outcome(BACK, out.error);
      });
    }),
  );
}
