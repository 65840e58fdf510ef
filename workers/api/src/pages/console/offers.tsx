import { addDays, isId, parseMoneyInput, startOfLocalDay } from '@gratia/core';
import {
  type CodeWordView,
  createCodeWord,
  generateCodeWordCodes,
  getCodeWord,
  readOffersHome,
  updateCodeWord,
} from '@gratia/loyalty';
import type { RewardSpec } from '@gratia/points';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { codesCsv, csvResponse } from '../../routes/code-words/codes-csv';
import { formatWhen, problemPage, TableWrap } from './patient-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Offers (owners and managers): the home of the offers that bring patients back. This page lists the
// clinic's code words (status and uses), creates one, and links the sibling pages (loyalty settings,
// every-Nth-visit rules, referrals). A code word's page shows its settings and latest uses, ends it,
// and, for a campaign with codes per patient, makes them (500 a press) and offers them as CSV. Each
// page is the session check and one round trip; every form is exactly once.

const WORDS_PAGE = 50;
const STATUS_WORDS: Record<CodeWordView['status'], string> = {
  scheduled: 'Not started',
  active: 'Active',
  expired: 'Expired',
  ended: 'Ended',
  used_up: 'Used up',
};
const FIELD_HELP: Record<string, string> = {
  word: 'The word takes letters and digits only, 3 to 32 of them.',
  reward: 'Say what the word gives: a percentage, an amount, points, or a gift.',
  'reward.points': 'Enter the bonus points as a whole number above 0.',
  'reward.discount_bps': 'Enter the discount as a percentage from 0.01 to 100.',
  'reward.discount_amount': 'Enter the amount off as a number, like 10.00.',
  'reward.offer_id': 'Choose an active gift from the catalogue.',
  valid_from: 'Enter the first day as a date.',
  valid_until: 'Enter the last day as a date in the future, after the first day.',
  total_limit: 'The limit in all is a whole number from 1, or empty for none.',
  per_patient_limit: 'The limit per patient is a whole number from 1 to 100, at most the limit in all.',
};

const notFound = (c: Context<AppEnv>, s: Signed) =>
  problemPage(c, s, 'code_word_not_found', 404, { href: '/console/offers', label: 'Back to Offers' });

const uses = (w: CodeWordView) =>
  `${w.uses.toLocaleString('en-GB')}${w.totalLimit === null ? '' : ` of ${w.totalLimit.toLocaleString('en-GB')}`}`;

function OffersPage(props: {
  s: Signed;
  home: Awaited<ReturnType<typeof readOffersHome>>;
  q: Record<string, string>;
  first: boolean;
}) {
  const { s, home, q } = props;
  const tz = s.principal.organization.timezone;
  const currency = s.principal.organization.currency;
  const help = q.error === 'validation_failed' && q.field ? FIELD_HELP[q.field] : undefined;
  return (
    <ConsolePage title="Offers" principal={s.principal} csrf={s.session.csrf} area="offers">
      <h1>Offers</h1>
      <nav aria-label="Offers">
        <ul>
          <li>
            <a href="/console/offers/settings">Loyalty settings: referrals, birthdays, VIP</a>
          </li>
          <li>
            <a href="/console/offers/visit-rules">Every Nth visit</a>
          </li>
          <li>
            <a href="/console/offers/referrals">Referrals</a>
          </li>
        </ul>
      </nav>
      {help ? (
        <p class="status bad" role="alert">
          {help}
        </p>
      ) : (
        <Flash q={q} />
      )}
      <section aria-labelledby="words">
        <h2 id="words">Code words</h2>
        {home.codeWords.length === 0 ? (
          <p class="muted">No code words yet. Create one below: staff enter it for a patient at the desk.</p>
        ) : (
          <TableWrap label="Code words">
            <table>
              <thead>
                <tr>
                  <th scope="col">Word</th>
                  <th scope="col">Gives</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Uses
                  </th>
                  <th scope="col">Valid until</th>
                </tr>
              </thead>
              <tbody>
                {home.codeWords.map((w) => (
                  <tr>
                    <th scope="row">
                      <a href={`/console/offers/code-words/${w.id}`}>{w.word}</a>
                      {w.perPatientCodes ? ' (codes per patient)' : ''}
                    </th>
                    <td>{w.gives}</td>
                    <td>{STATUS_WORDS[w.status]}</td>
                    <td class="num">{uses(w)}</td>
                    <td>{formatWhen(w.validUntil, tz)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <nav class="pager" aria-label="Pages of code words">
          {props.first ? null : <a href="/console/offers">First page</a>}
          {home.next ? <a href={`/console/offers?before=${home.next}`}>Next page</a> : null}
        </nav>
      </section>
      <section aria-labelledby="new-word">
        <h2 id="new-word">New code word</h2>
        <form method="post" action="/console/offers" class="card">
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <label for="word">Word (letters and digits, e.g. LAVENDER)</label>
          <input id="word" name="word" required maxlength={40} autocomplete="off" />
          <label for="description">Description (optional)</label>
          <input id="description" name="description" maxlength={500} />
          <div class="row">
            <div>
              <label for="reward_kind">It gives</label>
              <select id="reward_kind" name="reward_kind">
                <option value="discount_bps">A percentage off today’s visit</option>
                <option value="discount_amount">{`An amount off today’s visit (${currency})`}</option>
                <option value="points">Bonus points</option>
                <option value="voucher">A gift voucher</option>
              </select>
            </div>
            <div>
              <label for="reward_value">How much (percent, amount or points)</label>
              <input id="reward_value" name="reward_value" inputmode="decimal" maxlength={16} />
            </div>
            <div>
              <label for="offer_id">The gift (for a gift voucher)</label>
              <select id="offer_id" name="offer_id">
                <option value="">–</option>
                {home.offers.map((o) => (
                  <option value={o.id}>{o.title}</option>
                ))}
              </select>
            </div>
          </div>
          <div class="row">
            <div>
              <label for="valid_from">First day (optional: today)</label>
              <input id="valid_from" name="valid_from" type="date" />
            </div>
            <div>
              <label for="valid_until">Last day</label>
              <input id="valid_until" name="valid_until" type="date" required />
            </div>
          </div>
          <div class="row">
            <div>
              <label for="total_limit">Uses in all (optional)</label>
              <input id="total_limit" name="total_limit" inputmode="numeric" maxlength={7} />
            </div>
            <div>
              <label for="per_patient_limit">Uses per patient</label>
              <input
                id="per_patient_limit"
                name="per_patient_limit"
                inputmode="numeric"
                maxlength={3}
                value="1"
              />
            </div>
            <div>
              <label for="segment_id">Only for (optional)</label>
              <select id="segment_id" name="segment_id">
                <option value="">Every patient</option>
                {home.segments.map((x) => (
                  <option value={x.id}>{x.name}</option>
                ))}
              </select>
            </div>
          </div>
          <label class="inline">
            <input type="checkbox" name="per_patient_codes" value="1" />
            One unique code per patient (LAVENDER-7K3QM) instead of the word itself
          </label>
          <button type="submit">Create the code word</button>
        </form>
      </section>
    </ConsolePage>
  );
}

function WordPage(props: {
  s: Signed;
  w: CodeWordView;
  uses: Awaited<ReturnType<typeof getCodeWord>> & { ok: true };
  q: Record<string, string>;
}) {
  const { s, w, q } = props;
  const tz = s.principal.organization.timezone;
  const list = props.uses.value.uses;
  const base = `/console/offers/code-words/${w.id}`;
  const ok = q.created
    ? `${w.word} is ready: staff enter it on a patient’s page.`
    : q.ended
      ? `${w.word} was ended: it no longer applies.`
      : q.generated !== undefined
        ? `${Number(q.generated).toLocaleString('en-GB')} codes made; ${Number(q.remaining ?? 0).toLocaleString('en-GB')} patients still without one.`
        : undefined;
  return (
    <ConsolePage title={w.word} principal={s.principal} csrf={s.session.csrf} area="offers">
      <p>
        <a href="/console/offers">Back to Offers</a>
      </p>
      <h1>Code word {w.word}</h1>
      <Flash q={q} ok={ok} />
      <section class="card" aria-labelledby="settings">
        <h2 id="settings">Settings</h2>
        <dl>
          <dt>Gives</dt>
          <dd>{w.gives}</dd>
          <dt>Status</dt>
          <dd>{STATUS_WORDS[w.status]}</dd>
          <dt>Valid</dt>
          <dd>
            {formatWhen(w.validFrom, tz)} to {formatWhen(w.validUntil, tz)}
          </dd>
          <dt>Uses</dt>
          <dd>
            {uses(w)} ({w.perPatientLimit === 1 ? 'once' : `up to ${w.perPatientLimit} times`} per patient)
          </dd>
          <dt>For</dt>
          <dd>{w.segmentName ? `Members of ${w.segmentName}` : 'Every patient'}</dd>
          {w.description ? (
            <>
              <dt>Description</dt>
              <dd>{w.description}</dd>
            </>
          ) : null}
          {w.endedAt !== null ? (
            <>
              <dt>Ended</dt>
              <dd>{formatWhen(w.endedAt, tz)}</dd>
            </>
          ) : null}
        </dl>
      </section>
      {w.perPatientCodes ? (
        <section class="card" aria-labelledby="codes">
          <h2 id="codes">Codes per patient</h2>
          <p>Each patient of the campaign gets a code of their own; only their code applies for them.</p>
          {w.endedAt === null ? (
            <form method="post" action={`${base}/codes`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <button type="submit">Make codes (500 patients at a time)</button>
            </form>
          ) : null}
          <p>
            <a href={`${base}/codes.csv`} download>
              Download the codes as CSV
            </a>
          </p>
        </section>
      ) : null}
      <section aria-labelledby="uses">
        <h2 id="uses">Latest uses</h2>
        {list.length === 0 ? (
          <p class="muted">Not used yet.</p>
        ) : (
          <TableWrap label="Latest uses">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Entered by</th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr>
                    <td>{formatWhen(u.usedAt, tz)}</td>
                    <td>
                      <a href={`/console/patients/${u.patientId}`}>
                        {u.firstName} {u.lastName}
                      </a>
                    </td>
                    <td>{u.staffName ?? 'API key'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      {w.endedAt === null ? (
        <form method="post" action={`${base}/end`} class="card">
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <p>Ending the code word stops it for good; what it gave stays.</p>
          <button type="submit">End {w.word} now</button>
        </form>
      ) : null}
    </ConsolePage>
  );
}

const wholeOrNull = (v: string | undefined) => {
  const t = (v ?? '').trim();
  if (t === '') return null;
  return /^\d{1,9}$/.test(t) ? Number(t) : Number.NaN;
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The form as a campaign, or the field that is wrong. */
function readForm(f: Record<string, string>, tz: string, currency: string) {
  const kind = f.reward_kind ?? '';
  const value = (f.reward_value ?? '').trim();
  let reward: RewardSpec;
  if (kind === 'points') {
    if (!/^\d{1,9}$/.test(value)) return { field: 'reward.points' };
    reward = { kind, points: Number(value) };
  } else if (kind === 'discount_bps') {
    const pct = /^\d{1,3}([.,]\d{1,2})?$/.test(value) ? Math.round(Number(value.replace(',', '.')) * 100) : 0;
    if (pct < 1 || pct > 10_000) return { field: 'reward.discount_bps' };
    reward = { kind, discountBps: pct };
  } else if (kind === 'discount_amount') {
    const amount = parseMoneyInput(value, currency);
    if (!amount) return { field: 'reward.discount_amount' };
    reward = { kind, discountAmount: amount };
  } else if (kind === 'voucher') {
    if (!isId('off', f.offer_id ?? '')) return { field: 'reward.offer_id' };
    reward = { kind, offerId: f.offer_id };
  } else return { field: 'reward' };
  const from = (f.valid_from ?? '').trim();
  const until = (f.valid_until ?? '').trim();
  if (from && !DATE.test(from)) return { field: 'valid_from' };
  if (!DATE.test(until)) return { field: 'valid_until' };
  const totalLimit = wholeOrNull(f.total_limit);
  if (Number.isNaN(totalLimit)) return { field: 'total_limit' };
  const perPatient = wholeOrNull(f.per_patient_limit);
  if (Number.isNaN(perPatient)) return { field: 'per_patient_limit' };
  const segmentId = f.segment_id && isId('seg', f.segment_id) ? f.segment_id : null;
  return {
    input: {
      word: f.word ?? '',
      description: (f.description ?? '').trim() || null,
      reward,
      validFrom: from ? startOfLocalDay(from, tz) : undefined,
      // The last day counts whole, to its end in the clinic's timezone.
      validUntil: startOfLocalDay(addDays(until, 1), tz),
      totalLimit,
      perPatientLimit: perPatient ?? 1,
      segmentId,
      perPatientCodes: f.per_patient_codes === '1',
    },
  };
}

export function registerConsoleOffers(app: Hono<AppEnv>) {
  app.get(
    '/console/offers',
    page('offers', async (c, s) => {
      const q = c.req.query();
      const before = q.before && isId('cwd', q.before) ? q.before : null;
      const home = await readOffersHome(c.var.deps, { clinic: s.principal, before, limit: WORDS_PAGE });
      return html(c, <OffersPage s={s} home={home} q={q} first={before === null} />);
    }),
  );

  app.post(
    '/console/offers',
    action('offers', async (c, s, f) => {
      const back = '/console/offers';
      const org = s.principal.organization;
      const read = readForm(f, org.timezone, org.currency);
      if ('field' in read)
        return c.redirect(`${back}?error=validation_failed&field=${read.field}#new-word`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await createCodeWord(c.var.deps, { clinic: s.principal, ...read.input });
        if (out.ok) return { location: `/console/offers/code-words/${out.value.id}?created=1` };
        if (out.error.code === 'validation_failed') {
          const field = out.error.errors?.[0]?.path ?? 'word';
          return { location: `${back}?error=validation_failed&field=${encodeURIComponent(field)}#new-word` };
        }
        return outcome(back, out.error);
      });
    }),
  );

  app.get(
    '/console/offers/code-words/:id',
    page('offers', async (c, s) => {
      const out = await getCodeWord(c.var.deps, { clinic: s.principal, id: c.req.param('id') ?? '' });
      if (!out.ok) return notFound(c, s);
      return html(c, <WordPage s={s} w={out.value.codeWord} uses={out} q={c.req.query()} />);
    }),
  );

  app.post(
    '/console/offers/code-words/:id/end',
    action('offers', async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      const back = `/console/offers/code-words/${encodeURIComponent(id)}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await updateCodeWord(c.var.deps, { clinic: s.principal, id, end: true });
        if (!out.ok)
          return outcome(out.error.code === 'code_word_not_found' ? '/console/offers' : back, out.error);
        return { location: `${back}?ended=1` };
      });
    }),
  );

  app.post(
    '/console/offers/code-words/:id/codes',
    action('offers', async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      const back = `/console/offers/code-words/${encodeURIComponent(id)}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await generateCodeWordCodes(c.var.deps, { clinic: s.principal, id });
        if (!out.ok)
          return outcome(out.error.code === 'code_word_not_found' ? '/console/offers' : back, out.error);
        return {
          location: `${back}?generated=${out.value.generated}&remaining=${out.value.remaining}#codes`,
        };
      });
    }),
  );

  app.get(
    '/console/offers/code-words/:id/codes.csv',
    page('offers', async (c, s) => {
      const out = await codesCsv(c.var.deps, s.principal, c.req.param('id') ?? '');
      if (!out.ok) return notFound(c, s);
      return csvResponse(out.value.word, out.value.body);
    }),
  );
}
