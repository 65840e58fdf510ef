import type { ClinicBranch } from '@gratia/db';
import {
  archiveBranch,
  type BranchFields,
  createBranch,
  fromE6,
  type LatLng,
  listBranches,
  parseDegrees,
  updateBranch,
  validPlace,
} from '@gratia/insight';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field } from './patient-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// /console/branches: the clinic's branches (name, address, where it is), for owners and managers (the
// programme's area). Add one, change one, archive one; each form is the API's own use case, exactly once.
// Coordinates are typed as decimal degrees ("52.52"); a map link shows where they point.

const BASE = '/console/branches';
const MAX_NAME = 100;
const MAX_ADDRESS = 500;

const HELP: Record<string, string> = {
  name: `Give the branch a name (at most ${MAX_NAME} characters).`,
  address: `The address may be ${MAX_ADDRESS} characters at most.`,
  place:
    'Enter both latitude (-90 to 90) and longitude (-180 to 180) as decimal degrees, like 52.5200 and 13.4050, or leave both empty.',
};

/** Each branch's form names its fields after the branch, so the page's field ids stay unique. */
const editPrefix = (branchId: string) => `${branchId}-`;

const degrees = (e6: number | null) => (e6 === null ? '' : String(fromE6(e6)));

/** The branch's fields from a form, or the field to fix. */
function fieldsOf(
  f: Record<string, string>,
  prefix = '',
): { fields: BranchFields } | { error: keyof typeof HELP } {
  const name = (f[`${prefix}name`] ?? '').trim();
  const address = (f[`${prefix}address`] ?? '').trim();
  if (!name || name.length > MAX_NAME) return { error: 'name' };
  if (address.length > MAX_ADDRESS) return { error: 'address' };
  const lat = parseDegrees(f[`${prefix}latitude`]);
  const lng = parseDegrees(f[`${prefix}longitude`]);
  let place: LatLng | null = null;
  if (lat !== undefined || lng !== undefined) {
    if (lat === undefined || lng === undefined || lat === null || lng === null) return { error: 'place' };
    place = { latitude: lat, longitude: lng };
    if (!validPlace(place)) return { error: 'place' };
  }
  return { fields: { name, address: address || null, place } };
}

function BranchFieldset(props: { b?: ClinicBranch; prefix: string }) {
  const b = props.b;
  const id = (n: string) => `${props.prefix}${n}`;
  return (
    <>
      <Field name={id('name')} label="Name" value={b?.name} required maxlength={MAX_NAME} />
      <Field
        name={id('address')}
        label="Address (optional)"
        value={b?.address ?? ''}
        maxlength={MAX_ADDRESS}
      />
      <div class="row">
        <div>
          <Field
            name={id('latitude')}
            label="Latitude (optional)"
            value={degrees(b?.latitudeE6 ?? null)}
            inputmode="decimal"
            maxlength={14}
          />
        </div>
        <div>
          <Field
            name={id('longitude')}
            label="Longitude (optional)"
            value={degrees(b?.longitudeE6 ?? null)}
            inputmode="decimal"
            maxlength={14}
          />
        </div>
      </div>
    </>
  );
}

function BranchesPage(props: { s: Signed; branches: ClinicBranch[]; q: Record<string, string> }) {
  const { s, q } = props;
  const fieldHelp =
    q.error === 'validation_failed' && q.field && Object.hasOwn(HELP, q.field) ? HELP[q.field] : null;
  const ok = q.added
    ? 'The branch is added.'
    : q.saved
      ? 'Saved.'
      : q.archived
        ? 'The branch is archived.'
        : undefined;
  return (
    <ConsolePage title="Branches" principal={s.principal} csrf={s.session.csrf} area="programme">
      <p>
        <a href="/console/programme">Back to the programme</a>
      </p>
      <h1>Branches</h1>
      <p class="muted">
        Where the clinic is. Gifts from partners near the branch a patient prefers (else the first branch) are
        suggested first.
      </p>
      {fieldHelp ? (
        <p class="status bad" role="alert">
          {fieldHelp}
        </p>
      ) : (
        <Flash q={q} ok={ok} />
      )}
      {props.branches.length === 0 ? <p class="muted">No branches yet.</p> : null}
      {props.branches.map((b, i) => (
        <section class="card" aria-labelledby={`branch-${b.id}`}>
          <h2 id={`branch-${b.id}`}>
            {b.name}
            {i === 0 ? <span class="muted"> (main branch)</span> : null}
          </h2>
          <p>
            {b.address ?? <span class="muted">No address</span>}
            {b.latitudeE6 !== null && b.longitudeE6 !== null ? (
              <>
                {' · '}
                {degrees(b.latitudeE6)}, {degrees(b.longitudeE6)}
              </>
            ) : (
              <span class="muted"> · not placed on the map</span>
            )}
          </p>
          <details>
            <summary>Change {b.name}</summary>
            <form method="post" action={`${BASE}/${b.id}`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <BranchFieldset b={b} prefix={editPrefix(b.id)} />
              <button type="submit">Save</button>
            </form>
            <form method="post" action={`${BASE}/${b.id}/archive`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <button type="submit" class="secondary">
                Archive {b.name}
              </button>
            </form>
          </details>
        </section>
      ))}
      <section class="card" aria-labelledby="add">
        <h2 id="add">Add a branch</h2>
        <form method="post" action={BASE}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <BranchFieldset prefix="" />
          <button type="submit">Add the branch</button>
        </form>
      </section>
    </ConsolePage>
  );
}

const invalid = (c: Context<AppEnv>, field: string) =>
  c.redirect(`${BASE}?error=validation_failed&field=${field}`, 303);

export function registerConsoleBranches(app: Hono<AppEnv>) {
  app.get(
    BASE,
    page('programme', async (c, s) => {
      const branches = await listBranches(c.var.deps, { clinic: s.principal });
      return html(c, <BranchesPage s={s} branches={branches} q={c.req.query()} />);
    }),
  );

  app.post(
    BASE,
    action('programme', async (c, s, f) => {
      const parsed = fieldsOf(f);
      if ('error' in parsed) return invalid(c, parsed.error);
      return exactlyOnce(c, s, f, BASE, async () => {
        const out = await createBranch(c.var.deps, { clinic: s.principal, branch: parsed.fields });
        if (!out.ok) return outcome(BASE, out.error);
        return { location: `${BASE}?added=${out.value.id}` };
      });
    }),
  );

  app.post(
    `${BASE}/:id`,
    action('programme', async (c, s, f) => {
      const branchId = c.req.param('id') ?? '';
      const parsed = fieldsOf(f, editPrefix(branchId));
      if ('error' in parsed) return invalid(c, parsed.error);
      return exactlyOnce(c, s, f, BASE, async () => {
        const out = await updateBranch(c.var.deps, { clinic: s.principal, branchId, changes: parsed.fields });
        if (!out.ok) return outcome(BASE, out.error);
        return { location: `${BASE}?saved=${out.value.id}` };
      });
    }),
  );

  app.post(
    `${BASE}/:id/archive`,
    action('programme', async (c, s, f) => {
      const branchId = c.req.param('id') ?? '';
      return exactlyOnce(c, s, f, BASE, async () => {
        const out = await archiveBranch(c.var.deps, { clinic: s.principal, branchId });
        if (!out.ok) return outcome(BASE, out.error);
        return { location: `${BASE}?archived=${out.value.id}` };
      });
    }),
  );
}
