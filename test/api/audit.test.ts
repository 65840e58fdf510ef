import { env } from 'cloudflare:workers';
import { fixedClock, newId, randomToken } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type ApiResponse, type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { counter, signIn, submit } from '../helpers/counter';
import {
  createNetwork,
  createOffer,
  createPatient,
  createPointsScene,
  createStaffMember,
  createStoredValueScene,
  createVoucherScene,
  type OrgWithKey,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { routeInventory } from '../helpers/inventory';
import { outboxMessage } from '../helpers/messages';
import { planItem } from '../helpers/plan';

// The audit trail. Driven by the route inventory: every operation that changes something writes exactly
// one entry (who, what, on which record, which patient), in the batch of the change, so a new mutating
// route fails here until it records itself. A refused change, a no-op and an idempotent replay write
// none. The database refuses to edit or delete an entry. An organisation reads its own trail, by staff
// member and by patient, page by page, and nothing of another's.

interface AuditRow {
  id: string;
  organization_id: string | null;
  actor_key_id: string | null;
  actor_staff_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  patient_id: string | null;
  detail: string | null;
  at: number;
}

/** Where the trail ends now: what a request writes after this is read with `since`. */
const mark = async () =>
  (await env.DB.prepare('select coalesce(max(rowid), 0) as n from audit_events').first<{ n: number }>())!.n;
const since = async (m: number) =>
  (await env.DB.prepare('select * from audit_events where rowid > ? order by rowid').bind(m).all<AuditRow>())
    .results;

type Req = { method: string; path: string; token: string; body?: unknown };
interface Expected {
  action: string;
  subject: { type: string; id: unknown };
  organizationId: string | null;
  /** The key that acted (null: the operator). */
  actorKeyId: string | null;
  patientId: string | null;
  detail?: Record<string, unknown>;
}
type Scenario = (api: Client) => Promise<{ req: Req; expect: (res: ApiResponse) => Expected }>;

const send = (api: Client, req: Req, headers: Record<string, string> = {}) =>
  api.request(req.method, req.path, {
    token: req.token,
    headers,
    ...(req.body === undefined ? {} : { body: req.body }),
  });

const byKey = (org: OrgWithKey) => ({ organizationId: org.id, actorKeyId: org.keyId });
const OPERATOR = { actorKeyId: null };

const card = async (api: Client) => {
  const { net, patient } = await createPointsScene(api);
  await recordVisit(api, net.clinic.key, patient.id, 20_000);
  return { net, patient };
};

const UNTIL_CW = new Date(T0 + 30 * 86_400_000).toISOString();
const codeWordScene = async (api: Client, perPatientCodes = false) => {
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key);
  const word = await api.post('/v1/code-words', {
    token: net.clinic.key,
    body: {
      word: 'AUDITED',
      reward: { kind: 'points', points: 40 },
      valid_until: UNTIL_CW,
      per_patient_codes: perPatientCodes,
    },
  });
  expect(word.status, word.text).toBe(201);
  return { net, patient, id: word.body.id as string };
};

const SCENARIOS: Record<string, Scenario> = {
  'POST /v1/organizations': async () => ({
    req: {
      method: 'POST',
      path: '/v1/organizations',
      token: OPERATOR_TOKEN,
      body: { kind: 'clinic', name: 'Audited clinic', currency: 'EUR', timezone: 'Europe/Berlin' },
    },
    expect: (res) => ({
      action: 'organization.create',
      subject: { type: 'organization', id: res.body.id },
      organizationId: res.body.id,
      ...OPERATOR,
      patientId: null,
      detail: { kind: 'clinic' },
    }),
  }),
  'POST /v1/organizations/{id}/api_keys': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: `/v1/organizations/${net.clinic.id}/api_keys`,
        token: OPERATOR_TOKEN,
        body: { name: 'till' },
      },
      expect: (res) => ({
        action: 'api_key.issue',
        subject: { type: 'api_key', id: res.body.id },
        organizationId: net.clinic.id,
        ...OPERATOR,
        patientId: null,
        detail: { name: 'till' },
      }),
    };
  },
  // A key revoking itself: the entry is still written, by that key.
  'POST /v1/organizations/{id}/invitations': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: `/v1/organizations/${net.clinic.id}/invitations`,
        token: OPERATOR_TOKEN,
        body: { role: 'owner', name: 'Ida Owner' },
      },
      expect: (res) => ({
        action: 'staff.invite',
        subject: { type: 'invitation', id: res.body.id },
        organizationId: net.clinic.id,
        ...OPERATOR,
        patientId: null,
        detail: { role: 'owner', name: 'Ida Owner' },
      }),
    };
  },
  'POST /v1/branches': async (api) => {
    const net = await createNetwork(api);
    return {
      req: { method: 'POST', path: '/v1/branches', token: net.clinic.key, body: { name: 'Audited branch' } },
      expect: (res) => ({
        action: 'branch.create',
        subject: { type: 'branch', id: res.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { name: 'Audited branch' },
      }),
    };
  },
  'PATCH /v1/branches/{id}': async (api) => {
    const net = await createNetwork(api);
    const b = await api.post('/v1/branches', { token: net.clinic.key, body: { name: 'Before' } });
    return {
      req: {
        method: 'PATCH',
        path: `/v1/branches/${b.body.id}`,
        token: net.clinic.key,
        body: { name: 'After', latitude: 1, longitude: 2 },
      },
      expect: () => ({
        action: 'branch.update',
        subject: { type: 'branch', id: b.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { fields: ['name', 'latitude', 'longitude'] },
      }),
    };
  },
  'DELETE /v1/branches/{id}': async (api) => {
    const net = await createNetwork(api);
    const b = await api.post('/v1/branches', { token: net.clinic.key, body: { name: 'Closing' } });
    return {
      req: { method: 'DELETE', path: `/v1/branches/${b.body.id}`, token: net.clinic.key },
      expect: () => ({
        action: 'branch.archive',
        subject: { type: 'branch', id: b.body.id },
        ...byKey(net.clinic),
        patientId: null,
      }),
    };
  },
  'PUT /v1/insight/settings': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/insight/settings',
        token: net.clinic.key,
        body: { abc_a_bps: 7000, abc_b_bps: 2000, budget_a: 20_000, budget_b: 10_000, budget_c: null },
      },
      expect: () => ({
        action: 'insight_settings.update',
        subject: { type: 'insight_settings', id: net.clinic.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { abc_a_bps: 7000, abc_b_bps: 2000, budget_a: 20_000, budget_b: 10_000, budget_c: null },
      }),
    };
  },
  'POST /v1/insight/refresh': async (api) => {
    const net = await createNetwork(api);
    await createPatient(api, net.clinic.key);
    return {
      req: { method: 'POST', path: '/v1/insight/refresh', token: net.clinic.key },
      expect: () => ({
        action: 'insight.refresh',
        subject: { type: 'organization', id: net.clinic.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { patients: 1 },
      }),
    };
  },
  'PUT /v1/location': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/location',
        token: net.partner.key,
        body: { latitude: 1, longitude: 2 },
      },
      expect: () => ({
        action: 'organization.locate',
        subject: { type: 'organization', id: net.partner.id },
        ...byKey(net.partner),
        patientId: null,
        detail: { address_changed: false },
      }),
    };
  },
  'POST /v1/patients/{id}/call_outcomes': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'POST',
        path: `/v1/patients/${p.id}/call_outcomes`,
        token: net.clinic.key,
        body: { outcome: 'reached' },
      },
      expect: (res) => ({
        action: 'call.record',
        subject: { type: 'call_outcome', id: res.body.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { outcome: 'reached' },
      }),
    };
  },
  // Questionnaires, personal links and consent (issue 11)
  'PUT /v1/questionnaire': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/questionnaire',
        token: net.clinic.key,
        body: { title: 'Ours', questions: [{ id: 'hobby', type: 'text', label: 'Hobby' }] },
      },
      expect: (res) => ({
        action: 'questionnaire.update',
        subject: { type: 'questionnaire', id: res.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { version: 1, questions: 1 },
      }),
    };
  },
  'POST /v1/patients/{id}/links': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'POST',
        path: `/v1/patients/${p.id}/links`,
        token: net.clinic.key,
        body: { purpose: 'questionnaire' },
      },
      expect: (res) => ({
        action: 'patient_link.create',
        subject: { type: 'patient_link', id: res.body.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { purpose: 'questionnaire' },
      }),
    };
  },
  'POST /v1/patients/{id}/questionnaire_responses': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'POST',
        path: `/v1/patients/${p.id}/questionnaire_responses`,
        token: net.clinic.key,
        body: { version: 0, answers: { contact_time: 'morning' }, consent: { sms: true } },
      },
      expect: (res) => ({
        action: 'questionnaire.answer',
        subject: { type: 'questionnaire_response', id: res.body.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { version: 0, source: 'api' },
      }),
    };
  },
  'POST /v1/patients/{id}/survey_responses': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'POST',
        path: `/v1/patients/${p.id}/survey_responses`,
        token: net.clinic.key,
        body: { score: 8 },
      },
      expect: (res) => ({
        action: 'survey.record',
        subject: { type: 'survey_response', id: res.body.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { score: 8, source: 'api' },
      }),
    };
  },
  'PATCH /v1/suggestions/{id}': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const answer = await api.post(`/v1/patients/${p.id}/survey_responses`, {
      token: net.clinic.key,
      body: { score: 5, improvement: 'Parking' },
    });
    const id = answer.body.suggestion_id as string;
    return {
      req: {
        method: 'PATCH',
        path: `/v1/suggestions/${id}`,
        token: net.clinic.key,
        body: { status: 'planned' },
      },
      expect: () => ({
        action: 'suggestion.move',
        subject: { type: 'suggestion', id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { from: 'new', to: 'planned' },
      }),
    };
  },
  'DELETE /v1/api_keys/{id}': async (api) => {
    const net = await createNetwork(api);
    return {
      req: { method: 'DELETE', path: `/v1/api_keys/${net.clinic.keyId}`, token: net.clinic.key },
      expect: () => ({
        action: 'api_key.revoke',
        subject: { type: 'api_key', id: net.clinic.keyId },
        ...byKey(net.clinic),
        patientId: null,
      }),
    };
  },
  'POST /v1/patients': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/patients',
        token: net.clinic.key,
        body: { first_name: 'Ada', last_name: 'Audit', consent: { email: true } },
      },
      expect: (res) => ({
        action: 'patient.register',
        subject: { type: 'patient', id: res.body.id },
        ...byKey(net.clinic),
        patientId: res.body.id,
      }),
    };
  },
  'PATCH /v1/patients/{id}': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'PATCH',
        path: `/v1/patients/${p.id}`,
        token: net.clinic.key,
        body: { last_name: 'Renamed', consent: { sms: true } },
      },
      expect: () => ({
        action: 'patient.update',
        subject: { type: 'patient', id: p.id },
        ...byKey(net.clinic),
        patientId: p.id,
        // The fields changed, never their values.
        detail: { fields: ['last_name', 'consent.sms'] },
      }),
    };
  },
  'POST /v1/offers': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/offers',
        token: net.partner.key,
        body: { title: 'Hot stones', category: 'massage', price: { amount: 5000, currency: 'EUR' } },
      },
      expect: (res) => ({
        action: 'offer.publish',
        subject: { type: 'offer', id: res.body.id },
        ...byKey(net.partner),
        patientId: null,
        detail: { price: 5000, currency: 'EUR' },
      }),
    };
  },
  'PATCH /v1/offers/{id}': async (api) => {
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key);
    return {
      req: {
        method: 'PATCH',
        path: `/v1/offers/${offer.id}`,
        token: net.partner.key,
        body: { active: false },
      },
      expect: () => ({
        action: 'offer.update',
        subject: { type: 'offer', id: offer.id },
        ...byKey(net.partner),
        patientId: null,
        detail: { fields: ['active'] },
      }),
    };
  },
  'POST /v1/vouchers': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key);
    return {
      req: {
        method: 'POST',
        path: '/v1/vouchers',
        token: net.clinic.key,
        body: { patient_id: p.id, offer_id: offer.id },
      },
      expect: (res) => ({
        action: 'voucher.issue',
        subject: { type: 'voucher', id: res.body.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { kind: 'offer', amount: offer.price.amount, currency: 'EUR' },
      }),
    };
  },
  'POST /v1/vouchers/{id}/void': async (api) => {
    const { net, voucher, patient } = await createVoucherScene(api);
    return {
      req: {
        method: 'POST',
        path: `/v1/vouchers/${voucher.id}/void`,
        token: net.clinic.key,
        body: { reason: 'Booked by mistake' },
      },
      expect: () => ({
        action: 'voucher.void',
        subject: { type: 'voucher', id: voucher.id },
        ...byKey(net.clinic),
        patientId: patient.id,
      }),
    };
  },
  'POST /v1/redemptions': async (api) => {
    const { net, voucher, patient } = await createStoredValueScene(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/redemptions',
        token: net.partner.key,
        body: { token: voucher.token, amount: { amount: 1_250, currency: 'EUR' } },
      },
      expect: (res) => ({
        action: 'voucher.redeem',
        subject: { type: 'voucher', id: voucher.id },
        ...byKey(net.partner),
        patientId: patient.id,
        detail: { redemption_id: res.body.id, amount: 1_250, currency: 'EUR' },
      }),
    };
  },
  'POST /v1/redemptions/{id}/reversal': async (api) => {
    const { net, voucher, patient } = await createStoredValueScene(api);
    const r = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: voucher.token, amount: { amount: 1_250, currency: 'EUR' } },
    });
    expect(r.status, r.text).toBe(201);
    return {
      req: { method: 'POST', path: `/v1/redemptions/${r.body.id}/reversal`, token: net.partner.key },
      expect: (res) => ({
        action: 'redemption.reverse',
        subject: { type: 'redemption', id: r.body.id },
        ...byKey(net.partner),
        patientId: patient.id,
        detail: { reversal_id: res.body.id, amount: 1_250, currency: 'EUR' },
      }),
    };
  },
  'PUT /v1/loyalty_program': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/loyalty_program',
        token: net.clinic.key,
        body: { accrual_rate_bps: 700, expiry_days: 365, min_redemption_points: 10, discount_tiers: [] },
      },
      expect: () => ({
        action: 'program.update',
        subject: { type: 'loyalty_program', id: expect.stringMatching(/^lpv_/) },
        ...byKey(net.clinic),
        patientId: null,
        detail: { version: 1, accrual_rate_bps: 700, expiry_days: 365 },
      }),
    };
  },
  'POST /v1/visits': async (api) => {
    const { net, patient } = await createPointsScene(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/visits',
        token: net.clinic.key,
        body: { patient_id: patient.id, amount: { amount: 12_000, currency: 'EUR' } },
      },
      expect: (res) => ({
        action: 'visit.record',
        subject: { type: 'visit', id: res.body.id },
        ...byKey(net.clinic),
        patientId: patient.id,
        detail: { amount: 12_000, currency: 'EUR', points: res.body.points_earned },
      }),
    };
  },
  'POST /v1/points/redemptions': async (api) => {
    const { net, patient } = await card(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/points/redemptions',
        token: net.partner.key,
        body: { card_number: patient.card_number, points: 120 },
      },
      expect: (res) => ({
        action: 'points.spend',
        subject: { type: 'point_redemption', id: res.body.id },
        ...byKey(net.partner),
        patientId: patient.id,
        detail: { points: 120 },
      }),
    };
  },
  'POST /v1/points/redemptions/{id}/reversal': async (api) => {
    const { net, patient } = await card(api);
    const r = await api.post('/v1/points/redemptions', {
      token: net.partner.key,
      body: { card_number: patient.card_number, points: 120 },
    });
    expect(r.status, r.text).toBe(201);
    return {
      req: { method: 'POST', path: `/v1/points/redemptions/${r.body.id}/reversal`, token: net.partner.key },
      expect: () => ({
        action: 'points.reverse',
        subject: { type: 'point_redemption', id: r.body.id },
        ...byKey(net.partner),
        patientId: patient.id,
        detail: { reversal_id: expect.stringMatching(/^prv_/), points: 120 },
      }),
    };
  },
  'PUT /v1/network/settings': async () => {
    const fee = 1 + Math.floor(Math.random() * 999);
    return {
      req: {
        method: 'PUT',
        path: '/v1/network/settings',
        token: OPERATOR_TOKEN,
        body: { fee_bps: fee, closing_grace_days: 3 },
      },
      expect: () => ({
        action: 'network_settings.update',
        subject: { type: 'network_settings', id: expect.stringMatching(/^nst_/) },
        organizationId: null,
        ...OPERATOR,
        patientId: null,
        detail: { fee_bps: fee, closing_grace_days: 3 },
      }),
    };
  },
  'POST /v1/reconciliation/runs': async () => ({
    req: { method: 'POST', path: '/v1/reconciliation/runs', token: OPERATOR_TOKEN },
    expect: (res) => ({
      action: 'reconciliation.run',
      subject: { type: 'reconciliation_run', id: res.body.run_id },
      organizationId: null,
      ...OPERATOR,
      patientId: null,
    }),
  }),
  // Saved segments and personas (issue 11)
  'POST /v1/segments': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/segments',
        token: net.clinic.key,
        body: { name: 'VIPs', rules: [{ field: 'tag', op: 'has', value: 'vip' }] },
      },
      expect: (res) => ({
        action: 'segment.create',
        subject: { type: 'segment', id: res.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { name: 'VIPs', rules: 1 },
      }),
    };
  },
  'PATCH /v1/segments/{id}': async (api) => {
    const net = await createNetwork(api);
    const seg = await api.post('/v1/segments', { token: net.clinic.key, body: { name: 'VIPs', rules: [] } });
    return {
      req: {
        method: 'PATCH',
        path: `/v1/segments/${seg.body.id}`,
        token: net.clinic.key,
        body: { name: 'All' },
      },
      expect: () => ({
        action: 'segment.update',
        subject: { type: 'segment', id: seg.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { changed: ['name'] },
      }),
    };
  },
  'DELETE /v1/segments/{id}': async (api) => {
    const net = await createNetwork(api);
    const seg = await api.post('/v1/segments', { token: net.clinic.key, body: { name: 'VIPs', rules: [] } });
    return {
      req: { method: 'DELETE', path: `/v1/segments/${seg.body.id}`, token: net.clinic.key },
      expect: () => ({
        action: 'segment.archive',
        subject: { type: 'segment', id: seg.body.id },
        ...byKey(net.clinic),
        patientId: null,
      }),
    };
  },
  // The loyalty plan: templates, dated items, regeneration (issue 12)
  'PUT /v1/plan/templates/{segment_key}': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/plan/templates/B',
        token: net.clinic.key,
        body: { interactions_per_year: 2, mix: [{ kind: 'thank_you', channel: 'sms', count: 2 }] },
      },
      expect: (res) => ({
        action: 'plan_template.save',
        subject: { type: 'plan_template', id: res.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { segment_key: 'B', interactions_per_year: 2, version: 1 },
      }),
    };
  },
  'DELETE /v1/plan/templates/{segment_key}': async (api) => {
    const net = await createNetwork(api);
    const saved = await api.put('/v1/plan/templates/B', {
      token: net.clinic.key,
      body: { interactions_per_year: 2, mix: [{ kind: 'thank_you', channel: 'sms', count: 2 }] },
    });
    return {
      req: { method: 'DELETE', path: '/v1/plan/templates/B', token: net.clinic.key },
      expect: () => ({
        action: 'plan_template.reset',
        subject: { type: 'plan_template', id: saved.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { segment_key: 'B' },
      }),
    };
  },
  'POST /v1/patients/{id}/plan': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: { method: 'POST', path: `/v1/patients/${p.id}/plan`, token: net.clinic.key, body: {} },
      expect: () => ({
        action: 'plan.generate',
        subject: { type: 'patient_plan', id: p.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { generation: 1, items: 3, template: 'C' },
      }),
    };
  },
  'PATCH /v1/patients/{id}/plan': async (api) => {
    const net = await createNetwork(api);
    const staff = await createStaffMember(api, net.clinic.id, { name: 'Ida', role: 'front_desk' });
    const p = await createPatient(api, net.clinic.key);
    await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
    return {
      req: {
        method: 'PATCH',
        path: `/v1/patients/${p.id}/plan`,
        token: net.clinic.key,
        body: { owner_staff_id: staff.id },
      },
      expect: () => ({
        action: 'plan.set_owner',
        subject: { type: 'patient_plan', id: p.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { owner_staff_id: staff.id, previous_owner_staff_id: null },
      }),
    };
  },
  'POST /v1/patients/{id}/plan/items': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'POST',
        path: `/v1/patients/${p.id}/plan/items`,
        token: net.clinic.key,
        body: { kind: 'thank_you', channel: 'sms', due_on: '2026-11-10' },
      },
      expect: (res) => ({
        action: 'plan_item.add',
        subject: { type: 'plan_item', id: res.body.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { kind: 'thank_you', channel: 'sms', due_on: '2026-11-10' },
      }),
    };
  },
  // Agenda, coverage, budget, CSV and the iCalendar feed (issue 12)
  'PATCH /v1/plan/items/{id}': async (api) => {
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const id = await planItem({ clinicId: net.clinic.id, patientId: patient.id, dueOn: '2026-11-02' });
    return {
      req: {
        method: 'PATCH',
        path: `/v1/plan/items/${id}`,
        token: net.clinic.key,
        body: { status: 'done', outcome: 'Booked a facial' },
      },
      expect: () => ({
        action: 'plan_item.update',
        subject: { type: 'plan_item', id },
        ...byKey(net.clinic),
        patientId: patient.id,
        detail: { status: 'done', outcome: 'set' },
      }),
    };
  },
  'POST /v1/plan/calendar-feed': async (api) => {
    const net = await createNetwork(api);
    const member = await createStaffMember(api, net.clinic.id, { name: 'Fiona Desk', role: 'front_desk' });
    return {
      req: {
        method: 'POST',
        path: '/v1/plan/calendar-feed',
        token: net.clinic.key,
        body: { staff_id: member.id },
      },
      expect: () => ({
        action: 'calendar_feed.create',
        subject: { type: 'staff_member', id: member.id },
        ...byKey(net.clinic),
        patientId: null,
      }),
    };
  },
  'DELETE /v1/plan/calendar-feed': async (api) => {
    const net = await createNetwork(api);
    const member = await createStaffMember(api, net.clinic.id, { name: 'Fiona Desk', role: 'front_desk' });
    const made = await api.post('/v1/plan/calendar-feed', {
      token: net.clinic.key,
      body: { staff_id: member.id },
    });
    expect(made.status, made.text).toBe(201);
    return {
      req: { method: 'DELETE', path: `/v1/plan/calendar-feed?staff_id=${member.id}`, token: net.clinic.key },
      expect: () => ({
        action: 'calendar_feed.revoke',
        subject: { type: 'staff_member', id: member.id },
        ...byKey(net.clinic),
        patientId: null,
      }),
    };
  },
  // Code words (issue 12)
  'POST /v1/code-words': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/code-words',
        token: net.clinic.key,
        body: {
          word: 'lavender',
          reward: { kind: 'discount_bps', discount_bps: 1000 },
          valid_until: UNTIL_CW,
        },
      },
      expect: (res) => ({
        action: 'code_word.create',
        subject: { type: 'code_word', id: res.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: {
          word: 'LAVENDER',
          reward: 'discount_bps',
          total_limit: null,
          per_patient_limit: 1,
          per_patient_codes: false,
        },
      }),
    };
  },
  'PATCH /v1/code-words/{id}': async (api) => {
    const { net, id } = await codeWordScene(api);
    return {
      req: { method: 'PATCH', path: `/v1/code-words/${id}`, token: net.clinic.key, body: { end: true } },
      expect: () => ({
        action: 'code_word.end',
        subject: { type: 'code_word', id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { changed: ['ended'] },
      }),
    };
  },
  'POST /v1/code-words/{id}/codes': async (api) => {
    const { net, id } = await codeWordScene(api, true);
    return {
      req: { method: 'POST', path: `/v1/code-words/${id}/codes`, token: net.clinic.key },
      expect: () => ({
        action: 'code_word.codes',
        subject: { type: 'code_word', id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { codes: 1, before: 0 },
      }),
    };
  },
  'POST /v1/patients/{id}/code-word': async (api) => {
    const { net, patient, id } = await codeWordScene(api);
    return {
      req: {
        method: 'POST',
        path: `/v1/patients/${patient.id}/code-word`,
        token: net.clinic.key,
        body: { word: 'audited' },
      },
      expect: (res) => ({
        action: 'code_word.apply',
        subject: { type: 'code_word_use', id: res.body.use.id },
        ...byKey(net.clinic),
        patientId: patient.id,
        detail: { word: 'AUDITED', code_word_id: id, reward: 'points', gives: '40 bonus points' },
      }),
    };
  },
  // Referrals, every-Nth-visit rules and visit reversals (issue 12)
  // visit rules and reversals
  'POST /v1/visit-rules': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'POST',
        path: '/v1/visit-rules',
        token: net.clinic.key,
        body: { name: 'Every 5th', every_visits: 5, reward: { kind: 'points', points: 100 } },
      },
      expect: (res) => ({
        action: 'visit_rule.create',
        subject: { type: 'visit_rule', id: res.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { name: 'Every 5th', every_visits: 5, window_days: null, reward: 'points' },
      }),
    };
  },
  'PATCH /v1/visit-rules/{id}': async (api) => {
    const net = await createNetwork(api);
    const rule = await api.post('/v1/visit-rules', {
      token: net.clinic.key,
      body: { name: 'Every 5th', every_visits: 5, reward: { kind: 'points', points: 100 } },
    });
    return {
      req: {
        method: 'PATCH',
        path: `/v1/visit-rules/${rule.body.id}`,
        token: net.clinic.key,
        body: { active: false },
      },
      expect: () => ({
        action: 'visit_rule.update',
        subject: { type: 'visit_rule', id: rule.body.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: { changed: ['active'], active: false },
      }),
    };
  },
  'POST /v1/visits/{id}/reverse': async (api) => {
    const { net, patient } = await createPointsScene(api);
    const visit = await recordVisit(api, net.clinic.key, patient.id, 20_000);
    return {
      req: {
        method: 'POST',
        path: `/v1/visits/${visit.id}/reverse`,
        token: net.clinic.key,
        body: { reason: 'Wrong patient' },
      },
      expect: () => ({
        action: 'visit.reverse',
        subject: { type: 'visit', id: visit.id },
        ...byKey(net.clinic),
        patientId: patient.id,
        detail: { points: visit.points_earned, amount: 20_000, reason: 'Wrong patient' },
      }),
    };
  },
  // referrals
  'PUT /v1/patients/{id}/referral': async (api) => {
    const net = await createNetwork(api);
    const referrer = await createPatient(api, net.clinic.key);
    const referee = await createPatient(api, net.clinic.key);
    const codes = await api.get(`/v1/patients/${referrer.id}/referrals`, { token: net.clinic.key });
    return {
      req: {
        method: 'PUT',
        path: `/v1/patients/${referee.id}/referral`,
        token: net.clinic.key,
        body: { code: codes.body.code },
      },
      expect: (res) => ({
        action: 'referral.link',
        subject: { type: 'referral', id: res.body.id },
        ...byKey(net.clinic),
        patientId: referee.id,
        detail: { referrer_id: referrer.id },
      }),
    };
  },
  // The outbox, delivery settings, callbacks and opt-outs (issue 13)
  'POST /v1/messages/{id}/retry': async (api) => {
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const id = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
    return {
      req: { method: 'POST', path: `/v1/messages/${id}/retry`, token: net.clinic.key },
      expect: () => ({
        action: 'message.retry',
        subject: { type: 'message', id },
        ...byKey(net.clinic),
        patientId: patient.id,
      }),
    };
  },
  'PUT /v1/messaging/settings': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/messaging/settings',
        token: net.clinic.key,
        body: {
          quiet_start: '22:00',
          quiet_end: '07:00',
          monthly_cap: 3,
          expiry_reminder_days: 10,
          survey_delay_hours: null,
          birthday_greetings: false,
        },
      },
      expect: () => ({
        action: 'messaging_settings.update',
        subject: { type: 'messaging_settings', id: net.clinic.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: {
          quiet_start_minute: 1320,
          quiet_end_minute: 420,
          monthly_cap: 3,
          expiry_reminder_days: 10,
          survey_delay_hours: null,
          birthday_greetings: false,
        },
      }),
    };
  },
  // Templates and languages (issue 13)
  'PUT /v1/message_templates/{kind}/{channel}/{locale}': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/message_templates/birthday/sms/es',
        token: net.clinic.key,
        body: { body: '¡Feliz cumpleaños, {first_name}! {url}' },
      },
      expect: () => ({
        action: 'message_template.save',
        subject: { type: 'message_template', id: 'birthday/sms/es' },
        ...byKey(net.clinic),
        patientId: null,
        detail: {
          kind: 'birthday',
          channel: 'sms',
          locale: 'es',
          subject: null,
          body: '¡Feliz cumpleaños, {first_name}! {url}',
        },
      }),
    };
  },
  'DELETE /v1/message_templates/{kind}/{channel}/{locale}': async (api) => {
    const net = await createNetwork(api);
    const saved = await api.request('PUT', '/v1/message_templates/birthday/sms/ru', {
      token: net.clinic.key,
      body: { body: 'С днём рождения! {url}' },
    });
    expect(saved.status, saved.text).toBe(200);
    return {
      req: { method: 'DELETE', path: '/v1/message_templates/birthday/sms/ru', token: net.clinic.key },
      expect: () => ({
        action: 'message_template.reset',
        subject: { type: 'message_template', id: 'birthday/sms/ru' },
        ...byKey(net.clinic),
        patientId: null,
        detail: { kind: 'birthday', channel: 'sms', locale: 'ru' },
      }),
    };
  },
  // The card page (issue 13)
  // Sending: gifts, scheduled messages and events (issue 13)
  'POST /v1/vouchers/{id}/send': async (api) => {
    const { net, patient } = await createPointsScene(api);
    const offer = await createOffer(api, net.partner.key);
    const v = await api.post('/v1/vouchers', {
      token: net.clinic.key,
      body: { patient_id: patient.id, offer_id: offer.id, notify: false },
    });
    return {
      req: {
        method: 'POST',
        path: `/v1/vouchers/${v.body.id}/send`,
        token: net.clinic.key,
        body: { channel: 'sms', record_consent: true },
      },
      expect: (res) => ({
        action: 'voucher.send',
        subject: { type: 'voucher', id: v.body.id },
        ...byKey(net.clinic),
        patientId: patient.id,
        detail: { channel: 'sms', message_id: res.body.message_id, consent_recorded: 'service' },
      }),
    };
  },
  // VIP, birthdays and rewards (issue 12)
  'PUT /v1/loyalty/settings': async (api) => {
    const net = await createNetwork(api);
    return {
      req: {
        method: 'PUT',
        path: '/v1/loyalty/settings',
        token: net.clinic.key,
        body: {
          referral: { reward: { kind: 'points', points: 200 }, cap_per_year: 3 },
          birthday: { reward: null, days_before: 5 },
          vip: { segment_id: null, gifts_per_year: 4, perk_offer_ids: [] },
        },
      },
      expect: () => ({
        action: 'loyalty_settings.update',
        subject: { type: 'loyalty_settings', id: net.clinic.id },
        ...byKey(net.clinic),
        patientId: null,
        detail: {
          referral_reward: 'points',
          referral_cap_per_year: 3,
          birthday_reward: null,
          birthday_days_before: 5,
          vip_segment_id: null,
          vip_gifts_per_year: 4,
          vip_perks: 0,
        },
      }),
    };
  },
  'PUT /v1/patients/{id}/vip': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    return {
      req: {
        method: 'PUT',
        path: `/v1/patients/${p.id}/vip`,
        token: net.clinic.key,
        body: { reason: 'Founder' },
      },
      expect: () => ({
        action: 'patient.vip_mark',
        subject: { type: 'patient', id: p.id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { reason: 'Founder' },
      }),
    };
  },
  'DELETE /v1/patients/{id}/vip': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    await api.put(`/v1/patients/${p.id}/vip`, { token: net.clinic.key, body: { reason: null } });
    return {
      req: { method: 'DELETE', path: `/v1/patients/${p.id}/vip`, token: net.clinic.key },
      expect: () => ({
        action: 'patient.vip_unmark',
        subject: { type: 'patient', id: p.id },
        ...byKey(net.clinic),
        patientId: p.id,
      }),
    };
  },
  'POST /v1/rewards/{id}/use': async (api) => {
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const id = newId('rwd', T0);
    await env.DB.prepare(
      `insert into loyalty_rewards (id, clinic_id, patient_id, source, source_id, reason_key, kind, title,
        discount_bps, currency, status, granted_at)
       values (?, ?, ?, 'code_word', 'cwd_x', ?, 'discount_bps', 'Spring', 1000, 'EUR', 'available', ?)`,
    )
      .bind(id, net.clinic.id, p.id, `audit:${id}`, T0)
      .run();
    return {
      req: { method: 'POST', path: `/v1/rewards/${id}/use`, token: net.clinic.key },
      expect: () => ({
        action: 'reward.use',
        subject: { type: 'reward', id },
        ...byKey(net.clinic),
        patientId: p.id,
        detail: { kind: 'discount_bps', source: 'code_word' },
      }),
    };
  },
};

/** Mutating routes that change nothing, each with why. */
const CHANGES_NOTHING: Record<string, string> = {
  'POST /v1/vouchers/verify': 'checks a voucher at the counter; no side effects',
  'POST /v1/segments/preview': 'counts the patients a rule set would hold; saves nothing',
  'POST /v1/message_templates/preview': 'renders a message with sample values; saves nothing',
};

/** Mutating routes whose body is not JSON, with where their entries are proven. */
const AUDITED_ELSEWHERE: Record<string, string> = {
  'PUT /v1/offers/{id}/photo':
    'an image body: test/api/offer-photos.test.ts checks its offer.set_photo entry',
  'DELETE /v1/offers/{id}/photo': 'test/api/offer-photos.test.ts checks its offer.remove_photo entry',
};

const mutating = routeInventory(createClient().app).filter((r) => r.method !== 'GET');

function expectEntry(row: AuditRow | undefined, e: Expected) {
  expect(row).toBeDefined();
  expect({
    action: row!.action,
    subject: { type: row!.subject_type, id: row!.subject_id },
    organizationId: row!.organization_id,
    actorKeyId: row!.actor_key_id,
    patientId: row!.patient_id,
  }).toEqual({
    action: e.action,
    subject: e.subject,
    organizationId: e.organizationId,
    actorKeyId: e.actorKeyId,
    patientId: e.patientId,
  });
  expect(row!.actor_staff_id, 'an API key is no staff member').toBeNull();
  if (e.detail) expect(JSON.parse(row!.detail ?? 'null')).toEqual(e.detail);
  expect(row!.detail ?? '').not.toMatch(/gr_(cln|ptn)_|eyJ/);
}

describe('audit trail: every change writes one entry', () => {
  it('has a scenario for every operation that changes something', () => {
    expect(mutating.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [...Object.keys(SCENARIOS), ...Object.keys(CHANGES_NOTHING), ...Object.keys(AUDITED_ELSEWHERE)].sort(),
    );
  });

  for (const route of mutating) {
    const name = `${route.method} ${route.path}`;
    const scenario = SCENARIOS[name];
    if (!scenario) continue;
    it(`${name}: one entry${route.idempotent ? ', none for its replay' : ''}`, async () => {
      const api = createClient();
      const { req, expect: expected } = await scenario(api);
      const key: Record<string, string> = route.idempotent ? { 'idempotency-key': randomToken(12) } : {};
      const m = await mark();
      const res = await send(api, req, key);
      expect(res.status, res.text).toBeLessThan(300);
      const rows = await since(m);
      expect(rows, JSON.stringify(rows)).toHaveLength(1);
      expectEntry(rows[0], expected(res));
      if (!route.idempotent) return;
      const m2 = await mark();
      const replay = await send(api, req, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await since(m2)).toEqual([]);
    });
  }

  it('checking a voucher writes nothing', async () => {
    const api = createClient();
    const { net, voucher } = await createVoucherScene(api);
    const m = await mark();
    const res = await api.post('/v1/vouchers/verify', {
      token: net.partner.key,
      body: { token: voucher.token },
    });
    expect(res.body.valid).toBe(true);
    expect(await since(m)).toEqual([]);
  });

  it('the counter page records its redemption by the signed-in staff member', async () => {
    const api = createClient();
    const { net, voucher, patient } = await createStoredValueScene(api);
    const { cookie } = await signIn(api, net.partner.key);
    const { csrf } = await counter(api, cookie);
    const m = await mark();
    const res = await submit(api, '/partner/redeem', cookie, {
      token: voucher.token,
      csrf,
      amount: '12.50',
      currency: 'EUR',
    });
    expect(res.headers.get('location')).toMatch(/^\/partner\?redeemed=red_/);
    const rows = await since(m);
    expect(rows).toHaveLength(1);
    const staff = await env.DB.prepare('select id, key_id from staff_members where organization_id = ?')
      .bind(net.partner.id)
      .first<{ id: string; key_id: string }>();
    expect({
      action: rows[0]!.action,
      subject: rows[0]!.subject_id,
      organizationId: rows[0]!.organization_id,
      patientId: rows[0]!.patient_id,
      actorKeyId: rows[0]!.actor_key_id,
      actorStaffId: rows[0]!.actor_staff_id,
    }).toEqual({
      action: 'voucher.redeem',
      subject: voucher.id,
      organizationId: net.partner.id,
      patientId: patient.id,
      actorKeyId: staff!.key_id,
      actorStaffId: staff!.id,
    });
  });
});

describe('audit trail: a refused or no-op change writes nothing', () => {
  const nothing = async (label: string, run: () => Promise<ApiResponse>, status: number) => {
    const m = await mark();
    const res = await run();
    expect(res.status, `${label}: ${res.text}`).toBe(status);
    expect(await since(m), label).toEqual([]);
  };

  it('vouchers: voiding a voided or redeemed voucher, redeeming twice, the wrong partner or key', async () => {
    const api = createClient();
    const { net, voucher } = await createVoucherScene(api);
    const voidIt = (id: string) =>
      api.post(`/v1/vouchers/${id}/void`, { token: net.clinic.key, body: { reason: 'No' } });
    const redeem = (key: string, token: string) =>
      api.post('/v1/redemptions', { token: key, body: { token } });
    await nothing(
      'redeemed by a partner it is not for',
      () => redeem(net.otherPartner.key, voucher.token),
      403,
    );
    await nothing(
      'redeemed with an unknown key',
      () => redeem('gr_ptn_unknownunknownunknown', voucher.token),
      401,
    );
    expect((await redeem(net.partner.key, voucher.token)).status).toBe(201);
    await nothing('redeemed again', () => redeem(net.partner.key, voucher.token), 409);
    await nothing('a redeemed voucher voided', () => voidIt(voucher.id), 409);
    await nothing(
      "another clinic's voucher voided",
      () =>
        api.post(`/v1/vouchers/${voucher.id}/void`, { token: net.otherClinic.key, body: { reason: 'No' } }),
      404,
    );
    const other = await createVoucherScene(api);
    expect(
      (
        await api.post(`/v1/vouchers/${other.voucher.id}/void`, {
          token: other.net.clinic.key,
          body: { reason: 'No' },
        })
      ).status,
    ).toBe(200);
    await nothing(
      'a voided voucher voided again',
      () =>
        api.post(`/v1/vouchers/${other.voucher.id}/void`, {
          token: other.net.clinic.key,
          body: { reason: 'No' },
        }),
      200,
    );
  });

  it('reversals: twice, or by another partner', async () => {
    const api = createClient();
    const { net, voucher } = await createStoredValueScene(api);
    const r = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: voucher.token, amount: { amount: 100, currency: 'EUR' } },
    });
    const reverse = (key: string) => api.post(`/v1/redemptions/${r.body.id}/reversal`, { token: key });
    await nothing('by another partner', () => reverse(net.otherPartner.key), 404);
    expect((await reverse(net.partner.key)).status).toBe(200);
    await nothing('twice', () => reverse(net.partner.key), 409);
  });

  it('points: a refused spend, a reference used again, a visit recorded again, a reversal twice', async () => {
    const api = createClient();
    const { net, patient } = await card(api);
    const spend = (body: Record<string, unknown>) =>
      api.post('/v1/points/redemptions', {
        token: net.partner.key,
        body: { card_number: patient.card_number, ...body },
      });
    await nothing('more points than the card holds', () => spend({ points: 1_000_000 }), 422);
    await nothing(
      'an unknown card',
      () =>
        api.post('/v1/points/redemptions', {
          token: net.partner.key,
          body: { card_number: '0000000000000000', points: 1 },
        }),
      404,
    );
    const first = await spend({ points: 10, reference: 'sale-1' });
    expect(first.status).toBe(201);
    await nothing('the same reference again', () => spend({ points: 10, reference: 'sale-1' }), 201);
    const visit = { patient_id: patient.id, amount: { amount: 1_000, currency: 'EUR' }, reference: 'v-1' };
    expect((await api.post('/v1/visits', { token: net.clinic.key, body: visit })).status).toBe(201);
    await nothing(
      'a visit recorded again',
      () => api.post('/v1/visits', { token: net.clinic.key, body: visit }),
      201,
    );
    const reverse = () =>
      api.post(`/v1/points/redemptions/${first.body.id}/reversal`, { token: net.partner.key });
    expect((await reverse()).status).toBe(200);
    await nothing('a reversal twice', reverse, 409);
  });

  it('the same rules or settings again, a revoked key revoked again, another’s patient or offer', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const rules = { accrual_rate_bps: 900 };
    await setLoyaltyProgram(api, net.clinic.key, rules);
    await nothing(
      'the same programme again',
      () =>
        api.put('/v1/loyalty_program', {
          token: net.clinic.key,
          body: { accrual_rate_bps: 900, expiry_days: 180, min_redemption_points: 0 },
        }),
      200,
    );
    const settings = { fee_bps: 1_234, closing_grace_days: 4 };
    expect((await api.put('/v1/network/settings', { token: OPERATOR_TOKEN, body: settings })).status).toBe(
      200,
    );
    await nothing(
      'the same settings again',
      () => api.put('/v1/network/settings', { token: OPERATOR_TOKEN, body: settings }),
      200,
    );
    const spare = await api.post(`/v1/organizations/${net.clinic.id}/api_keys`, {
      token: OPERATOR_TOKEN,
      body: { name: 'spare' },
    });
    const revoke = () => api.delete(`/v1/api_keys/${spare.body.id}`, { token: OPERATOR_TOKEN });
    expect((await revoke()).status).toBe(200);
    await nothing('a revoked key revoked again', revoke, 200);
    await nothing(
      "another clinic's key",
      () => api.delete(`/v1/api_keys/${net.clinic.keyId}`, { token: net.otherClinic.key }),
      404,
    );
    const patient = await createPatient(api, net.clinic.key);
    await nothing(
      "another clinic's patient",
      () => api.patch(`/v1/patients/${patient.id}`, { token: net.otherClinic.key, body: { last_name: 'X' } }),
      404,
    );
    const offer = await createOffer(api, net.partner.key);
    await nothing(
      "another partner's offer",
      () => api.patch(`/v1/offers/${offer.id}`, { token: net.otherPartner.key, body: { active: false } }),
      404,
    );
  });
});

describe('audit trail: append-only', () => {
  it('the database refuses to change or delete an entry', async () => {
    const api = createClient();
    await createPatient(api, (await createNetwork(api)).clinic.key);
    const [row] = await since(0);
    expect(row).toBeDefined();
    await expect(
      env.DB.prepare("update audit_events set action = 'patient.nothing' where id = ?").bind(row!.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare('delete from audit_events where id = ?').bind(row!.id).run()).rejects.toThrow(
      /append-only/,
    );
    const after = await env.DB.prepare('select action from audit_events where id = ?').bind(row!.id).first();
    expect(after).toEqual({ action: row!.action });
  });
});

describe('GET /v1/audit-events', () => {
  it('reads the trail newest first, by staff member and by patient, page by page', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    clock.advance(1_000);
    const greta = await createStaffMember(api, net.clinic.id, { name: 'Greta Desk', role: 'front_desk' });
    clock.advance(1_000);
    const ada = await createPatient(api, greta.key, { first_name: 'Ada' });
    clock.advance(1_000);
    const bert = await createPatient(api, net.clinic.key, { first_name: 'Bert' });
    clock.advance(1_000);
    await api.patch(`/v1/patients/${ada.id}`, { token: net.clinic.key, body: { last_name: 'Lovelace' } });
    clock.advance(1_000);
    await api.patch(`/v1/patients/${bert.id}`, { token: greta.key, body: { last_name: 'Brecht' } });
    const list = (query: string, token = net.clinic.key) => api.get(`/v1/audit-events${query}`, { token });

    const all = await list('');
    expect(all.status, all.text).toBe(200);
    const summary = (r: ApiResponse) =>
      r.body.data.map((e: any) => `${e.action} ${e.subject.id} ${e.actor.kind}:${e.actor.name}`);
    expect(summary(all).slice(0, 5)).toEqual([
      `patient.update ${bert.id} staff:Greta Desk`,
      `patient.update ${ada.id} api_key:test`,
      `patient.register ${bert.id} api_key:test`,
      `patient.register ${ada.id} staff:Greta Desk`,
      `api_key.issue ${greta.keyId} operator:null`,
    ]);
    // Within one millisecond, entries are ordered by id, not by which came first.
    expect(summary(all).slice(5).sort()).toEqual(
      [
        `api_key.issue ${net.clinic.keyId} operator:null`,
        `organization.create ${net.clinic.id} operator:null`,
      ].sort(),
    );
    const first = all.body.data[0];
    expect(first).toMatchObject({
      at: new Date(T0 + 5_000).toISOString(),
      subject: { type: 'patient', id: bert.id },
      patient_id: bert.id,
      detail: { fields: ['last_name'] },
      actor: {
        kind: 'staff',
        staff_id: greta.id,
        key_id: greta.keyId,
        name: 'Greta Desk',
        role: 'front_desk',
      },
    });
    expect(all.body.data[1].actor).toMatchObject({ kind: 'api_key', key_id: net.clinic.keyId, name: 'test' });
    expect(all.body.data[1].actor.key_prefix).toMatch(/^gr_cln_/);

    expect(summary(await list(`?staff_id=${greta.id}`))).toEqual([
      `patient.update ${bert.id} staff:Greta Desk`,
      `patient.register ${ada.id} staff:Greta Desk`,
    ]);
    expect(summary(await list(`?patient_id=${ada.id}`))).toEqual([
      `patient.update ${ada.id} api_key:test`,
      `patient.register ${ada.id} staff:Greta Desk`,
    ]);
    expect(summary(await list(`?patient_id=${bert.id}&staff_id=${greta.id}`))).toEqual([
      `patient.update ${bert.id} staff:Greta Desk`,
    ]);

    // Pages of 2 walk the same trail, in the same order, without repeats or gaps.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status, page.text).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      walked.push(...page.body.data.map((e: any) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(walked).toEqual(all.body.data.map((e: any) => e.id));
    expect((await list('?cursor=nonsense')).body.code).toBe('invalid_cursor');
  });

  it("shows an organisation nothing of another's, and never another clinic's patient", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    await createPatient(api, net.otherClinic.key);
    const b = await api.get('/v1/audit-events', { token: net.otherClinic.key });
    expect(b.status).toBe(200);
    expect(b.text).not.toContain(patient.id);
    expect(b.body.data.every((e: any) => e.subject.id !== net.clinic.id)).toBe(true);
    expect(
      (await api.get(`/v1/audit-events?patient_id=${patient.id}`, { token: net.otherClinic.key })).body.data,
    ).toEqual([]);

    // A partner spending a clinic's patient's points: its own entry, without the clinic's patient id.
    await setLoyaltyProgram(api, net.clinic.key);
    await recordVisit(api, net.clinic.key, patient.id, 20_000);
    const spent = await api.post('/v1/points/redemptions', {
      token: net.partner.key,
      body: { card_number: patient.card_number, points: 10 },
    });
    expect(spent.status, spent.text).toBe(201);
    const p = await api.get('/v1/audit-events', { token: net.partner.key });
    expect(p.body.data.find((e: any) => e.action === 'points.spend')).toMatchObject({
      action: 'points.spend',
      subject: { id: spent.body.id },
      patient_id: null,
    });
    expect(p.text).not.toContain(patient.id);
    expect(
      (await api.get(`/v1/audit-events?patient_id=${patient.id}`, { token: net.partner.key })).body.data,
    ).toEqual([]);
    expect((await api.get('/v1/audit-events', { token: OPERATOR_TOKEN })).status).toBe(403);
  });
});
