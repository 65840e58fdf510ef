import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createVerifier } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { startLocalServer } from '../../scripts/lib/local-server.mjs';
// @ts-expect-error plain ESM script without types
import { generateSigningKey } from '../../scripts/lib/voucher-keys.mjs';

// A month of settlement over real HTTP against wrangler dev, living through the month with a test
// clock (ALLOW_TEST_CLOCK, on this server only) and closing it with the cron (--test-scheduled):
// vouchers and points redeemed at two partners and another clinic, one reversal in the month and one
// after it closed. Each party's statement, the operator's view and the CSVs agree to the cent; the
// closed month never changes; every receipt verifies offline with fast-jwt (the platform signs with
// jose) against the JWKS alone. Its own server: closing months must not touch the other e2e tests'.

let server: { baseUrl: string; stop(): Promise<void> };
let persistTo: string;
const operator = `e2e-settle-${crypto.randomUUID()}`;
let now = '2031-03-10T10:00:00Z';

beforeAll(async () => {
  persistTo = mkdtempSync(path.join(tmpdir(), 'gratia-settle-'));
  server = await startLocalServer({
    persistTo,
    vars: {
      OPERATOR_TOKEN: operator,
      VOUCHER_SIGNING_KEYS: JSON.stringify([generateSigningKey('settle-1')]),
      ALLOW_TEST_CLOCK: '1',
    },
    extraArgs: ['--test-scheduled'],
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

async function call(method: string, p: string, token?: string, body?: unknown) {
  const res = await fetch(`${server.baseUrl}${p}`, {
    method,
    headers: {
      'x-test-now': now,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json, text };
}

async function org(kind: 'clinic' | 'partner', name: string, category?: string) {
  const o = await call('POST', '/v1/organizations', operator, {
    kind,
    name,
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    ...(category ? { category } : {}),
  });
  const k = await call('POST', `/v1/organizations/${o.body.id}/api_keys`, operator, { name: 'e2e' });
  return { id: o.body.id as string, key: k.body.secret as string, name };
}

const ok = <R extends { status: number; text: string }>(res: R, status: number): R => {
  expect(res.status, res.text).toBe(status);
  return res;
};

/** Sums a CSV's net column per counterparty, in minor units (amounts are in major units, 2 decimals). */
function csvNets(csv: string) {
  const [header, ...rows] = csv.trimEnd().split('\r\n');
  const cols = header!.split(',');
  const at = (name: string) => cols.indexOf(name);
  const out: Record<string, number> = {};
  for (const row of rows) {
    const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    const key = cells[at('counterparty_id')]!;
    out[key] = (out[key] ?? 0) + Math.round(Number(cells[at('net')]) * 100);
  }
  return { out, rows: rows.length };
}

describe('a month of settlement over HTTP, closed by the cron', () => {
  it('agrees to the cent from every side, closes, stays closed, and every receipt verifies with fast-jwt', async () => {
    ok(await call('PUT', '/v1/network/settings', operator, { fee_bps: 250, closing_grace_days: 0 }), 200);
    const clinic = await org('clinic', 'Lumen Aesthetics');
    const otherClinic = await org('clinic', 'Riverside Dental');
    const spa = await org('partner', 'Calm Spa', 'massage');
    const pharmacy = await org('partner', 'Green Cross Pharmacy', 'pharmacy');
    const patient = ok(
      await call('POST', '/v1/patients', clinic.key, { first_name: 'Eva', last_name: 'Lind' }),
      201,
    ).body;
    ok(
      await call('POST', '/v1/visits', clinic.key, {
        patient_id: patient.id,
        amount: { amount: 100_000, currency: 'EUR' },
      }),
      201,
    );
    const offer = ok(
      await call('POST', '/v1/offers', spa.key, {
        title: 'Deep tissue, 90 min',
        category: 'massage',
        price: { amount: 9900, currency: 'EUR' },
      }),
      201,
    ).body;
    const gift = ok(
      await call('POST', '/v1/vouchers', clinic.key, { patient_id: patient.id, offer_id: offer.id }),
      201,
    ).body;
    const credit = ok(
      await call('POST', '/v1/vouchers', clinic.key, {
        patient_id: patient.id,
        value: { amount: 6000, currency: 'EUR' },
        partner_id: pharmacy.id,
      }),
      201,
    ).body;

    const receipts: string[] = [];
    const take = (res: { body: any }) => {
      receipts.push(res.body.receipt);
      return res.body;
    };
    take(ok(await call('POST', '/v1/redemptions', spa.key, { token: gift.token }), 201)); // 99.00
    const part = take(
      ok(
        await call('POST', '/v1/redemptions', pharmacy.key, {
          token: credit.token,
          amount: { amount: 2550, currency: 'EUR' },
        }),
        201,
      ),
    );
    take(
      ok(
        await call('POST', '/v1/redemptions', pharmacy.key, {
          token: credit.token,
          amount: { amount: 1000, currency: 'EUR' },
        }),
        201,
      ),
    );
    take(
      ok(
        await call('POST', '/v1/points/redemptions', pharmacy.key, {
          card_number: patient.card_number,
          points: 1234,
        }),
        201,
      ),
    );
    take(
      ok(
        await call('POST', '/v1/points/redemptions', otherClinic.key, {
          card_number: patient.card_number,
          points: 777,
        }),
        201,
      ),
    );
    // A reversal in the same month.
    take(ok(await call('POST', `/v1/redemptions/${part.id}/reversal`, pharmacy.key), 200));
    // The last evening of March (Berlin), a redemption that will be reversed after March closes.
    now = '2031-03-31T19:00:00Z';
    const late = take(
      ok(
        await call('POST', '/v1/points/redemptions', pharmacy.key, {
          card_number: patient.card_number,
          points: 500,
        }),
        201,
      ),
    );

    // Each party's March, the operator's, and the CSVs: the same figures to the cent.
    const march = async (token: string) =>
      ok(await call('GET', '/v1/settlements?period=2031-03', token), 200).body;
    const spaView = await march(spa.key);
    const pharmacyView = await march(pharmacy.key);
    const otherView = await march(otherClinic.key);
    const clinicView = await march(clinic.key);
    const net = (view: any, id: string) => view.data.find((r: any) => r.counterparty.id === id)?.net.amount;
    // Gross: spa 9900; pharmacy 1000 + 1234 + 500 (2550 reversed); the other clinic 777. Fee 2.5%, rounded down per line.
    expect(net(spaView, clinic.id)).toBe(9900 - 247);
    expect(net(pharmacyView, clinic.id)).toBe(1000 - 25 + (1234 - 30) + (500 - 12));
    expect(net(otherView, clinic.id)).toBe(777 - 19);
    for (const [view, id] of [
      [spaView, spa.id],
      [pharmacyView, pharmacy.id],
      [otherView, otherClinic.id],
    ] as const) {
      expect(net(clinicView, id), id).toBe(net(view, clinic.id));
      expect(clinicView.data.find((r: any) => r.counterparty.id === id).direction).toBe('payable');
    }
    const all = await march(operator);
    const pairs = all.data.filter((r: any) => r.payer.id === clinic.id);
    expect(pairs.reduce((s: number, r: any) => s + r.net.amount, 0)).toBe(
      clinicView.data.reduce((s: number, r: any) => s + r.net.amount, 0),
    );
    const clinicCsv = csvNets(
      ok(await call('GET', '/v1/settlements/2031-03/lines.csv', clinic.key), 200).text,
    );
    expect(clinicCsv.rows).toBe(7);
    for (const r of clinicView.data)
      expect(clinicCsv.out[r.counterparty.id], r.counterparty.name).toBe(r.net.amount);
    const pharmacyCsv = csvNets(
      ok(await call('GET', '/v1/settlements/2031-03/lines.csv', pharmacy.key), 200).text,
    );
    expect(pharmacyCsv.out[clinic.id]).toBe(net(pharmacyView, clinic.id));

    // The cron closes March as April begins (grace 0 days), at the time it was scheduled for.
    const cron = await fetch(
      `${server.baseUrl}/cdn-cgi/local/scheduled?cron=5+*+*+*+*&time=${Date.parse('2031-03-31T22:30:00Z')}`,
    );
    expect(cron.status).toBe(200);
    now = '2031-03-31T23:00:00Z';
    const closed = await march(clinic.key);
    expect(closed.state).toBe('closed');
    // A reversal within 24 hours but after the close: April's, and March stays as it was.
    take(ok(await call('POST', `/v1/points/redemptions/${late.id}/reversal`, pharmacy.key), 200));
    expect(await march(clinic.key)).toEqual(closed);
    expect(await march(pharmacy.key)).toEqual({
      ...pharmacyView,
      state: 'closed',
      closed_at: closed.closed_at,
    });
    const april = ok(await call('GET', '/v1/settlements?period=2031-04', pharmacy.key), 200).body;
    expect(april.data[0]).toMatchObject({ reversals: 1, net: { amount: -(500 - 12) } });

    // Every receipt verifies offline against the JWKS alone, with a library other than the signer's.
    const { keys } = (await call('GET', '/.well-known/jwks.json')).body;
    expect(receipts).toHaveLength(8);
    for (const receipt of receipts) {
      const header = JSON.parse(Buffer.from(receipt.split('.')[0]!, 'base64url').toString());
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'receipt+jwt' });
      const key = createPublicKey({ key: keys.find((k: any) => k.kid === header.kid), format: 'jwk' }).export(
        {
          type: 'spki',
          format: 'pem',
        },
      );
      const claims = createVerifier({ key, algorithms: ['EdDSA'], allowedIss: server.baseUrl })(receipt);
      expect(claims.issuer).toBe(clinic.id);
      expect(claims.net).toBe(claims.amount - claims.fee);
      // And it is the receipt the API serves for that redemption or reversal.
      const id = claims.reversal_id ?? claims.redemption_id;
      const served = ok(await call('GET', `/v1/redemptions/${id}/receipt`, clinic.key), 200).body;
      expect(served.receipt).toBe(receipt);
    }
  }, 120_000);
});
