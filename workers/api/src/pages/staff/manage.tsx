import { ERROR_TEXT, isId, ok, type Refusal, type Result } from '@gratia/core';
import type { StaffRole } from '@gratia/db';
import {
  changeStaffRole,
  type InvitationView,
  invitationFieldErrors,
  inviteStaff,
  listStaff,
  removeStaff,
  revokeInvitation,
  rolesOf,
  STAFF_EMAIL_MAX,
  STAFF_NAME_MAX,
  type StaffView,
} from '@gratia/network';
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../env';
import { type FormOutcome, newSubmissionKey } from '../../lib/forms';
import { formatTimeIn } from '../console/format';
import { Flash, FormKeys, outcome, ROLE_NAME, type Signed } from '../console/shell';

// Managing an organisation's staff, for its owners: the list with each member's role and a form to
// change it, removal (confirmed by a tick; it revokes their key and ends their sessions at once), the
// open invitations with a way to withdraw each, and an invitation form that shows the one-time link
// once. The console (clinics) and the counter page (partners) serve the same pages and forms in their
// own frame; the use cases (packages/network/src/staff.ts) refuse anyone but an owner themselves.

export type StaffPageStatus = 200 | 403 | 404 | 422;
type PageHandler = (c: Context<AppEnv>) => Promise<Response>;

/** Where the staff pages live and how their frame does what every page of it does. */
export interface StaffFrame {
  /** '/console/staff' or '/partner/staff'. */
  base: string;
  kind: 'clinic' | 'partner';
  /** The organisation's audit trail, where the frame has one: the list links to it, per member too. */
  audit?: string;
  /** A page in the frame. */
  render(
    c: Context<AppEnv>,
    s: Signed,
    page: { title: string; body: Child; scripts?: string[] },
    status?: StaffPageStatus,
  ): Response;
  /** A GET: an owner's session checked (anyone else gets the frame's answer), then the handler. */
  get(handler: (c: Context<AppEnv>, s: Signed) => Promise<Response>): PageHandler;
  /** A form: the session, CSRF and an owner checked, then the handler. */
  post(handler: (c: Context<AppEnv>, s: Signed, f: Record<string, string>) => Promise<Response>): PageHandler;
  /** Exactly once for a form, as the frame's session. */
  once(
    c: Context<AppEnv>,
    s: Signed,
    f: Record<string, string>,
    back: string,
    run: () => Promise<FormOutcome>,
  ): Promise<Response>;
}

const STAFF_PAGE = 50;
const FIELD_TEXT = {
  name: `Enter a name of up to ${STAFF_NAME_MAX} characters.`,
  email: 'Enter an e-mail address like name@example.com, or leave it empty.',
  role: 'Choose a role.',
} as const;
const FIELD_ERROR_STYLE = 'color:var(--bad);font-weight:600;margin:.25rem 0';

/** What these pages need beyond the pages' shared style, for a frame without the console's. */
export const STAFF_STYLE = `
select{width:100%;font:inherit;padding:.65rem;border:1px solid #b9b2a8;border-radius:10px;background:#fff;color:var(--ink)}
input[type=checkbox]{width:auto;margin-right:.4rem}label.inline{display:flex;align-items:center;font-weight:400}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}.row>*{flex:1 1 8rem}.row>button{flex:0 0 auto;width:auto}
.table-wrap{overflow-x:auto}.pager{display:flex;gap:1rem;margin:1rem 0}
`;

function RoleOptions(props: { roles: readonly StaffRole[]; selected?: string }) {
  return (
    <>
      {props.roles.map((r) => (
        <option value={r} selected={r === props.selected}>
          {ROLE_NAME[r]}
        </option>
      ))}
    </>
  );
}

function StaffTable(props: { frame: StaffFrame; s: Signed; staff: StaffView[] }) {
  const { frame, s } = props;
  const p = s.principal;
  const roles = rolesOf(frame.kind);
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Signed in last</th>
            <th scope="col">Remove</th>
          </tr>
        </thead>
        <tbody>
          {props.staff.map((m) => (
            <tr>
              <th scope="row">
                {m.name}
                {m.id === p.staff?.id ? ' (you)' : ''}
                {m.email ? (
                  <>
                    <br />
                    <span class="muted">{m.email}</span>
                  </>
                ) : null}
                {frame.audit ? (
                  <>
                    <br />
                    <a href={`${frame.audit}?staff=${m.id}`}>Their changes</a>
                  </>
                ) : null}
              </th>
              <td>
                <form method="post" action={`${frame.base}/${m.id}/role`} class="row">
                  <select name="role" aria-label={`Role of ${m.name}`}>
                    <RoleOptions roles={roles} selected={m.role} />
                  </select>
                  <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                  <button type="submit" class="small" aria-label={`Change the role of ${m.name}`}>
                    Change
                  </button>
                </form>
              </td>
              <td>
                {m.lastSignInAt === null ? 'Never' : formatTimeIn(m.lastSignInAt, p.organization.timezone)}
                <br />
                <span class="muted">
                  {m.passkeys} passkey{m.passkeys === 1 ? '' : 's'}
                </span>
              </td>
              <td>
                <details>
                  <summary>Remove…</summary>
                  <form method="post" action={`${frame.base}/${m.id}/remove`}>
                    <label class="inline" for={`confirm-${m.id}`}>
                      <input type="checkbox" id={`confirm-${m.id}`} name="confirm" value="yes" required />
                      Yes, remove {m.name}: their sessions end and they can no longer sign in.
                    </label>
                    <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                    <button type="submit" class="small">
                      Remove {m.name}
                    </button>
                  </form>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Invitations(props: { frame: StaffFrame; s: Signed; invitations: InvitationView[] }) {
  const { frame, s } = props;
  if (props.invitations.length === 0) return <p class="muted">No open invitations.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Invited</th>
            <th scope="col">Role</th>
            <th scope="col">Link works until</th>
            <th scope="col">Withdraw</th>
          </tr>
        </thead>
        <tbody>
          {props.invitations.map((i) => (
            <tr>
              <th scope="row">
                {i.name}
                {i.email ? (
                  <>
                    <br />
                    <span class="muted">{i.email}</span>
                  </>
                ) : null}
              </th>
              <td>{ROLE_NAME[i.role]}</td>
              <td>{formatTimeIn(i.expiresAt, s.principal.organization.timezone)}</td>
              <td>
                <form method="post" action={`${frame.base}/invitations/${i.id}/withdraw`}>
                  <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                  <button
                    type="submit"
                    class="small secondary"
                    aria-label={`Withdraw the invitation of ${i.name}`}
                  >
                    Withdraw
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function InviteForm(props: {
  frame: StaffFrame;
  s: Signed;
  values: Record<string, string>;
  errors: Record<string, string>;
}) {
  const { frame, values, errors } = props;
  const roles = rolesOf(frame.kind);
  const describe = (name: string) =>
    errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `invite-${name}-error` } : {};
  const error = (name: string) =>
    errors[name] ? (
      <p id={`invite-${name}-error`} style={FIELD_ERROR_STYLE}>
        {errors[name]}
      </p>
    ) : null;
  return (
    <form method="post" action={`${frame.base}/invitations`} class="card">
      <h2>Invite someone</h2>
      <p class="muted">
        You get a link to send them. It works once, for 72 hours: they open it and create a passkey.
      </p>
      {Object.keys(errors).length > 0 ? (
        <p class="status bad" role="alert">
          Please correct what is marked below: no invitation was made.
        </p>
      ) : null}
      <label for="invite-name">Name</label>
      <input
        id="invite-name"
        name="name"
        value={values.name ?? ''}
        required
        maxlength={STAFF_NAME_MAX}
        autocomplete="off"
        {...describe('name')}
      />
      {error('name')}
      <label for="invite-email">E-mail (optional)</label>
      <input
        id="invite-email"
        name="email"
        type="email"
        value={values.email ?? ''}
        maxlength={STAFF_EMAIL_MAX}
        autocomplete="off"
        {...describe('email')}
      />
      {error('email')}
      <label for="invite-role">Role</label>
      <select id="invite-role" name="role" {...describe('role')}>
        {/* The least a new member can be, unless another role is chosen. */}
        <RoleOptions roles={roles} selected={values.role ?? roles[roles.length - 1]} />
      </select>
      {error('role')}
      <FormKeys csrf={props.s.session.csrf} submission={newSubmissionKey()} />
      <button type="submit">Create an invitation link</button>
    </form>
  );
}

/** The one-line outcome a form's redirect asks the list to show. */
function done(q: Record<string, string>, staff: StaffView[], invitations: InvitationView[]) {
  const member = (id: string | undefined) => staff.find((m) => m.id === id);
  if (q.invited) {
    const i = invitations.find((x) => x.id === q.invited);
    return `The invitation${i ? ` of ${i.name}` : ''} was made; its link was shown once. If it was lost, withdraw the invitation and make a new one.`;
  }
  if (q.changed) {
    const m = member(q.changed);
    return m ? `${m.name} is now ${ROLE_NAME[m.role].toLowerCase()}.` : 'The role was changed.';
  }
  if (q.removed) return 'Removed: their sessions ended and they can no longer sign in.';
  if (q.withdrawn) return 'The invitation was withdrawn: its link no longer works.';
  return undefined;
}

async function listPage(
  c: Context<AppEnv>,
  s: Signed,
  frame: StaffFrame,
  invite: { values: Record<string, string>; errors: Record<string, string> },
  status: StaffPageStatus = 200,
): Promise<Response> {
  const after = c.req.query('after');
  const paged = after !== undefined && isId('stf', after);
  const out = await listStaff(c.var.deps, {
    principal: s.principal,
    after: paged ? after : undefined,
    limit: STAFF_PAGE,
  });
  if (!out.ok) return notAllowed(c, s, frame, out.error);
  const { staff, invitations, next } = out.value;
  const q = c.req.query();
  const body = (
    <>
      <h1>Staff</h1>
      <Flash q={q} ok={done(q, staff, invitations)} />
      {q.unconfirmed ? (
        <p class="status bad" role="alert">
          Nobody was removed: tick the box to confirm the removal.
        </p>
      ) : null}
      <section class="card" aria-labelledby="members">
        <h2 id="members">Who works here</h2>
        <p class="muted">Only owners manage staff. There is always at least one owner.</p>
        {frame.audit ? (
          <p>
            <a href={frame.audit}>The audit trail: every change, by whom and when</a>
          </p>
        ) : null}
        <StaffTable frame={frame} s={s} staff={staff} />
        <nav class="pager" aria-label="Staff pages">
          {paged ? <a href={frame.base}>First page</a> : null}
          {next ? <a href={`${frame.base}?after=${next}`}>Next page</a> : null}
        </nav>
      </section>
      <section class="card" aria-labelledby="open-invitations">
        <h2 id="open-invitations">Open invitations</h2>
        <Invitations frame={frame} s={s} invitations={invitations} />
      </section>
      <InviteForm frame={frame} s={s} values={invite.values} errors={invite.errors} />
    </>
  );
  return frame.render(c, s, { title: 'Staff', body }, status);
}

function notAllowed(c: Context<AppEnv>, s: Signed, frame: StaffFrame, r: Refusal) {
  const body = (
    <>
      <h1>Not allowed</h1>
      <p class="status bad">{r.detail ?? ERROR_TEXT.forbidden}</p>
    </>
  );
  return frame.render(c, s, { title: 'Not allowed', body }, 403);
}

const MISSING_TEXT = {
  staff_not_found: 'That staff member was not found.',
  invitation_not_found: 'That invitation was not found: it may have been accepted or withdrawn already.',
} as const;
type Missing = keyof typeof MISSING_TEXT;

function notFound(c: Context<AppEnv>, s: Signed, frame: StaffFrame, code: Missing) {
  const body = (
    <>
      <h1>Not found</h1>
      <p class="status bad" role="alert">
        {MISSING_TEXT[code]}
      </p>
      <p>
        <a href={frame.base}>Back to the staff list</a>
      </p>
    </>
  );
  return frame.render(c, s, { title: 'Not found', body }, 404);
}

/**
 * A form about one member or invitation, exactly once: success goes where the use case's outcome says,
 * an id of no one of this organisation is a 404 page the first time (a repeat goes where the first was
 * sent: back to the list, with the sentence), any other refusal back to the list with its sentence.
 */
async function onceAbout(
  c: Context<AppEnv>,
  s: Signed,
  f: Record<string, string>,
  frame: StaffFrame,
  run: () => Promise<Result<string, Refusal>>,
): Promise<Response> {
  const seen: { missing?: Missing } = {};
  const res = await frame.once(c, s, f, frame.base, async () => {
    const out = await run();
    if (out.ok) return { location: out.value };
    const code = out.error.code;
    if (code === 'staff_not_found' || code === 'invitation_not_found') seen.missing = code;
    return outcome(frame.base, out.error);
  });
  return seen.missing ? notFound(c, s, frame, seen.missing) : res;
}

function InvitationMade(props: {
  name: string;
  url: string;
  expiresAt: number;
  timeZone: string;
  base: string;
}) {
  return (
    <>
      <h1>Invitation for {props.name}</h1>
      <p class="status ok" role="status">
        The invitation was made. Send {props.name} this link: it works once, until{' '}
        {formatTimeIn(props.expiresAt, props.timeZone)}.
      </p>
      <div class="card">
        <label for="invitation-link">The invitation link (shown only now)</label>
        <input id="invitation-link" value={props.url} readonly />
        <button
          type="button"
          class="secondary"
          data-copy="invitation-link"
          data-copy-status="copy-status"
          hidden
        >
          Copy the link
        </button>
        <p id="copy-status" role="status" class="muted" />
      </div>
      <p>
        <a href={props.base}>Back to the staff list</a>
      </p>
    </>
  );
}

/** The staff pages and forms of a frame: GET base, and the forms under it. */
export function registerStaffPages(app: Hono<AppEnv>, frame: StaffFrame) {
  const { base } = frame;

  app.get(
    base,
    frame.get((c, s) => listPage(c, s, frame, { values: {}, errors: {} })),
  );

  app.post(
    `${base}/invitations`,
    frame.post(async (c, s, f) => {
      const name = (f.name ?? '').trim();
      const email = (f.email ?? '').trim() || null;
      const role = f.role as StaffRole;
      const errors: Record<string, string> = {};
      for (const e of invitationFieldErrors(name, email))
        errors[e.path] = FIELD_TEXT[e.path as 'name' | 'email'];
      if (!rolesOf(frame.kind).includes(role)) errors.role = FIELD_TEXT.role;
      if (Object.keys(errors).length > 0) return listPage(c, s, frame, { values: f, errors }, 422);
      const seen: { made?: { url: string; expiresAt: number } } = {};
      const res = await frame.once(c, s, f, base, async () => {
        const out = await inviteStaff(c.var.deps, {
          by: s.principal,
          organizationId: s.principal.organizationId,
          role,
          name,
          email,
        });
        if (!out.ok) return outcome(base, out.error);
        seen.made = { url: out.value.url, expiresAt: out.value.invitation.expiresAt };
        return { location: `${base}?invited=${out.value.invitation.id}` };
      });
      // The link is shown this once; a repeated submit goes to the list, which says it was shown.
      if (!seen.made) return res;
      const body = (
        <InvitationMade
          name={name}
          url={seen.made.url}
          expiresAt={seen.made.expiresAt}
          timeZone={s.principal.organization.timezone}
          base={base}
        />
      );
      return frame.render(c, s, { title: 'Invitation', body, scripts: ['/console/copy.js'] });
    }),
  );

  app.post(
    `${base}/invitations/:id/withdraw`,
    frame.post(async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      if (!isId('inv', id)) return notFound(c, s, frame, 'invitation_not_found');
      return onceAbout(c, s, f, frame, async () => {
        const out = await revokeInvitation(c.var.deps, { principal: s.principal, invitationId: id });
        return out.ok ? ok(`${base}?withdrawn=1`) : out;
      });
    }),
  );

  app.post(
    `${base}/:id/role`,
    frame.post(async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      if (!isId('stf', id)) return notFound(c, s, frame, 'staff_not_found');
      const role = f.role as StaffRole;
      if (!rolesOf(frame.kind).includes(role)) return c.redirect(`${base}?error=validation_failed`, 303);
      return onceAbout(c, s, f, frame, async () => {
        const out = await changeStaffRole(c.var.deps, { principal: s.principal, staffId: id, role });
        return out.ok ? ok(`${base}?changed=${id}`) : out;
      });
    }),
  );

  app.post(
    `${base}/:id/remove`,
    frame.post(async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      if (!isId('stf', id)) return notFound(c, s, frame, 'staff_not_found');
      if (f.confirm !== 'yes') return c.redirect(`${base}?unconfirmed=1`, 303);
      return onceAbout(c, s, f, frame, async () => {
        const out = await removeStaff(c.var.deps, { principal: s.principal, staffId: id });
        return out.ok ? ok(`${base}?removed=${id}`) : out;
      });
    }),
  );
}
