import { env } from 'cloudflare:workers';
import { fixedClock, MINUTE_MS, newId } from '@gratia/core';
import { recordCallOutcome } from '@gratia/points';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';
import {
  createNetwork,
  createPatient,
  createPointsScene,
  type Network,
  recordVisit,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// What came of the calls made from the call list: recorded with who made them (a staff member
// through their console key, or an API key) and an audit entry in the same batch, listed per patient
// newest first, shown on the call list as each patient's latest call; `do_not_call` takes a patient
// off the call list until a later call records another outcome.

const record = (api: Client, key: string, patientId: string, body: Record<string, unknown>) =>
  api.post(`/v1/patients/${patientId}/call_outcomes`, { token: key, body });

async function auditOf(subjectId: string) {
  return (
    await env.DB.prepare('select * from audit_events where subject_id = ?')
      .bind(subjectId)
      .all<Record<string, unknown>>()
  ).results;
}

const count = async (table: string, where: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(`select count(*) as n from ${table} where ${where}`)
      .bind(...params)
      .first<{ n: number }>()
  )?.n;

/** A staff member of the clinic with a console key of their own (as the staff accounts make them). */
async function staffMember(api: Client, net: Network, name: string) {
  const key = await api.post(`/v1/organizations/${net.clinic.id}/api_keys`, {
    token: OPERATOR_TOKEN,
    body: { name: 'console key' },
  });
  expect(key.status, key.text).toBe(201);
  const id = newId('stf', T0);
  await env.DB.batch([
    env.DB.prepare("update api_keys set kind = 'staff' where id = ?").bind(key.body.id),
    env.DB.prepare(
      `insert into staff_members (id, organization_id, name, role, key_id, created_at)
       values (?, ?, ?, 'front_desk', ?, ?)`,
    ).bind(id, net.clinic.id, name, key.body.id, T0),
  ]);
  return { id, name, key: key.body.secret as string, keyId: key.body.id as string };
}

describe('POST /v1/patients/{id}/call_outcomes', () => {
  it('records the outcome with the key that made the call, and an audit entry in the same batch', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const res = await record(api, net.clinic.key, patient.id, {
      outcome: 'left_message',
      note: '  Call back after 5 pm ',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^cal_/),
      patient_id: patient.id,
      outcome: 'left_message',
      note: 'Call back after 5 pm',
      at: new Date(T0).toISOString(),
      by: { kind: 'api_key', id: net.clinic.keyId, name: 'test' },
    });
    const [entry, ...more] = await auditOf(res.body.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      organization_id: net.clinic.id,
      actor_key_id: net.clinic.keyId,
      actor_staff_id: null,
      action: 'call.record',
      subject_type: 'call_outcome',
      patient_id: patient.id,
      at: T0,
    });
    // The note stays with the call record; the audit entry keeps the outcome only.
    expect(JSON.parse(String(entry!.detail))).toEqual({ outcome: 'left_message' });
  });

  it('names the staff member whose console key made the call, in the record and the audit entry', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const staff = await staffMember(api, net, 'Frieda Desk');
    const res = await record(api, staff.key, patient.id, { outcome: 'reached' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.by).toEqual({ kind: 'staff', id: staff.id, name: 'Frieda Desk' });
    expect(res.body.note).toBeNull();
    const [entry] = await auditOf(res.body.id);
    expect(entry).toMatchObject({ actor_key_id: staff.keyId, actor_staff_id: staff.id });
    expect(await count('call_outcomes', 'id = ? and staff_id = ?', res.body.id, staff.id)).toBe(1);
  });

  it("answers another clinic's patient, or none, as not found, and writes nothing", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const theirs = await createPatient(api, net.otherClinic.key);
    const before = await count('audit_events', "action = 'call.record'");
    for (const id of [theirs.id, newId('pat', T0), 'pat_nope', newId('vch', T0)])
      expectProblem(await record(api, net.clinic.key, id, { outcome: 'reached' }), 404, 'patient_not_found');
    expect(await count('call_outcomes', 'patient_id = ?', theirs.id)).toBe(0);
    expect(await count('audit_events', "action = 'call.record'")).toBe(before);
  });

  it('refuses an outcome outside the vocabulary, an empty or long note, and unknown fields (400)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    for (const body of [
      {},
      { outcome: 'busy' },
      { outcome: 'reached', note: '   ' },
      { outcome: 'reached', note: 'x'.repeat(501) },
      { outcome: 'reached', by: 'someone else' },
    ]) {
      const res = await record(api, net.clinic.key, patient.id, body);
      expectProblem(res, 400, 'validation_failed');
    }
    expect(await count('call_outcomes', 'patient_id = ?', patient.id)).toBe(0);
  });

  it('records once under an Idempotency-Key: the retry is the stored answer', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const send = () =>
      api.post(`/v1/patients/${patient.id}/call_outcomes`, {
        token: net.clinic.key,
        body: { outcome: 'no_answer' },
        headers: { 'idempotency-key': `call-${patient.id}` },
      });
    const first = await send();
    const again = await send();
    expect(first.status, first.text).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await count('call_outcomes', 'patient_id = ?', patient.id)).toBe(1);
    expect(await count('audit_events', 'patient_id = ? and action = ?', patient.id, 'call.record')).toBe(1);
  });

  it('records nothing, and no audit entry, for a key revoked after it was looked up', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const patient = await patientOf(deps, clinic);
    await env.DB.prepare('update api_keys set revoked_at = ? where id = ?').bind(T0, clinic.keyId).run();
    const out = await recordCallOutcome(deps, {
      clinic: clinic.principal,
      patientId: patient.id,
      outcome: 'reached',
    });
    expect(out).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await count('call_outcomes', 'patient_id = ?', patient.id)).toBe(0);
    expect(await count('audit_events', "patient_id = ? and action = 'call.record'", patient.id)).toBe(0);
  });

  describeSecurity('POST /v1/patients/{id}/call_outcomes', {
    method: 'POST',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}/call_outcomes`,
    body: () => ({ outcome: 'reached' }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('GET /v1/patients/{id}/call_outcomes', () => {
  it('lists the calls newest first with who made each, page by page', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const staff = await staffMember(api, net, 'Ole Phone');
    const made: string[] = [];
    for (const [key, outcome] of [
      [net.clinic.key, 'no_answer'],
      [staff.key, 'left_message'],
      [staff.key, 'reached'],
    ] as const) {
      const res = await record(api, key, patient.id, { outcome });
      expect(res.status, res.text).toBe(201);
      made.push(res.body.id);
      clock.advance(MINUTE_MS);
    }
    // Two more in the same millisecond: the later written comes first.
    for (const outcome of ['no_answer', 'reached'])
      made.push((await record(api, staff.key, patient.id, { outcome })).body.id);

    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await api.get(`/v1/patients/${patient.id}/call_outcomes${q}`, { token: net.clinic.key });
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual([...made].reverse());
    expect(seen.at(-1)).toMatchObject({
      outcome: 'no_answer',
      by: { kind: 'api_key', id: net.clinic.keyId, name: 'test' },
    });
    expect(seen.at(-2).by).toEqual({ kind: 'staff', id: staff.id, name: 'Ole Phone' });
  });

  it("answers another clinic's patient as not found, and a cursor it never gave out as 400", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    await record(api, net.clinic.key, patient.id, { outcome: 'reached' });
    expectProblem(
      await api.get(`/v1/patients/${patient.id}/call_outcomes`, { token: net.otherClinic.key }),
      404,
      'patient_not_found',
    );
    const none = await api.get(`/v1/patients/${patient.id}/call_outcomes`, { token: net.clinic.key });
    expect(none.body.data).toHaveLength(1);
    for (const cursor of ['abc', btoa(`${T0}|pat_X`), btoa('x|cal_X')])
      expectProblem(
        await api.get(`/v1/patients/${patient.id}/call_outcomes?cursor=${cursor}`, { token: net.clinic.key }),
        400,
        'invalid_cursor',
      );
  });

  describeSecurity('GET /v1/patients/{id}/call_outcomes', {
    method: 'GET',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}/call_outcomes`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('the call list shows the latest call, and leaves out patients not to be called', () => {
  async function scene() {
    const api = createClient();
    const { net, patient } = await createPointsScene(api, { expiry_days: 20 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const list = async (query = '') => {
      const res = await api.get(`/v1/points/expiring?within_days=30${query}`, { token: net.clinic.key });
      expect(res.status, res.text).toBe(200);
      return res.body.data.filter((e: any) => e.patient_id === patient.id);
    };
    return { api, net, patient, list };
  }

  it('carries last_call: null before any call, then the latest with who made it', async () => {
    const { api, net, patient, list } = await scene();
    expect((await list())[0].last_call).toBeNull();
    const staff = await staffMember(api, net, 'Mara Call');
    await record(api, net.clinic.key, patient.id, { outcome: 'no_answer' });
    const latest = await record(api, staff.key, patient.id, { outcome: 'left_message', note: 'Voicemail' });
    const [entry] = await list();
    expect(entry.last_call).toEqual(latest.body);
    expect(entry.last_call.by).toEqual({ kind: 'staff', id: staff.id, name: 'Mara Call' });
    // The fields it had before are all still there.
    expect(entry).toMatchObject({
      points_expiring: 1000,
      balance: 1000,
      consent: { email: true, sms: false },
    });
  });

  it('leaves out a patient whose latest call says do_not_call, until a later call says otherwise', async () => {
    const { api, net, patient, list } = await scene();
    await record(api, net.clinic.key, patient.id, { outcome: 'do_not_call', note: 'Asked not to be called' });
    expect(await list()).toEqual([]);
    const flagged = await list('&do_not_call=include');
    expect(flagged).toHaveLength(1);
    expect(flagged[0].last_call.outcome).toBe('do_not_call');
    await record(api, net.clinic.key, patient.id, { outcome: 'reached', note: 'Called us back' });
    expect((await list())[0].last_call.outcome).toBe('reached');
    expectProblem(
      await api.get('/v1/points/expiring?do_not_call=maybe', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
  });

  it("never shows another clinic's calls", async () => {
    const { api, net, patient } = await scene();
    await record(api, net.clinic.key, patient.id, { outcome: 'reached', note: 'secret note' });
    const theirs = await api.get('/v1/points/expiring?within_days=30&do_not_call=include', {
      token: net.otherClinic.key,
    });
    expect(theirs.status).toBe(200);
    expect(theirs.text).not.toContain('secret note');
    expect(theirs.text).not.toContain(patient.id);
  });
});
