import { env } from 'cloudflare:workers';
import { HOUR_MS } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { join, newAuthenticator, ORIGIN, type StaffSession, staffSession } from '../helpers/staff';

// The console's Staff area (owners only) and the same pages on the counter (/partner/staff): invite
// by a one-time link, change a role, remove someone (their key revoked and their sessions ended at
// once), withdraw an invitation; the last owner stays.

const INVITE = { name: 'Mara Jansen', email: 'mara@example.com', role: 'front_desk' };

async function clinic(api: Client = createClient()) {
  const net = await createNetwork(api);
  const as = (role: 'owner' | 'manager' | 'front_desk', name?: string) =>
    staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role, name });
  const owner = await as('owner', 'Olga Owner');
  return { api, net, owner, as };
}

const row = async (table: string, id: string) =>
  env.DB.prepare(`select * from ${table} where id = ?`).bind(id).first<Record<string, unknown>>();
const count = async (sql: string, ...args: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...args)
    .first<{ n: number }>())!.n;

const linkOf = (html: string) => /value="https:\/\/gratia\.test\/join\/([A-Za-z0-9_-]+)"/.exec(html)?.[1];

/** The invitations a staff member's organisation has made, by name (storage is shared by the file's tests). */
const invitations = (s: StaffSession, name?: string) =>
  count(
    `select count(*) as n from staff_invitations
      where organization_id = (select organization_id from staff_members where id = ?) and (? is null or name = ?)`,
    s.staffId,
    name ?? null,
    name ?? null,
  );

async function invite(s: StaffSession, fields: Record<string, string> = INVITE, base = '/console/staff') {
  const res = await s.post(`${base}/invitations`, fields);
  expect(res.status, res.text).toBe(200);
  const token = linkOf(res.text);
  expect(token).toBeTruthy();
  const { id } = (await env.DB.prepare(
    `select id from staff_invitations
      where organization_id = (select organization_id from staff_members where id = ?) and name = ?`,
  )
    .bind(s.staffId, fields.name)
    .first<{ id: string }>())!;
  return { res, token: token!, id };
}

describe('the staff page', () => {
  it('lists the staff with their roles, the open invitations and the invitation form', async () => {
    const { owner, as } = await clinic();
    await as('front_desk', 'Fritz Desk');
    await invite(owner, { name: 'Ina Invited', email: '', role: 'manager' });
    const res = await owner.get('/console/staff');
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Olga Owner (you)');
    expect(res.text).toContain('Fritz Desk');
    expect(res.text).toMatch(
      /aria-label="Role of Fritz Desk"><option value="owner">Owner<\/option><option value="manager">Manager<\/option><option value="front_desk" selected="">/,
    );
    expect(res.text).toContain('Ina Invited');
    expect(res.text).toContain('Withdraw the invitation of Ina Invited');
    expect(res.text).toContain('action="/console/staff/invitations"');
    expect(res.text).not.toContain('Staff</option>'); // a clinic has no partner roles
  });

  it('is for owners only: a manager and the front desk get 403 on the page and every form, and nothing changes', async () => {
    const { owner, as } = await clinic();
    const desk = await as('front_desk', 'Fritz Desk');
    const { token, id: invitationId } = await invite(owner);
    for (const role of ['manager', 'front_desk'] as const) {
      const s = await as(role);
      const page = await s.get('/console/staff');
      expect(page.status, role).toBe(403);
      expect(page.text).not.toContain('Fritz Desk');
      expect((await s.get('/console')).text).not.toContain('href="/console/staff"');
      for (const [path, fields] of [
        ['/console/staff/invitations', { ...INVITE, name: 'Sneaky' }],
        [`/console/staff/${desk.staffId}/role`, { role: 'owner' }],
        [`/console/staff/${owner.staffId}/role`, { role: 'front_desk' }],
        [`/console/staff/${desk.staffId}/remove`, { confirm: 'yes' }],
        [`/console/staff/invitations/${invitationId}/withdraw`, {}],
      ] as const) {
        const res = await s.post(path, fields);
        expect(res.status, `${role} ${path}`).toBe(403);
      }
    }
    expect(await invitations(owner, 'Sneaky')).toBe(0);
    expect((await row('staff_members', desk.staffId))!.role).toBe('front_desk');
    expect((await row('staff_members', desk.staffId))!.removed_at).toBeNull();
    expect((await row('staff_members', owner.staffId))!.role).toBe('owner');
    expect((await row('staff_invitations', invitationId))!.revoked_at).toBeNull();
    expect((await createClient().get(`/join/${token}`)).status).toBe(200);
  });
});

describe('invitations', () => {
  it('shows the one-time link once, with a copy button; a repeated submit makes no second invitation', async () => {
    const { api, owner } = await clinic();
    const fields = { ...INVITE, submission: 'invite-once-0123456789' };
    const first = await owner.post('/console/staff/invitations', fields);
    expect(first.status, first.text).toBe(200);
    const token = linkOf(first.text)!;
    expect(token).toBeTruthy();
    expect(first.text).toContain('data-copy="invitation-link"');
    expect(first.text).toContain('<script src="/console/copy.js">');
    expect(first.headers.get('cache-control')).toContain('no-store');
    const copy = await api.get('/console/copy.js');
    expect(copy.status).toBe(200);
    expect(copy.headers.get('content-type')).toContain('text/javascript');

    const again = await owner.post('/console/staff/invitations', fields);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toMatch(/^\/console\/staff\?invited=inv_/);
    expect(again.text).not.toContain(token);
    const list = await owner.get(again.headers.get('location')!);
    expect(list.text).toContain('The invitation of Mara Jansen was made; its link was shown once.');
    expect(list.text).not.toContain(token);
    expect(await invitations(owner, INVITE.name)).toBe(1);

    const join = await api.get(`/join/${token}`);
    expect(join.status).toBe(200);
    expect(join.text).toContain('Welcome, Mara Jansen');
    expect(join.text).toContain('front desk');
  });

  it('expires after 72 hours: the link shows the 404 page and the list no longer offers it', async () => {
    const { api, owner } = await clinic();
    const { token } = await invite(owner);
    api.clock.advance!(72 * HOUR_MS - 1000);
    expect((await api.get(`/join/${token}`)).status).toBe(200);
    api.clock.advance!(1000);
    const gone = await api.get(`/join/${token}`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('This invitation link does not work');
    const fresh = await staffSession(api, {
      organizationId: (await row('staff_members', owner.staffId))!.organization_id as string,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await fresh.get('/console/staff')).text).not.toContain('Mara Jansen');
  });

  it('works once: the invitee joins with a passkey as the role given, then the link shows the 404 page', async () => {
    const { api, owner } = await clinic();
    const { token, id } = await invite(owner);
    const joined = await join(api, token, newAuthenticator());
    expect(joined.res.status, joined.res.text).toBe(200);
    expect(joined.res.body.location).toBe('/console');
    const mara = await api.get('/console', { headers: { cookie: joined.cookie } });
    expect(mara.status).toBe(200);
    expect(mara.text).toContain('Mara Jansen (Front desk)');
    expect((await api.get(`/join/${token}`)).status).toBe(404);
    expect((await join(api, token, newAuthenticator())).res.status).toBe(404);
    const list = await owner.get('/console/staff');
    expect(list.text).toMatch(/aria-label="Role of Mara Jansen">.*<option value="front_desk" selected="">/);
    expect(list.text).not.toContain('Withdraw the invitation of Mara Jansen');
    // Her passkey and when she last used it (joining signs her in).
    expect(list.text).toMatch(/Mara Jansen.*1 Nov 2026, 10:00<br\/><span class="muted">1 passkey<\/span>/);
    // An accepted invitation is no longer there to withdraw.
    const res = await owner.post(`/console/staff/invitations/${id}/withdraw`);
    expect(res.status).toBe(404);
    expect((await row('staff_invitations', id))!.revoked_at).toBeNull();
  });

  it('can be withdrawn: the link stops working', async () => {
    const { api, owner } = await clinic();
    const { token, id } = await invite(owner);
    const res = await owner.post(`/console/staff/invitations/${id}/withdraw`);
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe('/console/staff?withdrawn=1');
    expect((await api.get(`/join/${token}`)).status).toBe(404);
    expect((await owner.get('/console/staff?withdrawn=1')).text).toContain('The invitation was withdrawn');
    expect(
      await count(
        "select count(*) as n from audit_events where action = 'staff.withdraw_invitation' and subject_id = ?",
        id,
      ),
    ).toBe(1);
  });

  it('sends a bad name, e-mail or role back to the form with a sentence each, keeping what was typed', async () => {
    const { owner } = await clinic();
    const res = await owner.post('/console/staff/invitations', {
      name: '   ',
      email: 'not-an-address',
      role: 'staff',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a name of up to 100 characters.');
    expect(res.text).toContain('Enter an e-mail address like name@example.com, or leave it empty.');
    expect(res.text).toContain('Choose a role.');
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toContain('aria-invalid="true"');
    expect(await invitations(owner)).toBe(0);
  });
});

describe('roles', () => {
  it('an owner changes a role; it applies at the member’s next request', async () => {
    const { owner, as } = await clinic();
    const desk = await as('front_desk', 'Fritz Desk');
    expect((await desk.get('/console/programme')).status).toBe(403);
    const res = await owner.post(`/console/staff/${desk.staffId}/role`, { role: 'manager' });
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/staff?changed=${desk.staffId}`);
    expect((await owner.get(res.headers.get('location')!)).text).toContain('Fritz Desk is now manager.');
    expect((await row('staff_members', desk.staffId))!.role).toBe('manager');
    expect((await desk.get('/console/programme')).status).toBe(200);
    expect((await desk.get('/console/staff')).status).toBe(403);
  });

  it('the last owner can be neither demoted nor removed; with a second owner, either can go', async () => {
    const { owner, as } = await clinic();
    const demote = await owner.post(`/console/staff/${owner.staffId}/role`, { role: 'manager' });
    expect(demote.status).toBe(303);
    expect(demote.headers.get('location')).toBe('/console/staff?error=last_owner');
    expect((await owner.get('/console/staff?error=last_owner')).text).toContain(
      'Every organisation keeps at least one owner',
    );
    const remove = await owner.post(`/console/staff/${owner.staffId}/remove`, { confirm: 'yes' });
    expect(remove.headers.get('location')).toBe('/console/staff?error=last_owner');
    expect((await row('staff_members', owner.staffId))!).toMatchObject({ role: 'owner', removed_at: null });
    expect(
      await count(
        "select count(*) as n from audit_events where action like 'staff.%' and subject_id = ?",
        owner.staffId,
      ),
    ).toBe(0);

    const second = await as('owner', 'Otto Owner');
    const res = await second.post(`/console/staff/${owner.staffId}/role`, { role: 'manager' });
    expect(res.headers.get('location')).toBe(`/console/staff?changed=${owner.staffId}`);
    expect((await row('staff_members', owner.staffId))!.role).toBe('manager');
    // Now Otto is the last owner.
    const last = await second.post(`/console/staff/${second.staffId}/remove`, { confirm: 'yes' });
    expect(last.headers.get('location')).toBe('/console/staff?error=last_owner');
  });

  it('offers only the clinic’s roles', async () => {
    const { owner, as } = await clinic();
    const desk = await as('front_desk');
    const res = await owner.post(`/console/staff/${desk.staffId}/role`, { role: 'staff' });
    expect(res.headers.get('location')).toBe('/console/staff?error=validation_failed');
    expect((await row('staff_members', desk.staffId))!.role).toBe('front_desk');
  });

  it('changes once for a form sent twice', async () => {
    const { owner, as } = await clinic();
    const desk = await as('front_desk');
    const fields = { role: 'manager', submission: 'role-once-0123456789' };
    const first = await owner.post(`/console/staff/${desk.staffId}/role`, fields);
    const again = await owner.post(`/console/staff/${desk.staffId}/role`, fields);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(
      await count(
        "select count(*) as n from audit_events where action = 'staff.change_role' and subject_id = ?",
        desk.staffId,
      ),
    ).toBe(1);
  });
});

describe('removal', () => {
  it('ends the member’s session at once (their next request is the sign-in page) and revokes their key', async () => {
    const { owner, as } = await clinic();
    const desk = await as('front_desk', 'Fritz Desk');
    expect((await desk.get('/console')).status).toBe(200);
    const unconfirmed = await owner.post(`/console/staff/${desk.staffId}/remove`, {});
    expect(unconfirmed.headers.get('location')).toBe('/console/staff?unconfirmed=1');
    expect((await row('staff_members', desk.staffId))!.removed_at).toBeNull();
    expect((await owner.get('/console/staff?unconfirmed=1')).text).toContain('tick the box to confirm');

    const fields = { confirm: 'yes', submission: 'remove-once-0123456789' };
    const res = await owner.post(`/console/staff/${desk.staffId}/remove`, fields);
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/staff?removed=${desk.staffId}`);
    const next = await desk.get('/console');
    expect(next.status).toBe(401);
    expect(next.text).toContain('Sign in with a passkey');
    expect((await row('api_keys', desk.keyId))!.revoked_at).not.toBeNull();
    expect((await row('page_sessions', desk.sessionId))!.ended_at).not.toBeNull();
    // Removed, they are no one to give a role to.
    expect((await owner.post(`/console/staff/${desk.staffId}/role`, { role: 'manager' })).status).toBe(404);
    expect((await row('staff_members', desk.staffId))!.role).toBe('front_desk');
    const list = await owner.get(`/console/staff?removed=${desk.staffId}`);
    expect(list.text).toContain('Removed: their sessions ended');
    expect(list.text).not.toContain('Fritz Desk');
    // Sent twice: one removal.
    expect((await owner.post(`/console/staff/${desk.staffId}/remove`, fields)).headers.get('location')).toBe(
      res.headers.get('location'),
    );
    expect(
      await count(
        "select count(*) as n from audit_events where action = 'staff.remove' and subject_id = ?",
        desk.staffId,
      ),
    ).toBe(1);
  });
});

describe('another organisation’s staff and invitations', () => {
  it('are not found (404 page in the frame) and nothing changes', async () => {
    const api = createClient();
    const { net, owner } = await clinic(api);
    const theirOwner = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    const theirDesk = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'front_desk',
      name: 'Their Desk',
    });
    const { id: theirInvitation } = await invite(theirOwner, { ...INVITE, name: 'Their Invitee' });
    for (const [path, fields] of [
      [`/console/staff/${theirDesk.staffId}/role`, { role: 'manager' }],
      [`/console/staff/${theirDesk.staffId}/remove`, { confirm: 'yes' }],
      [`/console/staff/${theirOwner.staffId}/role`, { role: 'front_desk' }],
      [`/console/staff/invitations/${theirInvitation}/withdraw`, {}],
      ['/console/staff/stf_01JD0000000000000000000000/role', { role: 'manager' }],
      ['/console/staff/not-an-id/remove', { confirm: 'yes' }],
      ['/console/staff/invitations/inv_01JD0000000000000000000000/withdraw', {}],
    ] as const) {
      const res = await owner.post(path, fields);
      expect(res.status, path).toBe(404);
      expect(res.text).toContain('Not found');
      expect(res.text).toContain('href="/console/staff"');
    }
    expect((await row('staff_members', theirDesk.staffId))!).toMatchObject({
      role: 'front_desk',
      removed_at: null,
    });
    expect((await row('staff_members', theirOwner.staffId))!.role).toBe('owner');
    expect((await row('staff_invitations', theirInvitation))!.revoked_at).toBeNull();
    expect((await theirDesk.get('/console')).status).toBe(200);
    const page = await owner.get('/console/staff');
    expect(page.text).not.toContain('Their Desk');
    expect(page.text).not.toContain('Their Invitee');
    // Their cursor pages nothing of theirs.
    expect((await owner.get(`/console/staff?after=${theirDesk.staffId}`)).text).not.toContain('Their Desk');
  });
});

describe('forms without the session’s CSRF token', () => {
  it('are refused (403) and change nothing', async () => {
    const { api, owner, as } = await clinic();
    const desk = await as('front_desk');
    const wrong = await owner.post(`/console/staff/${desk.staffId}/remove`, { confirm: 'yes', csrf: 'nope' });
    expect(wrong.status).toBe(403);
    const none = await api.post(`/console/staff/${desk.staffId}/role`, {
      rawBody: new URLSearchParams({ role: 'owner' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: owner.cookie, origin: ORIGIN },
    });
    expect(none.status).toBe(403);
    const elsewhere = await owner.post('/console/staff/invitations', INVITE, {
      origin: 'https://evil.example',
    });
    expect(elsewhere.status).toBe(403);
    expect((await row('staff_members', desk.staffId))!).toMatchObject({
      role: 'front_desk',
      removed_at: null,
    });
    expect(await invitations(owner)).toBe(0);
  });
});

describe('the audit trail (/console/audit)', () => {
  it('lists every change newest first, with who made it; by staff member and by patient; paged', async () => {
    const { api, net, owner, as } = await clinic();
    const desk = await as('front_desk', 'Fritz Desk');
    await invite(owner, { ...INVITE, name: 'Ina Invited' });
    api.clock.advance!(1000);
    expect((await owner.post(`/console/staff/${desk.staffId}/role`, { role: 'manager' })).status).toBe(303);
    api.clock.advance!(1000);
    const patient = await createPatient(api, net.clinic.key, { first_name: 'Pia' });
    api.clock.advance!(1000);

    const all = await owner.get('/console/audit');
    expect(all.status, all.text).toBe(200);
    const text = all.text;
    // Newest first: the patient (by the clinic's API key), the role change, the invitation.
    const order = ['Registered a patient', 'Changed a role', 'Invited a staff member'].map((t) =>
      text.indexOf(t),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('from: front_desk, to: manager');
    expect(text).toContain(`href="/console/audit?staff=${owner.staffId}">Olga Owner</a>`);
    expect(text).toContain('API key');
    expect(text).toContain(`href="/console/patients/${patient.id}"`);

    const mine = await owner.get(`/console/audit?staff=${owner.staffId}`);
    expect(mine.text).toContain('Changes by Olga Owner');
    expect(mine.text).toContain('Changed a role');
    expect(mine.text).not.toContain('Registered a patient');
    const theirs = await owner.get(`/console/audit?patient=${patient.id}`);
    expect(theirs.text).toContain('Registered a patient');
    expect(theirs.text).not.toContain('Changed a role');
    // The staff list links to each member's changes and to the trail.
    const list = await owner.get('/console/staff');
    expect(list.text).toContain(`href="/console/audit?staff=${desk.staffId}"`);
    expect(list.text).toContain('href="/console/audit"');

    for (let i = 0; i < 50; i++) await createPatient(api, net.clinic.key);
    const first = await owner.get('/console/audit');
    const rows = (html: string) => html.match(/<tr><th scope="row">/g)?.length ?? 0;
    expect(rows(first.text)).toBe(50);
    const older = /href="(\/console\/audit\?cursor=aud_\w+)"/.exec(first.text)?.[1];
    expect(older).toBeTruthy();
    const second = await owner.get(older!);
    expect(second.status).toBe(200);
    expect(rows(second.text)).toBeGreaterThanOrEqual(3);
    expect(second.text).toContain('Invited a staff member');
    expect(second.text).toContain('href="/console/audit">Newest</a>');
  });

  it('is for owners; shows nothing of another clinic; a filter that is no id is a 400 page', async () => {
    const api = createClient();
    const { net, owner, as } = await clinic(api);
    const theirOwner = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    const theirPatient = await createPatient(api, net.otherClinic.key, { first_name: 'Theodora' });
    await invite(theirOwner, { ...INVITE, name: 'Their Invitee' });
    for (const role of ['manager', 'front_desk'] as const)
      expect((await (await as(role)).get('/console/audit')).status, role).toBe(403);
    const whole = await owner.get('/console/audit');
    expect(whole.status).toBe(200);
    for (const theirs of [theirPatient.id, theirOwner.staffId, 'Their Invitee', 'Registered a patient'])
      expect(whole.text).not.toContain(theirs);
    for (const path of [
      `/console/audit?staff=${theirOwner.staffId}`,
      `/console/audit?patient=${theirPatient.id}`,
    ]) {
      const res = await owner.get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain('No changes.');
      expect(res.text, path).not.toContain('Their Invitee');
    }
    for (const bad of ['?staff=x', '?patient=%27', '?cursor=abc'])
      expect((await owner.get(`/console/audit${bad}`)).status, bad).toBe(400);
  });
});

describe('cost', () => {
  it('the staff pages and the trail cost two D1 round trips: the session check and their use case', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    for (const [kind, organizationId, path] of [
      ['clinic', net.clinic.id, '/console/staff'],
      ['partner', net.partner.id, '/partner/staff'],
      ['clinic', net.clinic.id, '/console/audit'],
    ] as const) {
      const owner = await staffSession(api, { organizationId, kind, role: 'owner' });
      const res = await api.app.request(
        `https://gratia.test${path}`,
        { headers: { cookie: owner.cookie, 'x-debug-d1': '1' } },
        { ...env, EXPOSE_D1_METRICS: '1' },
      );
      expect(res.status, path).toBe(200);
      expect(res.headers.get('server-timing'), path).toMatch(/round_trips=2\b/);
    }
  });
});

describe('paging', () => {
  it('pages the staff by name and id, so members of the same name are each listed once', async () => {
    const { owner, as } = await clinic();
    for (let i = 0; i < 55; i++) await as('front_desk', 'Sam Same');
    const ids = (html: string) =>
      [...html.matchAll(/action="\/console\/staff\/(stf_\w+)\/role"/g)].map((m) => m[1]!);
    const first = await owner.get('/console/staff');
    const next = /href="\/console\/staff\?after=(stf_\w+)"/.exec(first.text)?.[1];
    expect(next).toBeTruthy();
    const second = await owner.get(`/console/staff?after=${next}`);
    expect(second.text).not.toContain('?after=');
    const all = [...ids(first.text), ...ids(second.text)];
    expect(ids(first.text)).toHaveLength(50);
    expect(new Set(all).size).toBe(56);
    expect(all).toHaveLength(56);
  });
});

describe('the counter’s staff page (/partner/staff)', () => {
  it('gives a partner’s owner the same use cases with the partner’s roles; removal ends the counter session', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await staffSession(api, {
      organizationId: net.partner.id,
      kind: 'partner',
      role: 'owner',
      name: 'Paula Owner',
    });
    const clerk = await staffSession(api, {
      organizationId: net.partner.id,
      kind: 'partner',
      role: 'staff',
      name: 'Carl Clerk',
    });
    expect((await owner.get('/partner')).text).toContain('href="/partner/staff"');
    expect((await clerk.get('/partner')).text).not.toContain('href="/partner/staff"');

    const page = await owner.get('/partner/staff');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('Carl Clerk');
    expect(page.text).toContain('<option value="staff"');
    expect(page.text).not.toContain('<option value="front_desk"');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    // A clinic role is not a partner's.
    const bad = await owner.post('/partner/staff/invitations', { ...INVITE, role: 'front_desk' });
    expect(bad.status).toBe(422);
    const { token } = await invite(owner, { ...INVITE, role: 'staff' }, '/partner/staff');
    const join = await api.get(`/join/${token}`);
    expect(join.status).toBe(200);
    expect(join.text).toContain('the counter page (/partner)');

    // Staff may not manage staff.
    expect((await clerk.get('/partner/staff')).status).toBe(403);
    expect((await clerk.post(`/partner/staff/${owner.staffId}/role`, { role: 'staff' })).status).toBe(403);
    expect((await row('staff_members', owner.staffId))!.role).toBe('owner');

    // The last owner stays; another organisation's member is not found.
    const demote = await owner.post(`/partner/staff/${owner.staffId}/role`, { role: 'staff' });
    expect(demote.headers.get('location')).toBe('/partner/staff?error=last_owner');
    const theirs = await staffSession(api, {
      organizationId: net.otherPartner.id,
      kind: 'partner',
      role: 'staff',
    });
    expect((await owner.post(`/partner/staff/${theirs.staffId}/remove`, { confirm: 'yes' })).status).toBe(
      404,
    );
    expect((await row('staff_members', theirs.staffId))!.removed_at).toBeNull();

    const promote = await owner.post(`/partner/staff/${clerk.staffId}/role`, { role: 'owner' });
    expect(promote.headers.get('location')).toBe(`/partner/staff?changed=${clerk.staffId}`);
    expect((await clerk.get('/partner/staff')).status).toBe(200);
    const removed = await owner.post(`/partner/staff/${clerk.staffId}/remove`, { confirm: 'yes' });
    expect(removed.headers.get('location')).toBe(`/partner/staff?removed=${clerk.staffId}`);
    const after = await clerk.get('/partner');
    expect(after.status).toBe(401);
    expect(after.text).toContain('Sign in');

    // No session: the counter's sign-in page.
    expect((await api.get('/partner/staff')).status).toBe(401);
    // A clinic's console cookie is no counter session.
    const clinicOwner = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await clinicOwner.get('/partner/staff')).status).toBe(401);
  });
});
