import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork } from '../helpers/factories';
import { ORIGIN, staffSession } from '../helpers/staff';

// Every form of the console and the counter page, listed from the router: without the session's CSRF
// token, with a wrong one, or from another origin, it is refused (403) and nothing is written. The
// passkey exchanges take no form: they accept JSON from this origin only (staff-signin.test.ts).

const app = createClient().app;
const FORMS = [
  ...new Set(
    app.routes
      .filter((r) => r.method === 'POST' && /^\/(console|partner)(\/|$)/.test(r.path))
      .map((r) => r.path)
      .filter((p) => !/\/signin(\/options)?$/.test(p)),
  ),
].sort();
const GHOST = '01JD0000000000000000000000';
const PREFIX: Record<string, string> = {
  patients: 'pat',
  gifts: 'vch',
  offers: 'off',
  staff: 'stf',
  invitations: 'inv',
};

/** A concrete path for a route pattern: each `:param` an id of the kind its segment names. */
const concrete = (pattern: string) =>
  pattern.replace(
    /\/([a-z_]+)\/:(\w+)(\{[^}]*\})?/g,
    (_, seg: string) => `/${seg}/${PREFIX[seg] ?? 'x'}_${GHOST}`,
  );

/** What the database holds now: every table's row count, to prove nothing was written. */
async function snapshot(): Promise<string> {
  const tables = (
    await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations' and name <> 'page_sessions' and name <> 'abuse_counters'",
    ).all<{ name: string }>()
  ).results;
  const counts = await Promise.all(
    tables.map(
      async (t) =>
        `${t.name}:${(await env.DB.prepare(`select count(*) as n from "${t.name}"`).first<{ n: number }>())!.n}`,
    ),
  );
  return counts.join(',');
}

describe('page forms refuse a request without the session’s CSRF token', () => {
  it('lists the forms from the router', () => {
    expect(FORMS).toContain('/console/calls');
    expect(FORMS).toContain('/partner/redeem');
    expect(FORMS.length).toBeGreaterThanOrEqual(10);
  });

  for (const pattern of FORMS) {
    it(`POST ${pattern}`, async () => {
      const api = createClient();
      const net = await createNetwork(api);
      const isConsole = pattern.startsWith('/console');
      const staff = await staffSession(api, {
        organizationId: isConsole ? net.clinic.id : net.partner.id,
        kind: isConsole ? 'clinic' : 'partner',
        role: 'owner',
      });
      const path = concrete(pattern);
      const before = await snapshot();
      const fields = {
        submission: 'csrf-test-submission-0001',
        patient_id: `pat_${GHOST}`,
        outcome: 'reached',
      };
      const send = (extra: Record<string, string>, origin = ORIGIN) =>
        api.post(path, {
          rawBody: new URLSearchParams({ ...fields, ...extra }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: staff.cookie, origin },
        });
      for (const [label, res] of [
        ['no token', await send({})],
        ['a wrong token', await send({ csrf: 'x'.repeat(32) })],
        ['another origin', await send({ csrf: staff.csrf }, 'https://evil.test')],
      ] as const) {
        expect([403, 413, 415], `${label}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
        expect(res.headers.get('location'), label).toBeNull();
      }
      expect(await snapshot()).toBe(before);
    });
  }
});
