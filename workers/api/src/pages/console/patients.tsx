import { formatMoney, isId, parseMoneyInput } from '@gratia/core';
import { PATIENT_LOCALES, type Patient } from '@gratia/db';
import {
  CONSENT_WORDING,
  CONSENT_WORDING_VERSION,
  listPatients,
  registerPatientWithReferral,
} from '@gratia/network';
import { type OverviewCursors, type PatientOverview, readPatientOverview, recordVisit } from '@gratia/points';
import { z } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { cardBarcodeDataUri } from '../../lib/barcode';
import { newSubmissionKey } from '../../lib/forms';
import { BirthDateSchema, EmailSchema, PhoneSchema } from '../../routes/patients/schema';
import { formatDate } from '../layout';
import { CardPageLine } from './card-link';
import { CodeWordSection } from './code-word-section';
import { InsightCard } from './insight-card';
import { LanguageSection, RegisterLanguage } from './patient-language';
import { LoyaltySections } from './patient-loyalty';
import { PlanSummary } from './patient-plan';
import { Field, formatWhen, groupedCard, problemPage, TableWrap } from './patient-views';
import { QuestionnaireCard } from './questionnaire';
import { ReferralSection } from './referrals';
import { RewardGoal } from './reward-goal';
import {
  action,
  ConsolePage,
  exactlyOnce,
  Flash,
  FormKeys,
  html,
  outcome,
  page,
  type Signed,
  signedOut,
} from './shell';
import { SurveyLinkForm } from './survey-links';
import { CallSection } from './today';
import { VisitRewardsSection } from './visit-rules';

// Patients: find a patient (name, phone, e-mail or card number), register one with their consent in
// the exact words they agreed to, and their page: profile, preferences, consent history, the card
// with a scannable barcode, points, gifts and visits, and the form that records a paid visit. Each
// page is the session check and one use case (readPatientOverview reads the whole patient page in one
// batch); each form is exactly-once.

const SEARCH_PAGE = 25;
const MAX_QUERY = 200;

// ---------------------------------------------------------------------------------------------------
// Search

function SearchPage(props: { s: Signed; q: string; rows: Patient[]; next: string | null; first: boolean }) {
  const { s, q } = props;
  return (
    <ConsolePage title="Patients" principal={s.principal} csrf={s.session.csrf} area="patients">
      <h1>Patients</h1>
      <p>
        <a href="/console/patients/new">Register a patient</a>
      </p>
      <form method="get" action="/console/patients" class="card">
        <div class="row">
          <div>
            <label for="q">Name, phone, e-mail or card number</label>
            <input id="q" name="q" type="search" value={q} maxlength={MAX_QUERY} autocomplete="off" />
          </div>
          <button type="submit">Search</button>
        </div>
      </form>
      <section aria-labelledby="results">
        <h2 id="results">{q ? `Patients matching “${q}”` : 'All patients'}</h2>
        {props.rows.length === 0 ? (
          <p class="muted" role="status">
            {q ? 'No patient matches that search.' : 'No patients registered yet.'}
          </p>
        ) : (
          <TableWrap label="Patients found">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Card number</th>
                  <th scope="col">Phone</th>
                  <th scope="col">E-mail</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((p) => (
                  <tr>
                    <th scope="row">
                      <a href={`/console/patients/${p.id}`}>
                        {p.firstName} {p.lastName}
                      </a>
                    </th>
                    <td class="code">{groupedCard(p.cardNumber)}</td>
                    <td>{p.phone ?? ''}</td>
                    <td>{p.email ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <nav class="pager" aria-label="Pages of patients">
          {props.first ? null : (
            <a href={`/console/patients${q ? `?q=${encodeURIComponent(q)}` : ''}`}>First page</a>
          )}
          {props.next ? (
            <a href={`/console/patients?${new URLSearchParams({ ...(q ? { q } : {}), cursor: props.next })}`}>
              Next page
            </a>
          ) : null}
        </nav>
      </section>
    </ConsolePage>
  );
}

// ---------------------------------------------------------------------------------------------------
// Registration

/** An optional text field: empty means not given. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** The registration form, checked by the same field rules as POST /v1/patients. */
const RegisterForm = z.object({
  first_name: z.string().trim().min(1, 'Enter the first name').max(100, 'At most 100 characters'),
  last_name: z.string().trim().min(1, 'Enter the last name').max(100, 'At most 100 characters'),
  email: optional(EmailSchema),
  // As typed at a desk ("+49 170 123-4567"): spaces, dashes, dots and brackets are not part of it.
  phone: optional(z.preprocess((v) => (typeof v === 'string' ? v.replace(/[\s().-]/g, '') : v), PhoneSchema)),
  birth_date: optional(BirthDateSchema),
  tags: z
    .string()
    .default('')
    .transform((t) =>
      t
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().max(50, 'Each preference at most 50 characters')).max(50, 'At most 50 preferences'),
    ),
  notes: optional(z.string().trim().max(2000, 'At most 2,000 characters')),
  consent_email: z.literal('yes').optional(),
  consent_sms: z.literal('yes').optional(),
  referral_code: optional(z.string().trim().max(40, 'At most 40 characters')),
  locale: optional(z.enum(PATIENT_LOCALES)),
});

const FIELD_LABEL: Record<string, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'E-mail',
  phone: 'Phone',
  birth_date: 'Birth date',
  tags: 'Preferences',
  notes: 'Notes',
  referral_code: 'Referred by (code)',
};

function RegisterPage(props: {
  s: Signed;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  q: Record<string, string>;
}) {
  const { s } = props;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  const hasErrors = Object.keys(e).length > 0;
  return (
    <ConsolePage title="Register a patient" principal={s.principal} csrf={s.session.csrf} area="patients">
      <p>
        <a href="/console/patients">Back to Patients</a>
      </p>
      <h1>Register a patient</h1>
      {hasErrors ? (
        <p class="status bad" role="alert">
          Some of what was entered is not valid:{' '}
          {Object.keys(e)
            .map((k) => FIELD_LABEL[k] ?? k)
            .join(', ')}
          .
        </p>
      ) : (
        <Flash q={props.q} />
      )}
      <form method="post" action="/console/patients" class="card" novalidate>
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        <div class="grid two">
          <div>
            <Field
              name="first_name"
              label="First name"
              value={v.first_name}
              error={e.first_name}
              required
              maxlength={100}
              autocomplete="off"
            />
          </div>
          <div>
            <Field
              name="last_name"
              label="Last name"
              value={v.last_name}
              error={e.last_name}
              required
              maxlength={100}
              autocomplete="off"
            />
          </div>
          <div>
            <Field
              name="email"
              label="E-mail (optional)"
              type="email"
              value={v.email}
              error={e.email}
              maxlength={254}
              autocomplete="off"
            />
          </div>
          <div>
            <Field
              name="phone"
              label="Phone (optional)"
              type="tel"
              value={v.phone}
              error={e.phone}
              hint="With the country code, e.g. +49 170 1234567"
              maxlength={30}
              autocomplete="off"
            />
          </div>
          <div>
            <Field
              name="birth_date"
              label="Birth date (optional)"
              type="date"
              value={v.birth_date}
              error={e.birth_date}
            />
          </div>
          <div>
            <Field
              name="referral_code"
              label="Referred by (code, optional)"
              value={v.referral_code}
              error={e.referral_code}
              hint="The referral code of the patient who recommended us"
              maxlength={40}
              autocomplete="off"
            />
          </div>
        </div>
        <fieldset>
          <legend>Preferences</legend>
          <Field
            name="tags"
            label="What they like (optional)"
            value={v.tags}
            error={e.tags}
            hint="Separated by commas, e.g. massage, books, wine. Shown when choosing a gift."
            maxlength={2600}
          />
          <Field
            name="notes"
            label="Notes (optional)"
            value={v.notes}
            error={e.notes}
            maxlength={2000}
            multiline
          />
        </fieldset>
        <RegisterLanguage value={v.locale} />
        <fieldset>
          <legend>Consent to be contacted</legend>
          <p class="hint">Read each sentence to the patient; tick it only if they agree to it.</p>
          {(['email', 'sms'] as const).map((ch) => (
            <label class="inline">
              <input
                type="checkbox"
                name={`consent_${ch}`}
                value="yes"
                checked={v[`consent_${ch}`] === 'yes'}
              />
              <span>{CONSENT_WORDING[ch]}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit">Register and issue the card</button>
      </form>
    </ConsolePage>
  );
}

// ---------------------------------------------------------------------------------------------------
// The patient's page

/** The query's cursors for the patient page's lists; null when one is not a cursor this page gave out. */
function overviewCursors(q: Record<string, string>): OverviewCursors | null {
  const cursors: OverviewCursors = {};
  const seq = (v: string) => (/^\d{1,15}$/.test(v) ? Number(v) : null);
  if (q.consent_before !== undefined) {
    const n = seq(q.consent_before);
    if (n === null) return null;
    cursors.consentBefore = n;
  }
  if (q.statement_before !== undefined) {
    const n = seq(q.statement_before);
    if (n === null) return null;
    cursors.statementBefore = n;
  }
  if (q.gifts_before !== undefined) {
    if (!isId('vch', q.gifts_before)) return null;
    cursors.giftsBefore = q.gifts_before;
  }
  if (q.visits_before !== undefined) {
    const m = /^(\d{1,15})\.(vis_\w+)$/.exec(q.visits_before);
    if (!m || !isId('vis', m[2]!)) return null;
    cursors.visitsBefore = { occurredAt: Number(m[1]), id: m[2]! };
  }
  return cursors;
}

const points = (n: number) => `${n.toLocaleString('en-GB')} point${Math.abs(n) === 1 ? '' : 's'}`;

const VISIT_HELP: Record<string, string> = {
  amount: 'Enter the amount paid as a number, like 120.50.',
  reference: 'The reference can be at most 200 characters.',
};

const ENTRY_LABEL = {
  accrual: 'Visit',
  redemption: 'Spent',
  reversal: 'Given back',
  expiry: 'Expired',
  bonus: 'Bonus',
  correction: 'Visit reversed',
} as const;

function PatientPage(props: {
  s: Signed;
  o: PatientOverview;
  q: Record<string, string>;
  pointValue: number;
}) {
  const { s, o, q } = props;
  const p = o.patient;
  const tz = s.principal.organization.timezone;
  const currency = s.principal.organization.currency;
  const worth = (n: number) => formatMoney(n * props.pointValue, o.balance.currency);
  const base = `/console/patients/${p.id}`;
  const older = (param: string, value: string | number, anchor: string) =>
    `${base}?${param}=${encodeURIComponent(String(value))}#${anchor}`;
  const visitDone = o.visit ? (
    <div class="status ok" role="status">
      {q.replayed === '1'
        ? `That reference was already recorded for the visit of ${formatWhen(o.visit.occurredAt, tz)}: nothing new was booked. Balance: ${points(o.balance.balance)} (${worth(o.balance.balance)}).`
        : `Visit recorded: earned ${points(o.visit.pointsEarned)} (${worth(o.visit.pointsEarned)}). New balance: ${points(o.balance.balance)} (${worth(o.balance.balance)}).`}
      <SurveyLinkForm patientId={p.id} csrf={s.session.csrf} visitId={o.visit.id} patient={p} />
    </div>
  ) : null;
  const fieldError = q.error === 'validation_failed' && q.field && Object.hasOwn(VISIT_HELP, q.field);
  return (
    <ConsolePage
      title={`${p.firstName} ${p.lastName}`}
      principal={s.principal}
      csrf={s.session.csrf}
      area="patients"
      scripts={['/console/copy.js']}
    >
      <p>
        <a href="/console/patients">Back to Patients</a>
      </p>
      <h1>
        {p.firstName} {p.lastName}
      </h1>
      {visitDone}
      {q.registered === '1' ? (
        <p class="status ok" role="status">
          Registered. The card number is {groupedCard(p.cardNumber)}.
        </p>
      ) : null}
      {fieldError ? (
        <p class="status bad" role="alert">
          {VISIT_HELP[q.field!]}
        </p>
      ) : (
        <Flash
          q={q}
          ok={q.called ? 'The call is recorded.' : q.referred ? 'The referral is linked.' : undefined}
        />
      )}
      <div class="grid two">
        <section class="card" aria-labelledby="card">
          <h2 id="card">Card</h2>
          <img
            class="barcode"
            src={cardBarcodeDataUri(p.cardNumber)}
            alt={`Barcode of card number ${p.cardNumber}`}
          />
          <p class="code">{groupedCard(p.cardNumber)}</p>
          <div class="figures">
            <div class="figure">
              Points balance <strong>{o.balance.balance.toLocaleString('en-GB')}</strong>
              {worth(o.balance.balance)}
            </div>
            <div class="figure">
              Next to expire
              <strong>
                {o.balance.nextExpiry ? o.balance.nextExpiry.points.toLocaleString('en-GB') : '–'}
              </strong>
              {o.balance.nextExpiry ? `after ${o.balance.nextExpiry.expiresOn}` : 'nothing'}
            </div>
            <div class="figure">
              Spent here in all <strong>{formatMoney(o.balance.lifetimeSpend, o.balance.currency)}</strong>
              {o.balance.discountBps ? `${o.balance.discountBps / 100}% discount tier` : 'no discount tier'}
            </div>
          </div>
          <p>
            <a href={`${base}/gift`}>Give {p.firstName} a gift</a>
          </p>
          <CardPageLine patientId={p.id} firstName={p.firstName} />
          <SurveyLinkForm patientId={p.id} csrf={s.session.csrf} patient={p} />
        </section>
        <CallSection
          patientId={p.id}
          csrf={s.session.csrf}
          lastCall={o.lastCall}
          zone={s.principal.organization.timezone}
        />
        <RewardGoal o={o} />
        <ReferralSection s={s} o={o} />
        <CodeWordSection patientId={p.id} csrf={s.session.csrf} o={o} q={q} zone={tz} />
        <VisitRewardsSection
          patientId={p.id}
          cards={o.punchCards}
          reversible={o.reversible}
          csrf={s.session.csrf}
          zone={tz}
          q={q}
        />
        <PlanSummary patientId={p.id} next={o.planNext} />
        <section class="card" aria-labelledby="visit">
          <h2 id="visit">Record a paid visit</h2>
          <form method="post" action={`${base}/visits`}>
            <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
            <Field
              name="amount"
              label={`Amount paid (${currency})`}
              required
              inputmode="decimal"
              maxlength={16}
              autocomplete="off"
              error={fieldError && q.field === 'amount' ? VISIT_HELP.amount : undefined}
            />
            <Field
              name="reference"
              label="Invoice or receipt number (optional)"
              hint="Recording the same number again books nothing twice."
              maxlength={200}
              autocomplete="off"
              error={fieldError && q.field === 'reference' ? VISIT_HELP.reference : undefined}
            />
            <button type="submit">Record the visit</button>
          </form>
        </section>
      </div>

      <div class="grid two">
        <section class="card" aria-labelledby="profile">
          <h2 id="profile">Profile</h2>
          <dl>
            <dt>E-mail</dt>
            <dd>{p.email ?? 'Not given'}</dd>
            <dt>Phone</dt>
            <dd>{p.phone ?? 'Not given'}</dd>
            <dt>Birth date</dt>
            <dd>{p.birthDate ?? 'Not given'}</dd>
            <dt>Registered</dt>
            <dd>{formatDate(p.createdAt, tz)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="preferences">
          <h2 id="preferences">Preferences</h2>
          {p.tags.length ? (
            <p>
              {p.tags.map((t) => (
                <span class="tag">{t}</span>
              ))}
            </p>
          ) : (
            <p class="muted">No preferences noted.</p>
          )}
          {p.notes ? <p>{p.notes}</p> : null}
        </section>
      </div>

      <QuestionnaireCard s={s} o={o} q={q} />
      <InsightCard insight={o.insight} />

      <LoyaltySections s={s} o={o} q={q} />
      <LanguageSection s={s} p={p} q={q} />
      <section class="card" aria-labelledby="consent" id="consent-history">
        <h2 id="consent">Consent</h2>
        <p>
          E-mail: <strong>{p.consentEmail ? 'agreed' : 'not agreed'}</strong> · SMS:{' '}
          <strong>{p.consentSms ? 'agreed' : 'not agreed'}</strong>
        </p>
        {o.consent.items.length === 0 ? (
          <p class="muted">No consent recorded.</p>
        ) : (
          <TableWrap label="Consent changes">
            <table>
              <caption class="muted">Changes, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Recorded at</th>
                  <th scope="col">Words shown</th>
                  <th scope="col">Wording version</th>
                </tr>
              </thead>
              <tbody>
                {o.consent.items.map((e) => (
                  <tr>
                    <td>{formatWhen(e.recordedAt, tz)}</td>
                    <td>{e.channel === 'email' ? 'E-mail' : 'SMS'}</td>
                    <td>{e.granted ? 'Agreed' : 'Did not agree'}</td>
                    <td>{e.source.replace(/_/g, ' ')}</td>
                    <td>{e.wording ?? <span class="muted">Not recorded</span>}</td>
                    <td>{e.wordingVersion ?? <span class="muted">–</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {o.consent.next !== null ? (
          <p>
            <a href={older('consent_before', o.consent.next, 'consent-history')}>Older changes</a>
          </p>
        ) : null}
      </section>

      <section class="card" aria-labelledby="points" id="points-history">
        <h2 id="points">Points</h2>
        <h3>Lots that can be spent</h3>
        {o.balance.lots.length === 0 ? (
          <p class="muted">No points to spend.</p>
        ) : (
          <TableWrap label="Lots that can be spent">
            <table>
              <thead>
                <tr>
                  <th scope="col">Earned</th>
                  <th scope="col" class="num">
                    Points left
                  </th>
                  <th scope="col">Last day to spend</th>
                </tr>
              </thead>
              <tbody>
                {o.balance.lots.map((l) => (
                  <tr>
                    <td>{formatWhen(l.earnedAt, tz)}</td>
                    <td class="num">{l.remaining.toLocaleString('en-GB')}</td>
                    <td>{l.expiresOn}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {o.balance.moreLots ? (
          <p class="muted">More lots follow; the statement lists every movement.</p>
        ) : null}
        <h3>Statement</h3>
        {o.statement.items.length === 0 ? (
          <p class="muted">No movements yet.</p>
        ) : (
          <TableWrap label="Statement">
            <table>
              <caption class="muted">Newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col" class="num">
                    Points
                  </th>
                  <th scope="col" class="num">
                    Balance after
                  </th>
                </tr>
              </thead>
              <tbody>
                {o.statement.items.map((e) => (
                  <tr>
                    <td>{formatWhen(e.effectiveAt, tz)}</td>
                    <td>
                      {ENTRY_LABEL[e.txnType]}
                      {e.counterparty ? ` · ${e.counterparty.name}` : ''}
                      {e.expiresOn ? ` · spend by ${e.expiresOn}` : ''}
                    </td>
                    <td class="num">{(e.points > 0 ? '+' : '') + e.points.toLocaleString('en-GB')}</td>
                    <td class="num">{(e.balanceAfter ?? 0).toLocaleString('en-GB')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {o.statement.next !== null ? (
          <p>
            <a href={older('statement_before', o.statement.next, 'points-history')}>Older movements</a>
          </p>
        ) : null}
      </section>

      <div class="grid two">
        <section class="card" aria-labelledby="gifts" id="gifts-given">
          <h2 id="gifts">Gifts given</h2>
          {o.gifts.items.length === 0 ? (
            <p class="muted">No gifts given yet.</p>
          ) : (
            <ul class="plain">
              {o.gifts.items.map((v) => (
                <li>
                  <span>
                    <a href={`/console/gifts/${v.id}`}>{v.title}</a>
                    <br />
                    <span class="muted">
                      Given {formatDate(v.issuedAt, tz)} · until {formatDate(v.expiresAt, tz)}
                    </span>
                  </span>
                  <span class="tag">{v.displayStatus}</span>
                </li>
              ))}
            </ul>
          )}
          {o.gifts.next !== null ? (
            <p>
              <a href={older('gifts_before', o.gifts.next, 'gifts-given')}>Older gifts</a>
            </p>
          ) : null}
        </section>
        <section class="card" aria-labelledby="visits" id="visits-list">
          <h2 id="visits">Visits</h2>
          {o.visits.items.length === 0 ? (
            <p class="muted">No visits recorded yet.</p>
          ) : (
            <ul class="plain">
              {o.visits.items.map((v) => (
                <li>
                  <span>
                    {formatWhen(v.occurredAt, tz)}
                    {v.reference ? <span class="muted"> · {v.reference}</span> : null}
                    <br />
                    <span class="muted">{points(v.pointsEarned)} earned</span>
                  </span>
                  <span class="num">{formatMoney(v.amount, v.currency)}</span>
                </li>
              ))}
            </ul>
          )}
          {o.visits.next !== null ? (
            <p>
              <a
                href={older(
                  'visits_before',
                  `${o.visits.next.occurredAt}.${o.visits.next.id}`,
                  'visits-list',
                )}
              >
                Older visits
              </a>
            </p>
          ) : null}
        </section>
      </div>
    </ConsolePage>
  );
}

// ---------------------------------------------------------------------------------------------------
// Routes

export function registerConsolePatients(app: Hono<AppEnv>) {
  app.get(
    '/console/patients',
    page('patients', async (c, s) => {
      const q = (c.req.query('q') ?? '').trim().slice(0, MAX_QUERY);
      const cursor = c.req.query('cursor');
      if (cursor !== undefined && !isId('pat', cursor)) return problemPage(c, s, 'invalid_cursor', 400);
      const rows = await listPatients(c.var.deps, {
        clinic: s.principal,
        q: q || undefined,
        after: cursor,
        limit: SEARCH_PAGE + 1,
      });
      const more = rows.length > SEARCH_PAGE;
      const shown = more ? rows.slice(0, SEARCH_PAGE) : rows;
      return html(
        c,
        <SearchPage
          s={s}
          q={q}
          rows={shown}
          next={more ? shown[shown.length - 1]!.id : null}
          first={cursor === undefined}
        />,
      );
    }),
  );

  app.get(
    '/console/patients/new',
    page('patients', (c, s) => html(c, <RegisterPage s={s} q={c.req.query()} />)),
  );

  app.post(
    '/console/patients',
    action('patients', async (c, s, f) => {
      const parsed = RegisterForm.safeParse(f);
      if (!parsed.success) {
        const errors: Record<string, string> = {};
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          errors[field] ??= issue.message;
        }
        return html(c, <RegisterPage s={s} values={f} errors={errors} q={{}} />, 400);
      }
      const b = parsed.data;
      return exactlyOnce(c, s, f, '/console/patients/new', async () => {
        const out = await registerPatientWithReferral(c.var.deps, {
          clinic: s.principal,
          patient: {
            firstName: b.first_name,
            lastName: b.last_name,
            email: b.email ?? null,
            phone: b.phone ?? null,
            birthDate: b.birth_date ?? null,
            tags: b.tags,
            notes: b.notes ?? null,
            locale: b.locale,
          },
          consent: {
            email: b.consent_email === 'yes',
            sms: b.consent_sms === 'yes',
            source: 'front_desk',
            wording: CONSENT_WORDING,
            wordingVersion: CONSENT_WORDING_VERSION,
          },
          referralCode: b.referral_code ?? null,
        });
        if (!out.ok) return outcome('/console/patients/new', out.error);
        return { location: `/console/patients/${out.value.id}?registered=1` };
      });
    }),
  );

  app.get(
    '/console/patients/:id',
    page('patients', async (c, s) => {
      const q = c.req.query();
      const cursors = overviewCursors(q);
      if (!cursors) return problemPage(c, s, 'invalid_cursor', 400);
      const out = await readPatientOverview(c.var.deps, {
        caller: s.caller,
        patientId: c.req.param('id') ?? '',
        visitId: q.visit && isId('vis', q.visit) ? q.visit : undefined,
        cursors,
        timeZone: s.principal.organization.timezone,
      });
      if (!out.ok)
        return out.error.code === 'patient_not_found'
          ? problemPage(c, s, 'patient_not_found', 404)
          : signedOut(c, out.error);
      return html(c, <PatientPage s={s} o={out.value} q={q} pointValue={c.var.deps.config.pointValue} />);
    }),
  );

  app.post(
    '/console/patients/:id/visits',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const currency = s.principal.organization.currency;
      const amount = parseMoneyInput(f.amount, currency);
      const reference = (f.reference ?? '').trim();
      const invalid = (field: string) =>
        c.redirect(`${back}?error=validation_failed&field=${field}#visit`, 303);
      if (!amount) return invalid('amount');
      if (reference.length > 200) return invalid('reference');
      return exactlyOnce(c, s, f, back, async () => {
        const out = await recordVisit(c.var.deps, {
          caller: s.caller,
          patientId,
          amount: { amount, currency },
          reference: reference || null,
        });
        if (!out.ok) return outcome(back, out.error);
        const { visit, replayed } = out.value;
        return { location: `${back}?visit=${visit.id}${replayed ? '&replayed=1' : ''}` };
      });
    }),
  );
}
