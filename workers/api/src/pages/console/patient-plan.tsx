import { formatMoney } from '@gratia/core';
import { PLAN_CHANNELS, type PlanItem } from '@gratia/db';
import {
  addPlanItem,
  CHANNEL_LABEL,
  generatePatientPlan,
  KIND_LABEL,
  type PatientPlanPage,
  readPatientPlanPage,
  setPlanOwner,
  TEMPLATE_KINDS,
} from '@gratia/plan';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field, formatWhen, problemPage, TableWrap } from './patient-views';
import {
  action,
  ConsolePage,
  exactlyOnce,
  Flash,
  FormKeys,
  html,
  outcome,
  page,
  ROLE_NAME,
  type Signed,
} from './shell';

// A patient's plan (every clinic role): the dated items with their owner, channel, purpose, cost and
// status, "Generate plan" / "Regenerate", the plan's owner, and an item of staff's own; and the short
// "Plan" summary on the patient's page. Marking an item done or skipped is the agenda's (PATCH
// /v1/plan/items/{id}): the status column is where its form goes.

const STATUS_WORD = { planned: 'Planned', done: 'Done', skipped: 'Skipped' } as const;
const SOURCE_WORD = { plan: 'Plan', event: 'Event', staff: 'Added by staff' } as const;

const base = (patientId: string) => `/console/patients/${patientId}/plan`;

/** The patient page's "Plan" card: the next three items and a link to the whole plan. */
export function PlanSummary(props: { patientId: string; next: (PlanItem & { ownerName: string | null })[] }) {
  return (
    <section class="card" aria-labelledby="plan-summary">
      <h2 id="plan-summary">Plan</h2>
      {props.next.length ? (
        <ul>
          {props.next.map((i) => (
            <li>
              {i.dueOn}: {KIND_LABEL[i.kind]} · {CHANNEL_LABEL[i.channel]}
              {i.ownerName ? ` · ${i.ownerName}` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Nothing planned yet.</p>
      )}
      <p>
        <a href={base(props.patientId)}>The whole plan</a>
      </p>
    </section>
  );
}

function PlanPage(props: { s: Signed; p: PatientPlanPage; q: Record<string, string> }) {
  const { s, p, q } = props;
  const tz = s.principal.organization.timezone;
  const url = base(p.patientId);
  const plan = p.plan;
  return (
    <ConsolePage
      title={`Plan: ${p.patientName}`}
      principal={s.principal}
      csrf={s.session.csrf}
      area="patients"
    >
      <p>
        <a href={`/console/patients/${p.patientId}`}>Back to the patient</a>
      </p>
      <h1>Plan for {p.patientName}</h1>
      <Flash
        q={q}
        ok={
          q.generated
            ? 'The plan is generated for the next 12 months.'
            : q.owner
              ? 'The plan has a new owner.'
              : q.added
                ? 'The item is added.'
                : undefined
        }
      />
      <section class="card" aria-labelledby="about">
        <h2 id="about">About this plan</h2>
        <p>
          Template: {p.template.name}
          {p.template.isDefault ? ' (default)' : ` (version ${p.template.version})`}, {p.targetPerYear}{' '}
          interactions a year. Done in the last 12 months: {p.doneLast12Months}.
        </p>
        <p>
          {plan?.generatedAt
            ? `Generated ${formatWhen(plan.generatedAt, tz)}, until ${plan.horizonOn}. Owner: ${plan.ownerName ?? 'nobody yet'}.`
            : 'No plan has been generated yet.'}
        </p>
        <form method="post" action={url}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <button type="submit">{plan?.generatedAt ? 'Regenerate' : 'Generate plan'}</button>
        </form>
        <p class="hint">
          Regenerating keeps every item done, skipped or added; what was done counts toward the year.
        </p>
      </section>
      <section aria-labelledby="items">
        <h2 id="items">Items</h2>
        {p.items.length ? (
          <TableWrap label="Plan items">
            <table>
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((i) => (
                  <tr>
                    <td>{i.dueOn}</td>
                    <td>
                      {KIND_LABEL[i.kind]}
                      {i.source === 'plan' ? null : <span class="tag">{SOURCE_WORD[i.source]}</span>}
                    </td>
                    <td>{i.purpose}</td>
                    <td>{CHANNEL_LABEL[i.channel]}</td>
                    <td>{i.ownerName ?? '–'}</td>
                    <td>{i.costAmount === null ? '–' : formatMoney(i.costAmount, i.currency ?? '')}</td>
                    {/* The agenda's "mark done / skipped with an outcome" form goes in this cell. */}
                    <td data-plan-item-status={i.id}>
                      {STATUS_WORD[i.status]}
                      {i.outcome ? `: ${i.outcome}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : (
          <p class="muted">No items yet: generate the plan.</p>
        )}
      </section>
      <div class="grid two">
        {plan ? (
          <section class="card" aria-labelledby="owner">
            <h2 id="owner">Owner</h2>
            <form method="post" action={`${url}/owner`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <label for="owner_staff_id">Who looks after this patient</label>
              <select id="owner_staff_id" name="owner_staff_id">
                <option value="">Nobody</option>
                {p.staff.map((m) => (
                  <option value={m.id} selected={plan.ownerStaffId === m.id}>
                    {m.name} ({ROLE_NAME[m.role]})
                  </option>
                ))}
              </select>
              <p class="hint">Their planned items go to the new owner.</p>
              <button type="submit">Change the owner</button>
            </form>
          </section>
        ) : null}
        <section class="card" aria-labelledby="add">
          <h2 id="add">Add an item</h2>
          <form method="post" action={`${url}/items`}>
            <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
            <label for="kind">Kind</label>
            <select id="kind" name="kind">
              {TEMPLATE_KINDS.map((k) => (
                <option value={k}>{KIND_LABEL[k]}</option>
              ))}
            </select>
            <label for="channel">Channel</label>
            <select id="channel" name="channel">
              {PLAN_CHANNELS.map((ch) => (
                <option value={ch}>{CHANNEL_LABEL[ch]}</option>
              ))}
            </select>
            <Field name="due_on" label="Due on" type="date" required />
            <Field name="purpose" label="Purpose (optional)" maxlength={300} />
            <button type="submit">Add the item</button>
          </form>
        </section>
      </div>
    </ConsolePage>
  );
}

export function registerConsolePatientPlan(app: Hono<AppEnv>) {
  app.get(
    '/console/patients/:id/plan',
    page('patients', async (c, s) => {
      const out = await readPatientPlanPage(c.var.deps, {
        clinic: s.principal,
        patientId: c.req.param('id') ?? '',
      });
      if (!out.ok) return problemPage(c, s, 'patient_not_found', 404);
      return html(c, <PlanPage s={s} p={out.value} q={c.req.query()} />);
    }),
  );

  app.post(
    '/console/patients/:id/plan',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = base(encodeURIComponent(patientId));
      return exactlyOnce(c, s, f, back, async () => {
        const out = await generatePatientPlan(c.var.deps, { clinic: s.principal, patientId });
        return out.ok ? { location: `${back}?generated=1` } : outcome(back, out.error);
      });
    }),
  );

  app.post(
    '/console/patients/:id/plan/owner',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = base(encodeURIComponent(patientId));
      return exactlyOnce(c, s, f, back, async () => {
        const out = await setPlanOwner(c.var.deps, {
          clinic: s.principal,
          patientId,
          ownerStaffId: f.owner_staff_id ? f.owner_staff_id : null,
        });
        return out.ok ? { location: `${back}?owner=1` } : outcome(back, out.error);
      });
    }),
  );

  app.post(
    '/console/patients/:id/plan/items',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = base(encodeURIComponent(patientId));
      const kind = f.kind ?? '';
      const channel = f.channel ?? '';
      if (
        !(TEMPLATE_KINDS as readonly string[]).includes(kind) ||
        !(PLAN_CHANNELS as readonly string[]).includes(channel)
      )
        return c.redirect(`${back}?error=validation_failed`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await addPlanItem(c.var.deps, {
          clinic: s.principal,
          patientId,
          kind: kind as (typeof TEMPLATE_KINDS)[number],
          channel: channel as (typeof PLAN_CHANNELS)[number],
          dueOn: (f.due_on ?? '').trim(),
          purpose: f.purpose ?? null,
        });
        return out.ok ? { location: `${back}?added=1` } : outcome(back, out.error);
      });
    }),
  );
}
