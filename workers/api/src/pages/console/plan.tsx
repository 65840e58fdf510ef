import { formatMoney } from '@gratia/core';
import { PLAN_CHANNELS, type PlanMixLine } from '@gratia/db';
import {
  CHANNEL_LABEL,
  isSegmentKey,
  KIND_LABEL,
  type PlanStatus,
  readTemplateEditor,
  resetPlanTemplate,
  savePlanTemplate,
  TEMPLATE_KINDS,
  type TemplateEditor,
  type TemplateView,
} from '@gratia/plan';
import type { Context, Hono } from 'hono';
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
  notAllowed,
  outcome,
  page,
  type Signed,
} from './shell';

// The Plan area (owners and managers): the templates per A/B/C class and custom segment with their mix
// (the defaults shown as such), an editor per template, "reset to default", and how many patients have
// a plan and when plans were last generated (the daily job keeps them 12 months ahead).

const BASE = '/console/plan';
/** Rows of the editor: the template's lines and a few empty ones. */
const EDITOR_ROWS = 12;

export function mixInWords(mix: readonly PlanMixLine[], currency: string): string {
  return mix
    .map((l) => {
      const cost = l.cost_amount != null ? ` (${formatMoney(l.cost_amount, currency)})` : '';
      return `${l.count}× ${KIND_LABEL[l.kind]} · ${CHANNEL_LABEL[l.channel]}${cost}`;
    })
    .join('; ');
}

const segmentName = (e: TemplateEditor, key: string) => e.segments.find((s) => s.id === key)?.name ?? key;

function TemplatesPage(props: {
  s: Signed;
  e: TemplateEditor;
  status: PlanStatus;
  q: Record<string, string>;
}) {
  const { s, e, status, q } = props;
  const tz = s.principal.organization.timezone;
  const currency = s.principal.organization.currency;
  const without = e.segments.filter((seg) => !e.templates.some((t) => t.segmentKey === seg.id));
  return (
    <ConsolePage title="Plan" principal={s.principal} csrf={s.session.csrf} area="plan">
      <h1>The loyalty plan</h1>
      <Flash
        q={q}
        ok={
          q.saved
            ? 'Saved. Plans follow it when they are next generated.'
            : q.reset
              ? 'Back to the default.'
              : undefined
        }
      />
      <section class="card" aria-labelledby="status">
        <h2 id="status">Plans</h2>
        <p>
          {status.withPlan.toLocaleString('en-GB')} of {status.patients.toLocaleString('en-GB')} patients have
          a plan.{' '}
          {status.lastGeneratedAt === null
            ? 'No plan has been generated yet.'
            : `Plans were last generated ${formatWhen(status.lastGeneratedAt, tz)}.`}
        </p>
        <p class="hint">
          Every day the plans of patients without one, or whose plan ends within 11 months, are generated 12
          months ahead; a patient’s page also generates theirs at once.
        </p>
      </section>
      <section aria-labelledby="templates">
        <h2 id="templates">Templates</h2>
        <p>
          A patient in a custom segment with a template follows it (highest priority first); everyone else
          follows their A/B/C class.
        </p>
        <TableWrap label="Templates">
          <table>
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">A year</th>
                <th scope="col">Mix</th>
                <th scope="col">Version</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {e.templates.map((t) => (
                <tr>
                  <td>
                    {t.name}
                    {t.segmentKey.startsWith('seg_') ? ` (segment ${segmentName(e, t.segmentKey)})` : ''}
                  </td>
                  <td>{t.interactionsPerYear}</td>
                  <td>{mixInWords(t.mix, currency)}</td>
                  <td>{t.isDefault ? 'Default' : `v${t.version}`}</td>
                  <td>
                    <a href={`${BASE}/templates/${t.segmentKey}`}>Edit {t.name}</a>
                    {t.isDefault ? null : (
                      <form method="post" action={`${BASE}/templates/${t.segmentKey}/reset`}>
                        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                        <button type="submit">Reset {t.name} to default</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {without.length ? (
          <>
            <h3>Segments without a template</h3>
            <ul>
              {without.map((seg) => (
                <li>
                  <a href={`${BASE}/templates/${seg.id}`}>Add a template for {seg.name}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </ConsolePage>
  );
}

function EditorPage(props: {
  s: Signed;
  e: TemplateEditor;
  t: TemplateView;
  label: string;
  values?: Record<string, string>;
  errors?: string[];
  q?: Record<string, string>;
}) {
  const { s, e, t } = props;
  const q = props.q ?? {};
  const currency = s.principal.organization.currency;
  const v = props.values;
  const rows = Array.from({ length: EDITOR_ROWS }, (_, i) => {
    const l = t.mix[i];
    return {
      kind: v ? (v[`kind_${i}`] ?? '') : (l?.kind ?? ''),
      channel: v ? (v[`channel_${i}`] ?? '') : (l?.channel ?? ''),
      count: v ? (v[`count_${i}`] ?? '') : l ? String(l.count) : '',
      offer: v ? (v[`offer_${i}`] ?? '') : (l?.offer_id ?? ''),
    };
  });
  const custom = t.segmentKey.startsWith('seg_');
  return (
    <ConsolePage title={`Template: ${props.label}`} principal={s.principal} csrf={s.session.csrf} area="plan">
      <p>
        <a href={BASE}>Back to the plan</a>
      </p>
      <h1>Template: {props.label}</h1>
      <p>
        {t.isDefault
          ? `${props.label} follows the default: ${t.interactionsPerYear} interactions a year.`
          : `Version ${t.version}: ${t.interactionsPerYear} interactions a year.`}{' '}
        Items are planned 14 days apart or more, so at most 26 a year; a birthday comes once.
      </p>
      <Flash q={q} />
      {q.why ? <p class="status bad">{q.why}</p> : null}
      {props.errors?.length ? (
        <div class="status bad" role="alert">
          <p>The template was not saved:</p>
          <ul>
            {props.errors.map((m) => (
              <li>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" action={`${BASE}/templates/${t.segmentKey}`} class="card">
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        <Field name="name" label="Name" value={v?.name ?? t.name} maxlength={80} />
        {custom ? (
          <Field
            name="priority"
            label="Priority"
            value={v?.priority ?? String(t.priority)}
            inputmode="numeric"
            hint="A patient in several segments follows the highest priority one's template."
          />
        ) : null}
        <TableWrap label="Interactions a year">
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Channel</th>
                <th scope="col">How many a year</th>
                <th scope="col">Gift offer</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr>
                  <td>
                    <select name={`kind_${i}`} aria-label={`Kind, line ${i + 1}`}>
                      <option value="">–</option>
                      {TEMPLATE_KINDS.map((k) => (
                        <option value={k} selected={r.kind === k}>
                          {KIND_LABEL[k]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select name={`channel_${i}`} aria-label={`Channel, line ${i + 1}`}>
                      {PLAN_CHANNELS.map((ch) => (
                        <option value={ch} selected={r.channel === ch}>
                          {CHANNEL_LABEL[ch]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      name={`count_${i}`}
                      value={r.count}
                      inputmode="numeric"
                      aria-label={`How many a year, line ${i + 1}`}
                      maxlength={2}
                    />
                  </td>
                  <td>
                    <select name={`offer_${i}`} aria-label={`Gift offer, line ${i + 1}`}>
                      <option value="">None</option>
                      {e.offers.map((o) => (
                        <option value={o.id} selected={r.offer === o.id}>
                          {o.title} ({formatMoney(o.price, currency)})
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        <button type="submit">Save the template</button>
      </form>
    </ConsolePage>
  );
}

/** The editor's lines as a mix, or what is wrong with them. */
function readMix(f: Record<string, string>): { mix: PlanMixLine[] } | { errors: string[] } {
  const mix: PlanMixLine[] = [];
  const errors: string[] = [];
  for (let i = 0; i < EDITOR_ROWS; i++) {
    const kind = f[`kind_${i}`] ?? '';
    const count = (f[`count_${i}`] ?? '').trim();
    if (!kind && !count) continue;
    const n = Number(count);
    if (!(TEMPLATE_KINDS as readonly string[]).includes(kind)) errors.push(`Line ${i + 1}: choose a kind.`);
    else if (!/^\d{1,2}$/.test(count) || n < 1) errors.push(`Line ${i + 1}: enter how many a year, like 2.`);
    const channel = f[`channel_${i}`] ?? '';
    const offer = f[`offer_${i}`] ?? '';
    mix.push({
      kind: kind as PlanMixLine['kind'],
      channel: (PLAN_CHANNELS as readonly string[]).includes(channel)
        ? (channel as PlanMixLine['channel'])
        : 'call',
      count: n,
      ...(offer ? { offer_id: offer } : {}),
    });
  }
  if (mix.length === 0) errors.push('Enter at least one line.');
  return errors.length ? { errors } : { mix };
}

export function registerConsolePlan(app: Hono<AppEnv>) {
  app.get(
    BASE,
    page('plan', async (c, s) => {
      const e = await readTemplateEditor(c.var.deps, { clinic: s.principal });
      if (!e.ok) return notAllowed(c, s.principal, s.session.csrf, e.error.detail ?? '');
      return html(c, <TemplatesPage s={s} e={e.value} status={e.value.status} q={c.req.query()} />);
    }),
  );

  const editor = async (
    c: Context<AppEnv>,
    s: Signed,
    key: string,
  ): Promise<{ refused: Response } | { e: TemplateEditor; t: TemplateView; label: string }> => {
    const e = await readTemplateEditor(c.var.deps, { clinic: s.principal });
    if (!e.ok) return { refused: await notAllowed(c, s.principal, s.session.csrf, e.error.detail ?? '') };
    const known = /^[ABC]$/.test(key) || e.value.segments.some((seg) => seg.id === key);
    if (!isSegmentKey(key) || !known)
      return {
        refused: await problemPage(c, s, 'segment_not_found', 404, { href: BASE, label: 'Back to the plan' }),
      };
    const t: TemplateView = e.value.templates.find((x) => x.segmentKey === key) ?? {
      id: null,
      segmentKey: key,
      name: segmentName(e.value, key),
      priority: 0,
      interactionsPerYear: 0,
      mix: [],
      version: 0,
      isDefault: true,
      updatedByStaffId: null,
      updatedAt: null,
    };
    const label = key.startsWith('seg_') ? `segment ${segmentName(e.value, key)}` : `class ${key}`;
    return { e: e.value, t, label };
  };

  app.get(
    `${BASE}/templates/:key`,
    page('plan', async (c, s) => {
      const ed = await editor(c, s, c.req.param('key') ?? '');
      if ('refused' in ed) return ed.refused;
      return html(c, <EditorPage s={s} e={ed.e} t={ed.t} label={ed.label} q={c.req.query()} />);
    }),
  );

  app.post(
    `${BASE}/templates/:key`,
    action('plan', async (c, s, f) => {
      const key = c.req.param('key') ?? '';
      const back = `${BASE}/templates/${encodeURIComponent(key)}`;
      const form = readMix(f);
      const priority = f.priority === undefined || f.priority === '' ? undefined : Number(f.priority);
      if ('errors' in form || (priority !== undefined && !Number.isInteger(priority))) {
        const ed = await editor(c, s, key);
        if ('refused' in ed) return ed.refused;
        const errors =
          'errors' in form ? form.errors : ['Enter the priority as a whole number from 0 to 1000.'];
        return html(
          c,
          <EditorPage s={s} e={ed.e} t={ed.t} label={ed.label} values={f} errors={errors} />,
          422,
        );
      }
      return exactlyOnce(c, s, f, back, async () => {
        const out = await savePlanTemplate(c.var.deps, {
          clinic: s.principal,
          segmentKey: key,
          name: f.name ?? null,
          priority,
          interactionsPerYear: form.mix.reduce((n, l) => n + l.count, 0),
          mix: form.mix,
        });
        if (out.ok) return { location: `${BASE}?saved=1` };
        if (out.error.code === 'validation_failed') {
          const words = (out.error.errors ?? []).map((x) => x.message).join('; ');
          return {
            location: `${back}?error=validation_failed&why=${encodeURIComponent(words.slice(0, 300))}`,
          };
        }
        return outcome(back, out.error);
      });
    }),
  );

  app.post(
    `${BASE}/templates/:key/reset`,
    action('plan', async (c, s, f) =>
      exactlyOnce(c, s, f, BASE, async () => {
        const out = await resetPlanTemplate(c.var.deps, {
          clinic: s.principal,
          segmentKey: c.req.param('key') ?? '',
        });
        return out.ok ? { location: `${BASE}?reset=1` } : outcome(BASE, out.error);
      }),
    ),
  );
}
