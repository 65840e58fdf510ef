import { isId } from '@gratia/core';
import type { SegmentRule } from '@gratia/db';
import {
  archiveSegment,
  createSegment,
  listSegments,
  MAX_SEGMENT_RULES,
  previewSegment,
  type SegmentView,
  segmentMembersCsv,
  segmentOverview,
  updateSegment,
} from '@gratia/insight';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { problemPage } from './patient-views';
import { REPORTS_STYLE } from './reports-view';
import {
  BLANK_ROWS,
  EngagementChart,
  MembersTable,
  type RuleRow,
  RuleRows,
  RulesInWords,
  rowOf,
  rowsOf,
  rulesFromRows,
} from './segment-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Segments (owners and managers): saved rule sets over what the clinic knows of each patient, each with
// its live count; those with a description are personas, shown as cards. A segment's page says its
// rules in words, lists its members (paged), offers them as CSV and charts members and engagement
// month by month. Every page is the session check and one round trip (the list counts every segment in
// the same query); "Count" previews a rule set without saving it; saving is exactly-once.

const MEMBERS_PAGE = 50;
const SEGMENTS_PAGE = 20;
const STYLE = `${REPORTS_STYLE}
.personas{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}
.persona h3{margin:.2rem 0}.persona .count{font-size:1.4rem;font-weight:700}
.row.rule{border-bottom:1px solid #eee;padding-bottom:.5rem;margin-bottom:.5rem}
`;

const notFound = (c: Context<AppEnv>, s: Signed) =>
  problemPage(c, s, 'segment_not_found', 404, { href: '/console/segments', label: 'Back to Segments' });

const withBlanks = (rows: RuleRow[]) => {
  const out = [...rows];
  while (out.length < Math.min(MAX_SEGMENT_RULES, Math.max(BLANK_ROWS, rows.length + 2)))
    out.push({ field: '', op: 'is', key: '', value: '' });
  return out;
};

function ListPage(props: {
  s: Signed;
  segments: SegmentView[];
  next: string | null;
  first: boolean;
  q: Record<string, string>;
}) {
  const { s } = props;
  const personas = props.segments.filter((x) => x.persona);
  const plain = props.segments.filter((x) => !x.persona);
  return (
    <ConsolePage title="Segments" principal={s.principal} csrf={s.session.csrf} area="segments" style={STYLE}>
      <h1>Segments</h1>
      <Flash q={props.q} ok={props.q.archived ? 'The segment was archived.' : undefined} />
      <p>
        <a href="/console/segments/new">New segment</a>
      </p>
      {props.segments.length === 0 ? (
        <p class="muted">No segments yet. A segment with a description is a persona.</p>
      ) : null}
      {personas.length > 0 ? (
        <section aria-labelledby="personas">
          <h2 id="personas">Personas</h2>
          <div class="personas">
            {personas.map((x) => (
              <article class="card persona">
                <h3>
                  <a href={`/console/segments/${x.id}`}>{x.name}</a>
                </h3>
                <p>{x.description}</p>
                <p>
                  <span class="count">{x.members.toLocaleString('en-GB')}</span> patients
                </p>
              </article>
            ))}
          </div>
        </section>
      ) : null}
      {plain.length > 0 ? (
        <section aria-labelledby="plain">
          <h2 id="plain">Segments</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">
                  Patients now
                </th>
              </tr>
            </thead>
            <tbody>
              {plain.map((x) => (
                <tr>
                  <th scope="row">
                    <a href={`/console/segments/${x.id}`}>{x.name}</a>
                  </th>
                  <td class="num">{x.members.toLocaleString('en-GB')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <nav class="pager" aria-label="Pages of segments">
        {props.first ? null : <a href="/console/segments">First page</a>}
        {props.next ? <a href={`/console/segments?after=${props.next}`}>Next page</a> : null}
      </nav>
    </ConsolePage>
  );
}

interface FormState {
  id?: string;
  name: string;
  description: string;
  rows: RuleRow[];
  errors?: Map<number, string>;
  nameError?: string;
  count?: number;
}

function FormPage(props: { s: Signed; form: FormState; q?: Record<string, string> }) {
  const { s, form } = props;
  const base = form.id ? `/console/segments/${form.id}` : '/console/segments';
  const title = form.id ? `Edit ${form.name}` : 'New segment';
  return (
    <ConsolePage title={title} principal={s.principal} csrf={s.session.csrf} area="segments" style={STYLE}>
      <h1>{title}</h1>
      <Flash q={props.q ?? {}} />
      {form.count !== undefined ? (
        <p class="status ok" role="status">
          {form.count.toLocaleString('en-GB')} {form.count === 1 ? 'patient meets' : 'patients meet'} these
          rules now.
        </p>
      ) : null}
      <form method="post" action={base} class="card">
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        {form.id ? <input type="hidden" name="segment_id" value={form.id} /> : null}
        <label for="name">Name</label>
        <input
          id="name"
          name="name"
          value={form.name}
          maxlength={80}
          required
          aria-invalid={form.nameError ? 'true' : undefined}
        />
        {form.nameError ? (
          <p class="field-error" role="alert">
            {form.nameError}
          </p>
        ) : null}
        <label for="description">Description (optional: with one, the segment is a persona)</label>
        <textarea id="description" name="description" maxlength={500} rows={3}>
          {form.description}
        </textarea>
        <RuleRows rows={withBlanks(form.rows)} errors={form.errors} />
        <p class="hint">
          Money in {s.principal.organization.currency} (500.00); lists comma-separated (A, B); consent takes
          the channel (email or sms) as its question and yes or no as its value; an answer takes the question
          id.
        </p>
        <div class="row">
          <button type="submit" formaction="/console/segments/preview">
            Count
          </button>
          <button type="submit">Save</button>
        </div>
      </form>
      <p>
        <a href={form.id ? base : '/console/segments'}>Cancel</a>
      </p>
    </ConsolePage>
  );
}

/** A posted form as rules and its state, or the state with its errors. */
function readForm(s: Signed, f: Record<string, string>, id?: string) {
  const rows = rowsOf(f);
  const state: FormState = {
    id,
    name: (f.name ?? '').trim(),
    description: (f.description ?? '').trim(),
    rows,
  };
  const parsed = rulesFromRows(rows, s.principal.organization.currency);
  if (state.name === '' || state.name.length > 80)
    state.nameError = 'Give the segment a name (at most 80 characters).';
  if (state.description.length > 500) state.nameError = 'The description takes at most 500 characters.';
  if (!parsed.ok) state.errors = parsed.errors;
  return { state, rules: parsed.ok && !state.nameError ? parsed.rules : null };
}

export function registerConsoleSegments(app: Hono<AppEnv>) {
  app.get(
    '/console/segments',
    page('segments', async (c, s) => {
      const q = c.req.query();
      const after = q.after && isId('seg', q.after) ? q.after : null;
      const out = await listSegments(c.var.deps, { clinic: s.principal, after, limit: SEGMENTS_PAGE });
      if (!out.ok) return notFound(c, s);
      return html(
        c,
        <ListPage s={s} segments={out.value.segments} next={out.value.next} first={after === null} q={q} />,
      );
    }),
  );

  app.get(
    '/console/segments/new',
    page('segments', (c, s) =>
      html(c, <FormPage s={s} form={{ name: '', description: '', rows: [] }} q={c.req.query()} />),
    ),
  );

  app.post(
    '/console/segments/preview',
    action('segments', async (c, s, f) => {
      const id = f.segment_id && isId('seg', f.segment_id) ? f.segment_id : undefined;
      const { state } = readForm(s, f, id);
      const parsed = rulesFromRows(state.rows, s.principal.organization.currency);
      if (!parsed.ok) return html(c, <FormPage s={s} form={{ ...state, nameError: undefined }} />, 400);
      const out = await previewSegment(c.var.deps, { clinic: s.principal, rules: parsed.rules });
      if (!out.ok) return notFound(c, s);
      return html(c, <FormPage s={s} form={{ ...state, nameError: undefined, count: out.value.members }} />);
    }),
  );

  app.post(
    '/console/segments',
    action('segments', async (c, s, f) => {
      const { state, rules } = readForm(s, f);
      if (!rules) return html(c, <FormPage s={s} form={state} />, 400);
      return exactlyOnce(c, s, f, '/console/segments/new', async () => {
        const out = await createSegment(c.var.deps, {
          clinic: s.principal,
          name: state.name,
          description: state.description || null,
          rules,
        });
        if (!out.ok) return outcome('/console/segments/new', out.error);
        return { location: `/console/segments/${out.value.id}?saved=1` };
      });
    }),
  );

  app.get(
    '/console/segments/:id',
    page('segments', async (c, s) => {
      const id = c.req.param('id') ?? '';
      const q = c.req.query();
      const after = q.after && isId('pat', q.after) ? q.after : null;
      const out = await segmentOverview(c.var.deps, { clinic: s.principal, id, after, limit: MEMBERS_PAGE });
      if (!out.ok) return notFound(c, s);
      const { segment, members, next, months, branches } = out.value;
      const org = s.principal.organization;
      return html(
        c,
        <ConsolePage
          title={segment.name}
          principal={s.principal}
          csrf={s.session.csrf}
          area="segments"
          style={STYLE}
        >
          <p>
            <a href="/console/segments">Segments</a>
          </p>
          <h1>{segment.name}</h1>
          <Flash q={q} ok={q.saved ? 'Saved.' : undefined} />
          {segment.description ? <p class="persona-description">{segment.description}</p> : null}
          <div class="figures">
            <div class="figure">
              <strong>{segment.members.toLocaleString('en-GB')}</strong> patients now
            </div>
          </div>
          <section aria-labelledby="rules">
            <h2 id="rules">Rules</h2>
            <RulesInWords rules={segment.rules} currency={org.currency} branches={branches} />
            <p>
              <a href={`/console/segments/${segment.id}/edit`}>Edit this segment</a>
            </p>
          </section>
          <section aria-labelledby="members">
            <h2 id="members">Members</h2>
            <p>
              <a href={`/console/segments/${segment.id}/members.csv`} download>
                Download CSV of all members
              </a>
            </p>
            <MembersTable members={members} currency={org.currency} timezone={org.timezone} />
            <nav class="pager" aria-label="Pages of members">
              {after ? <a href={`/console/segments/${segment.id}`}>First page</a> : null}
              {next ? <a href={`/console/segments/${segment.id}?after=${next}`}>Next page</a> : null}
            </nav>
          </section>
          <EngagementChart segment={segment} months={months} />
          <form method="post" action={`/console/segments/${segment.id}/archive`} class="card">
            <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
            <p>Archiving takes the segment off the lists; its past months stay.</p>
            <button type="submit">Archive this segment</button>
          </form>
        </ConsolePage>,
      );
    }),
  );

  app.get(
    '/console/segments/:id/edit',
    page('segments', async (c, s) => {
      const id = c.req.param('id') ?? '';
      const out = await segmentOverview(c.var.deps, { clinic: s.principal, id, after: null, limit: 0 });
      if (!out.ok) return notFound(c, s);
      const seg = out.value.segment;
      const currency = s.principal.organization.currency;
      return html(
        c,
        <FormPage
          s={s}
          q={c.req.query()}
          form={{
            id: seg.id,
            name: seg.name,
            description: seg.description ?? '',
            rows: seg.rules.map((r: SegmentRule) => rowOf(r, currency)),
          }}
        />,
      );
    }),
  );

  app.post(
    '/console/segments/:id',
    action('segments', async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      const { state, rules } = readForm(s, f, id);
      if (!rules) return html(c, <FormPage s={s} form={state} />, 400);
      const back = `/console/segments/${id}/edit`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await updateSegment(c.var.deps, {
          clinic: s.principal,
          id,
          name: state.name,
          description: state.description || null,
          rules,
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `/console/segments/${id}?saved=1` };
      });
    }),
  );

  app.post(
    '/console/segments/:id/archive',
    action('segments', async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      const back = `/console/segments/${id}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await archiveSegment(c.var.deps, { clinic: s.principal, id });
        if (!out.ok) return outcome(back, out.error);
        return { location: '/console/segments?archived=1' };
      });
    }),
  );

  app.get(
    '/console/segments/:id/members.csv',
    page('segments', async (c, s) => {
      const id = c.req.param('id') ?? '';
      const out = await segmentMembersCsv(c.var.deps, { clinic: s.principal, id });
      if (!out.ok) return notFound(c, s);
      return new Response(out.value, {
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="segment-${id}.csv"`,
          'cache-control': 'no-store',
        },
      });
    }),
  );
}
