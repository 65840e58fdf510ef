import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createNetwork } from '../helpers/factories';
import {
  csrfOf,
  invite,
  join,
  newAuthenticator,
  ORIGIN,
  ownerSignedIn,
  passkeySignIn,
} from '../helpers/staff';

// Staff accounts end to end inside workerd: an invitation accepted with a passkey, signing in with it,
// the one-time and 72-hour limits of invitations, the sign-in cap, and what ends a session.

describe('invitations', () => {
  it('a one-time link: the invited owner joins with a passkey and lands in the console', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const { url, token } = await invite(api, net.clinic.id, {
      name: 'Clara Weiss',
      email: 'clara@example.com',
    });
    expect(url).toBe(`${ORIGIN}/join/${token}`);
    const page = await api.get(`/join/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Welcome, Clara Weiss');
    expect(page.text).toContain('Create my passkey');
    const { res, cookie } = await join(api, token, newAuthenticator());
    expect(res.status).toBe(200);
    expect(res.body.location).toBe('/console');
    expect(res.headers.get('set-cookie')).toMatch(/^gratia_console=.*HttpOnly.*Secure.*SameSite=Strict/i);
    const today = await api.get('/console', { headers: { cookie } });
    expect(today.status).toBe(200);
    expect(today.text).toContain('Clara Weiss (Owner)');
    // Used once: the link now opens nothing, and joining again creates no one.
    expect((await api.get(`/join/${token}`)).status).toBe(404);
    expect((await join(api, token, newAuthenticator())).res.status).toBe(404);
    const staff = await env.DB.prepare('select count(*) as n from staff_members where organization_id = ?')
      .bind(net.clinic.id)
      .first<{ n: number }>();
    expect(staff?.n).toBe(1);
  });

  it('expires after 72 hours', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const { token } = await invite(api, net.clinic.id);
    api.clock.advance!(72 * 3600_000 + 1);
    expect((await api.get(`/join/${token}`)).status).toBe(404);
    expect((await join(api, token, newAuthenticator())).res.status).toBe(404);
  });

  it('the operator invites owners only, and never into an organisation that does not exist', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const path = `/v1/organizations/${net.clinic.id}/invitations`;
    const desk = await api.post(path, { token: OPERATOR_TOKEN, body: { role: 'front_desk', name: 'X' } });
    expect(desk.status).toBe(400);
    const partnerRole = await api.post(`/v1/organizations/${net.partner.id}/invitations`, {
      token: OPERATOR_TOKEN,
      body: { role: 'manager', name: 'X' },
    });
    expect(partnerRole.status).toBe(400);
    const ghost = await api.post('/v1/organizations/org_01JD0000000000000000000000/invitations', {
      token: OPERATOR_TOKEN,
      body: { role: 'owner', name: 'X' },
    });
    expect(ghost.status).toBe(404);
    const byClinic = await api.post(path, { token: net.clinic.key, body: { role: 'owner', name: 'X' } });
    expect(byClinic.status).toBe(403);
  });

  it('refuses a passkey made for another site, and a request not from the page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const { token } = await invite(api, net.clinic.id);
    const evil = await join(api, token, newAuthenticator(), { origin: 'https://evil.test' });
    expect(evil.res.status).toBe(401);
    const crossSite = await api.post(`/join/${token}/options`, {
      rawBody: '{}',
      headers: { 'content-type': 'application/json', origin: 'https://evil.test' },
    });
    expect(crossSite.status).toBe(400);
    const asForm = await api.post(`/join/${token}/options`, {
      rawBody: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    });
    expect(asForm.status).toBe(400);
    // The invitation still works for the real person.
    expect((await join(api, token, newAuthenticator())).res.status).toBe(200);
  });
});

describe('signing in with a passkey', () => {
  it('signs the staff member in at their own page only', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await ownerSignedIn(api, net.clinic.id);
    const again = await passkeySignIn(api, owner.authenticator, 'clinic');
    expect(again.res.status).toBe(200);
    expect(again.res.body.location).toBe('/console');
    expect((await api.get('/console', { headers: { cookie: again.cookie } })).status).toBe(200);
    const atCounter = await passkeySignIn(api, owner.authenticator, 'partner');
    expect(atCounter.res.status).toBe(403);
    expect(atCounter.cookie).toBe('');
  });

  it('partner staff sign in at the counter page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await ownerSignedIn(api, net.partner.id);
    expect(owner.location).toBe('/partner');
    const counter = await api.get('/partner', { headers: { cookie: owner.cookie } });
    expect(counter.status).toBe(200);
    expect(counter.text).toContain('Check a voucher');
  });

  it('refuses an unknown passkey, a forged signature and a replayed challenge', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await ownerSignedIn(api, net.clinic.id);
    expect(
      (await passkeySignIn(api, newAuthenticatorWith(owner), 'clinic', { badSignature: true })).res.status,
    ).toBe(401);
    const stranger = newAuthenticator();
    await stranger.register(
      {
        challenge: 'AAAA',
        rp: { id: 'gratia.test', name: 'x' },
        user: { id: 'dXNlcg', name: 'u', displayName: 'u' },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      },
      {},
    );
    expect((await passkeySignIn(api, stranger, 'clinic')).res.status).toBe(401);
    // A challenge answers once.
    const headers = { 'content-type': 'application/json', origin: ORIGIN };
    const start = await api.post('/console/signin/options', { rawBody: '{}', headers });
    const response = await owner.authenticator.authenticate(start.body.options);
    const body = JSON.stringify({ challenge_id: start.body.challenge_id, response });
    expect((await api.post('/console/signin', { rawBody: body, headers })).status).toBe(200);
    expect((await api.post('/console/signin', { rawBody: body, headers })).status).toBe(401);
  });

  it('caps failed sign-ins per address: the 11th is refused for 15 minutes, even with the right passkey', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await ownerSignedIn(api, net.clinic.id);
    const from = '203.0.113.9';
    for (let i = 0; i < 10; i++) {
      const r = await passkeySignIn(api, owner.authenticator, 'clinic', { from, badSignature: true });
      expect(r.res.status, `attempt ${i + 1}`).toBe(401);
    }
    const locked = await passkeySignIn(api, owner.authenticator, 'clinic', { from });
    expect(locked.res.status).toBe(429);
    expect(locked.res.headers.get('retry-after')).toBeTruthy();
    // Another address is not locked out.
    expect(
      (await passkeySignIn(api, owner.authenticator, 'clinic', { from: '198.51.100.1' })).res.status,
    ).toBe(200);
    api.clock.advance!(15 * 60_000 + 1);
    expect((await passkeySignIn(api, owner.authenticator, 'clinic', { from })).res.status).toBe(200);
  });

  it('signing out ends the session on the server: the copied cookie opens nothing', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await ownerSignedIn(api, net.clinic.id);
    const out = await api.post('/console/signout', {
      rawBody: new URLSearchParams({ csrf: csrfOf(owner.cookie) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: owner.cookie, origin: ORIGIN },
    });
    expect(out.status).toBe(303);
    expect((await api.get('/console', { headers: { cookie: owner.cookie } })).status).toBe(401);
  });
});

/** The same passkeys (to send a forged signature under a known credential id). */
const newAuthenticatorWith = (owner: { authenticator: ReturnType<typeof newAuthenticator> }) =>
  owner.authenticator;
