import { ERROR_TEXT, isId } from '@gratia/core';
import { type AuditActor, type AuditEventView, listAuditEvents } from '@gratia/network';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { formatTimeIn } from './format';
import { ConsolePage, html, page, ROLE_NAME } from './shell';

// The audit trail (owners, in the Staff area): every change made by the clinic's staff and keys,
// newest first, of one staff member or about one patient when asked (?staff=, ?patient=; the rows
// link to both), paged by the last entry shown (?cursor=). One use case, listAuditEvents, the same
// as GET /v1/audit-events.

const BASE = '/console/audit';
const PAGE = 50;

/** What each action of the trail did, in a sentence's words; an action not listed shows as written. */
const ACTION_TEXT: Record<string, string> = {
  'patient.register': 'Registered a patient',
  'patient.update': 'Updated a patient',
  'visit.record': 'Recorded a visit',
  'points.spend': 'Took points',
  'points.reverse': 'Gave points back',
  'voucher.issue': 'Issued a gift',
  'voucher.void': 'Voided a gift',
  'voucher.redeem': 'Redeemed a gift',
  'redemption.reverse': 'Reversed a redemption',
  'call.record': 'Recorded a call',
  'program.update': 'Changed the programme',
  'staff.invite': 'Invited a staff member',
  'staff.join': 'Joined from an invitation',
  'staff.change_role': 'Changed a role',
  'staff.remove': 'Removed a staff member',
  'staff.withdraw_invitation': 'Withdrew an invitation',
  'offer.publish': 'Published an offer',
  'offer.update': 'Updated an offer',
  'api_key.issue': 'Issued an API key',
  'api_key.revoke': 'Revoked an API key',
  'organization.create': 'Created the organisation',
  'organization.locate': 'Said where the partner is',
  'branch.create': 'Added a branch',
  'branch.update': 'Changed a branch',
  'branch.archive': 'Archived a branch',
};

function Actor(props: { actor: AuditActor }) {
  const a = props.actor;
  if (a.kind === 'staff')
    return (
      <>
        <a href={`${BASE}?staff=${a.staffId}`}>{a.name}</a>
        <br />
        <span class="muted">{ROLE_NAME[a.role]}</span>
      </>
    );
  if (a.kind === 'api_key') return <>{`API key “${a.name ?? a.prefix}”`}</>;
  if (a.kind === 'patient') return <>The patient, on their personal link</>;
  return <>The network operator</>;
}

/** The entry's few facts, as `name: value` (they are small by design). */
function details(d: AuditEventView['detail']): string {
  if (!d) return '';
  const text = Object.entries(d)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

/** The link to this page with these filters (and a cursor). */
const linkTo = (q: { staff?: string; patient?: string; cursor?: string }) => {
  const params = new URLSearchParams(
    Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string'),
  ).toString();
  return params ? `${BASE}?${params}` : BASE;
};

export function registerConsoleAudit(app: Hono<AppEnv>) {
  app.get(
    BASE,
    page('staff', async (c, s) => {
      const p = s.principal;
      const q = c.req.query();
      const staff = q.staff || undefined;
      const patient = q.patient || undefined;
      const cursor = q.cursor || undefined;
      const bad =
        (staff !== undefined && !isId('stf', staff)) ||
        (patient !== undefined && !isId('pat', patient)) ||
        (cursor !== undefined && !isId('aud', cursor));
      if (bad)
        return html(
          c,
          <ConsolePage title="Audit trail" principal={p} csrf={s.session.csrf} area="staff">
            <h1>Audit trail</h1>
            <p class="status bad" role="alert">
              {ERROR_TEXT.invalid_cursor}
            </p>
            <p>
              <a href={BASE}>The whole trail, newest first</a>
            </p>
          </ConsolePage>,
          400,
        );
      const rows = await listAuditEvents(c.var.deps, {
        principal: p,
        staffId: staff,
        patientId: patient,
        before: cursor,
        limit: PAGE + 1,
      });
      const shown = rows.slice(0, PAGE);
      const next = rows.length > PAGE ? shown[shown.length - 1]!.id : null;
      const zone = p.organization.timezone;
      const who = staff
        ? (shown.find((e) => e.actor.kind === 'staff' && e.actor.staffId === staff)?.actor as
            | Extract<AuditActor, { kind: 'staff' }>
            | undefined)
        : undefined;
      return html(
        c,
        <ConsolePage title="Audit trail" principal={p} csrf={s.session.csrf} area="staff">
          <h1>Audit trail</h1>
          <p class="muted">
            Every change made by the clinic's staff and API keys, newest first. Entries are never changed or
            removed.
          </p>
          {staff || patient ? (
            <p class="status ok" role="status">
              {staff ? `Changes by ${who?.name ?? 'this staff member'}` : 'Changes'}
              {patient ? ` concerning patient ${patient}` : ''}. <a href={BASE}>Show every change</a>
            </p>
          ) : null}
          <section class="card" aria-labelledby="entries">
            <h2 id="entries">Changes</h2>
            {shown.length === 0 ? (
              <p class="muted">No changes{cursor ? ' before these' : ''}.</p>
            ) : (
              <section class="table-wrap" tabindex={0} aria-label="The changes">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Who</th>
                      <th scope="col">What</th>
                      <th scope="col">Record</th>
                      <th scope="col">Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((e) => (
                      <tr>
                        <th scope="row">{formatTimeIn(e.at, zone)}</th>
                        <td>
                          <Actor actor={e.actor} />
                        </td>
                        <td>{ACTION_TEXT[e.action] ?? e.action}</td>
                        <td>
                          <span class="code">{e.subject.id}</span>
                          {e.patientId ? (
                            <>
                              <br />
                              <a href={`/console/patients/${e.patientId}`}>The patient</a> ·{' '}
                              <a href={linkTo({ staff, patient: e.patientId })}>their changes</a>
                            </>
                          ) : null}
                        </td>
                        <td>{details(e.detail)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            )}
            <nav class="pager" aria-label="Trail pages">
              {cursor ? <a href={linkTo({ staff, patient })}>Newest</a> : null}
              {next ? <a href={linkTo({ staff, patient, cursor: next })}>Older changes</a> : null}
            </nav>
          </section>
          <p>
            <a href="/console/staff">Back to the staff list</a>
          </p>
        </ConsolePage>,
      );
    }),
  );
}
