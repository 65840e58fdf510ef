import { env } from 'cloudflare:workers';
import { formatMoney } from '@gratia/core';
import { keyLookup, principalFromKey } from '@gratia/db';
import { accrualPoints, setProgram } from '@gratia/points';
import { describe, expect, it } from 'vitest';
import { exampleSentence } from '../../workers/api/src/pages/console/programme-script';
import { type Client, createClient } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { createNetwork, setLoyaltyProgram } from '../helpers/factories';
import { ORIGIN, type StaffSession, staffSession } from '../helpers/staff';

// The console's Programme area: the rules in force with an example of what a visit earns, the form
// that sets new rules (owners and managers), and the versions so far with who set each.

const RULES = {
  accrual_rate: '7.5',
  expiry_days: '365',
  min_redemption_points: '500',
  max_bill_share: '50',
  tier_spend_0: '1000',
  tier_discount_0: '5',
  tier_spend_1: '250.50',
  tier_discount_1: '2',
};

async function scene(role: 'owner' | 'manager' | 'front_desk' = 'owner') {
  const api = createClient();
  const net = await createNetwork(api);
  const staff = await staffSession(api, {
    organizationId: net.clinic.id,
    kind: 'clinic',
    role,
    name: `Dr ${role} Vogel`,
  });
  return { api, net, staff };
}

const programmeOf = async (api: Client, key: string) => {
  const res = await api.get('/v1/loyalty_program', { token: key });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

const versionsOf = async (api: Client, key: string) =>
  (await api.get('/v1/loyalty_program/versions', { token: key })).body.data as { version: number }[];

/** The page as text, markup stripped (what a person reads). */
const readable = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describe('the programme page', () => {
  it('shows the rules in force with what a visit earns under them, and the history', async () => {
    const { staff } = await scene();
    const res = await staff.get('/console/programme');
    expect(res.status, res.text).toBe(200);
    const text = readable(res.text);
    expect(text).toContain('In force: version 0 (the network default)');
    // 5% of €500.00 is €25.00: 2,500 points of one cent each.
    expect(text).toContain('A visit of €500.00 earns 2,500 points, worth €25.00, to spend within 180 days.');
    expect(text).toContain('Network default');
    expect(res.text).toContain('<script src="/console/programme.js">');
    expect(res.text).toContain('name="submission"');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('sets new rules from the form: the API reads them, the history says who set them and when', async () => {
    const { api, net, staff } = await scene();
    const res = await staff.post('/console/programme', RULES);
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe('/console/programme?saved=1');
    const rules = await programmeOf(api, net.clinic.key);
    expect(rules).toMatchObject({
      version: 1,
      accrual_rate_bps: 750,
      expiry_days: 365,
      min_redemption_points: 500,
      max_bill_share_bps: 5000,
      discount_tiers: [
        { min_lifetime_spend: { amount: 25050, currency: 'EUR' }, discount_bps: 200 },
        { min_lifetime_spend: { amount: 100000, currency: 'EUR' }, discount_bps: 500 },
      ],
    });
    const page = await staff.get('/console/programme?saved=1');
    const text = readable(page.text);
    expect(text).toContain('Saved. Version 1 of the rules applies to visits from now on.');
    expect(text).toContain('A visit of €500.00 earns 3,750 points, worth €37.50, to spend within 365 days.');
    expect(text).toContain('2% from €250.50, 5% from €1,000.00');
    // The history row of version 1 names the owner who set it.
    expect(text).toMatch(/1 1 Nov 2026, 10:00 Dr owner Vogel 7\.5%/);
    // The form holds the rules in force, as typed.
    expect(page.text).toContain('name="accrual_rate" value="7.5"');
    expect(page.text).toContain('name="tier_spend_0" value="250.50"');
  });

  it('removes a tier by its tick and adds one from an empty row', async () => {
    const { api, net, staff } = await scene('manager');
    expect((await staff.post('/console/programme', RULES)).status).toBe(303);
    const res = await staff.post('/console/programme', {
      ...RULES,
      tier_remove_1: '1',
      tier_spend_2: '5000',
      tier_discount_2: '10',
      tier_spend_3: '',
      tier_discount_3: '',
    });
    expect(res.status, res.text).toBe(303);
    expect((await programmeOf(api, net.clinic.key)).discount_tiers).toEqual([
      { min_lifetime_spend: { amount: 100000, currency: 'EUR' }, discount_bps: 500 },
      { min_lifetime_spend: { amount: 500000, currency: 'EUR' }, discount_bps: 1000 },
    ]);
  });

  it('sends bad values back to the form with a sentence for each, keeping what was typed; nothing changes', async () => {
    const { api, net, staff } = await scene();
    const cases: [Record<string, string>, string][] = [
      [{ accrual_rate: 'lots' }, 'Enter the rate as a percentage from 0 to 100'],
      [{ accrual_rate: '100.01' }, 'Enter the rate as a percentage from 0 to 100'],
      [{ expiry_days: '0' }, 'Enter how many days points last'],
      [{ expiry_days: '3661' }, 'Enter how many days points last'],
      [{ min_redemption_points: '-5' }, 'Enter the minimum as a whole number'],
      [{ max_bill_share: '0' }, 'Enter the share as a percentage from 0.01 to 100'],
      [{ tier_spend_0: '1000', tier_discount_0: '' }, 'Enter both a lifetime spend'],
      [{ tier_spend_0: '12.345' }, 'Enter both a lifetime spend'],
      [{ tier_discount_1: '10' }, 'a higher spend cannot give a smaller discount'],
      [{ tier_spend_1: '1000' }, 'Each tier starts at its own lifetime spend'],
    ];
    for (const [change, sentence] of cases) {
      const res = await staff.post('/console/programme', { ...RULES, ...change });
      expect(res.status, JSON.stringify(change)).toBe(422);
      expect(readable(res.text), JSON.stringify(change)).toContain(sentence);
      expect(res.text).toContain('Please correct what is marked below: nothing was changed.');
      expect(res.text).toContain('aria-invalid="true"');
      for (const [name, value] of Object.entries(change))
        expect(res.text).toContain(`name="${name}" value="${value}"`);
    }
    expect((await programmeOf(api, net.clinic.key)).version).toBe(0);
  });

  it('is refused to the front desk: the page, the form and setProgram itself (403, nothing changes)', async () => {
    const { api, net, staff: desk } = await scene('front_desk');
    const page = await desk.get('/console/programme');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Not allowed');
    expect(page.text).not.toContain('name="accrual_rate"');
    const post = await desk.post('/console/programme', RULES);
    expect(post.status).toBe(403);
    expect((await programmeOf(api, net.clinic.key)).version).toBe(0);
    // The Today page's navigation does not offer the area.
    expect((await desk.get('/console')).text).not.toContain('href="/console/programme"');

    // The use case refuses a front-desk principal whatever calls it.
    const deps = testDeps();
    const [row] = await keyLookup(deps.db, { id: desk.keyId });
    const out = await setProgram(deps, {
      clinic: principalFromKey(row!),
      rules: {
        accrualRateBps: 1000,
        expiryDays: 30,
        minRedemptionPoints: 0,
        maxBillShareBps: null,
        discountTiers: [],
      },
    });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error.code).toBe('forbidden');
    expect((await programmeOf(api, net.clinic.key)).version).toBe(0);
  });

  it('refuses a form without the CSRF token, or with another, and changes nothing', async () => {
    const { api, net, staff } = await scene();
    const wrong = await staff.post('/console/programme', { ...RULES, csrf: 'not-the-token' });
    expect(wrong.status).toBe(403);
    const none = await api.post('/console/programme', {
      rawBody: new URLSearchParams(RULES).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: staff.cookie, origin: ORIGIN },
    });
    expect(none.status).toBe(403);
    const elsewhere = await staff.post('/console/programme', RULES, { origin: 'https://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect((await programmeOf(api, net.clinic.key)).version).toBe(0);
  });

  it('sets the rules once for a form sent twice (the same submission key)', async () => {
    const { api, net, staff } = await scene();
    const fields = { ...RULES, submission: 'programme-once-0123456789' };
    const first = await staff.post('/console/programme', fields);
    const again = await staff.post('/console/programme', fields);
    expect(first.status).toBe(303);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    // A second, different change made with a fresh key is a new version; the repeat was not.
    expect((await staff.post('/console/programme', { ...RULES, accrual_rate: '8' })).status).toBe(303);
    expect((await versionsOf(api, net.clinic.key)).map((v) => v.version)).toEqual([2, 1, 0]);
  });

  it('pages the history, newest first, ending with the network default', async () => {
    const { api, net, staff } = await scene();
    for (let i = 1; i <= 23; i++) await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: i });
    const first = await staff.get('/console/programme');
    const rows = (html: string) =>
      [...html.matchAll(/<th scope="row">(\d+)<\/th>/g)].map((m) => Number(m[1]));
    expect(rows(first.text)).toEqual(Array.from({ length: 20 }, (_, i) => 23 - i));
    expect(first.text).toContain('href="/console/programme?before=4"');
    // Versions set with the clinic's API key say so.
    expect(readable(first.text)).toContain('API key');
    const second = await staff.get('/console/programme?before=4');
    expect(second.status).toBe(200);
    expect(rows(second.text)).toEqual([3, 2, 1, 0]);
    expect(second.text).not.toContain('Older versions');
    expect(second.text).toContain('Newest versions');
    // A cursor that is not one shows the newest page.
    expect(rows((await staff.get('/console/programme?before=abc')).text)).toEqual(rows(first.text));
  });
});

/** Runs /console/programme.js against the few elements it reads, as a browser would, and answers the example it wrote. */
function runScript(
  source: string,
  fields: Record<string, string>,
  data: Record<string, string>,
): { text: string; typed: (name: string, value: string) => string } {
  const out = { dataset: data, textContent: '' };
  const listeners: (() => void)[] = [];
  const form = {
    elements: { namedItem: (name: string) => ({ value: fields[name] ?? '' }) },
    addEventListener: (_type: string, f: () => void) => listeners.push(f),
  };
  const document = {
    getElementById: (id: string) =>
      id === 'programme-form' ? form : id === 'programme-example' ? out : null,
  };
  new Function('document', source)(document);
  return {
    text: out.textContent,
    typed: (name, value) => {
      fields[name] = value;
      for (const f of listeners) f();
      return out.textContent;
    },
  };
}

describe('the live example (/console/programme.js)', () => {
  it('says what the server says, for a table of rates, expiries, currencies and point values', async () => {
    const { api, staff } = await scene();
    const res = await api.get('/console/programme.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    const source = res.text;
    // The script carries the ledger's own formula, not a copy of it.
    expect(source).toContain(String(accrualPoints));

    // The page's own data, read from the page: the script recomputes exactly the server's sentence.
    const page = (await staff.get('/console/programme')).text;
    const data = Object.fromEntries(
      [...page.matchAll(/data-([a-z-]+)="([^"]*)"/g)]
        .filter(([, k]) => k !== 'row' && k !== 'max')
        .map(([, k, v]) => [k!.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()), v!]),
    );
    const server = /id="programme-example"[^>]*>([^<]*)</.exec(page)![1]!;
    expect(runScript(source, { accrual_rate: '5', expiry_days: '180' }, data).text).toBe(server);

    const rates = ['0', '0.01', '1', '5', '7.5', '12.34', '33.33', '99.99', '100'];
    const days = ['1', '30', '180', '3660'];
    const moneys = [
      { amount: 50_000, currency: 'EUR', digits: 2, pointValue: 1, pointCurrency: 'EUR', pointDigits: 2 },
      { amount: 50_000, currency: 'EUR', digits: 2, pointValue: 7, pointCurrency: 'EUR', pointDigits: 2 },
      { amount: 500, currency: 'JPY', digits: 0, pointValue: 1, pointCurrency: 'EUR', pointDigits: 2 },
      { amount: 500_000, currency: 'KWD', digits: 3, pointValue: 3, pointCurrency: 'CHF', pointDigits: 2 },
    ];
    let checked = 0;
    for (const m of moneys) {
      const d = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
      const live = runScript(source, {}, { ...d, incomplete: 'incomplete' });
      expect(live.text).toBe('incomplete');
      for (const rate of rates)
        for (const day of days) {
          live.typed('expiry_days', day);
          const said = live.typed('accrual_rate', rate);
          const bps = Math.round(Number(rate) * 100);
          const points = accrualPoints(m.amount, bps, m.pointValue);
          expect(said, `${rate}% ${day} days ${m.currency}`).toBe(
            exampleSentence(
              formatMoney(m.amount, m.currency),
              points,
              formatMoney(points * m.pointValue, m.pointCurrency),
              Number(day),
            ),
          );
          checked++;
        }
      // What the programme cannot take shows no example.
      for (const [name, value] of [
        ['accrual_rate', '100.01'],
        ['accrual_rate', 'five'],
        ['expiry_days', '0'],
        ['expiry_days', '3661'],
      ] as const) {
        live.typed('accrual_rate', '5');
        live.typed('expiry_days', '30');
        expect(live.typed(name, value)).toBe('incomplete');
      }
    }
    expect(checked).toBe(rates.length * days.length * moneys.length);
  });
});

describe('cost', () => {
  it('the page costs two D1 round trips: the session check and readProgramHistory', async () => {
    const { api, staff } = await scene();
    const res = await api.app.request(
      'https://gratia.test/console/programme',
      { headers: { cookie: staff.cookie, 'x-debug-d1': '1' } },
      { ...env, EXPOSE_D1_METRICS: '1' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/round_trips=2\b/);
  });
});

describe('the rows behind the history', () => {
  it('names the staff member who set a version even after they are removed', async () => {
    const { api, net, staff } = await scene('manager');
    expect((await staff.post('/console/programme', RULES)).status).toBe(303);
    await env.DB.prepare('update staff_members set removed_at = ? where id = ?')
      .bind(api.clock.now(), staff.staffId)
      .run();
    const owner: StaffSession = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect(readable((await owner.get('/console/programme')).text)).toContain('Dr manager Vogel');
  });
});
