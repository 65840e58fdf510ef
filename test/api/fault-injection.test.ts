import { env } from 'cloudflare:workers';
import { newId } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  createPointsScene,
  createStaffMember,
  createStoredValueScene,
  createVoucherScene,
  recordVisit,
} from '../helpers/factories';
import { routeInventory } from '../helpers/inventory';
import { outboxMessage } from '../helpers/messages';
import { PNG, putPhoto } from '../helpers/photos';
import { planItem } from '../helpers/plan';

// Fault injection over every operation that changes something, driven by the route inventory.
// - A failure in any statement of any multi-statement batch the operation runs leaves the domain
//   exactly as it was (the request answers 5xx problem+json), and the same request then succeeds.
// - A crash right after the operation's work commits (before its answer is stored), then a retry
//   under the same Idempotency-Key: exactly one effect, and the retry is told the work was done
//   (409 idempotency_key_committed), never run twice.
// - A crash after the answer is stored (the connection drops): the retry replays that answer, with
//   exactly one effect.
// The faults are injected into the D1 binding the app is given (a wrapper over the real one).

/** `image`: a raw image body (an offer's photo), sent as is instead of JSON. */
type Req = { method: string; path: string; token: string; body?: unknown; image?: Uint8Array };
type Scenario = { idempotent: boolean; make(api: Client): Promise<Req> };

const card = async (api: Client) => {
  const { net, patient } = await createPointsScene(api);
  await recordVisit(api, net.clinic.key, patient.id, 20_000);
  return { net, patient };
};

/** The next network fee step (PUT /v1/network/settings below). */
let networkFeeStep = 0;

const SCENARIOS: Record<string, Scenario> = {
  'POST /v1/organizations': {
    idempotent: true,
    make: async () => ({
      method: 'POST',
      path: '/v1/organizations',
      token: OPERATOR_TOKEN,
      body: { kind: 'clinic', name: 'Fault clinic', currency: 'EUR', timezone: 'Europe/Berlin' },
    }),
  },
  'POST /v1/organizations/{id}/api_keys': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: `/v1/organizations/${net.clinic.id}/api_keys`,
        token: OPERATOR_TOKEN,
        body: { name: 'till' },
      };
    },
  },
  'POST /v1/organizations/{id}/invitations': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: `/v1/organizations/${net.clinic.id}/invitations`,
        token: OPERATOR_TOKEN,
        body: { role: 'owner', name: 'Fault Owner' },
      };
    },
  },
  'DELETE /v1/api_keys/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return { method: 'DELETE', path: `/v1/api_keys/${net.clinic.keyId}`, token: OPERATOR_TOKEN };
    },
  },
  'POST /v1/patients': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/patients',
        token: net.clinic.key,
        body: { first_name: 'Ada', last_name: 'Fault', email: 'ada@example.com', consent: { email: true } },
      };
    },
  },
  'PATCH /v1/patients/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'PATCH',
        path: `/v1/patients/${p.id}`,
        token: net.clinic.key,
        body: { last_name: 'Renamed', consent: { sms: true } },
      };
    },
  },
  'POST /v1/offers': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/offers',
        token: net.partner.key,
        body: { title: 'Hot stones', category: 'massage', price: { amount: 5000, currency: 'EUR' } },
      };
    },
  },
  'PATCH /v1/offers/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const offer = await createOffer(api, net.partner.key);
      return {
        method: 'PATCH',
        path: `/v1/offers/${offer.id}`,
        token: net.partner.key,
        body: { active: false },
      };
    },
  },
  'PUT /v1/offers/{id}/photo': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const offer = await createOffer(api, net.partner.key);
      return { method: 'PUT', path: `/v1/offers/${offer.id}/photo`, token: net.partner.key, image: PNG };
    },
  },
  'DELETE /v1/offers/{id}/photo': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const offer = await createOffer(api, net.partner.key);
      expect((await putPhoto(api, net.partner.key, offer.id, PNG)).status).toBe(200);
      return { method: 'DELETE', path: `/v1/offers/${offer.id}/photo`, token: net.partner.key };
    },
  },
  'POST /v1/vouchers': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      const offer = await createOffer(api, net.partner.key);
      return {
        method: 'POST',
        path: '/v1/vouchers',
        token: net.clinic.key,
        body: { patient_id: p.id, offer_id: offer.id, message: 'For you' },
      };
    },
  },
  'POST /v1/vouchers/{id}/void': {
    idempotent: true,
    make: async (api) => {
      const { net, voucher } = await createVoucherScene(api);
      return {
        method: 'POST',
        path: `/v1/vouchers/${voucher.id}/void`,
        token: net.clinic.key,
        body: { reason: 'Booked by mistake' },
      };
    },
  },
  'POST /v1/vouchers/verify': {
    idempotent: false,
    make: async (api) => {
      const { net, voucher } = await createVoucherScene(api);
      return {
        method: 'POST',
        path: '/v1/vouchers/verify',
        token: net.partner.key,
        body: { token: voucher.token },
      };
    },
  },
  'POST /v1/redemptions': {
    idempotent: true,
    make: async (api) => {
      const { net, voucher } = await createStoredValueScene(api);
      return {
        method: 'POST',
        path: '/v1/redemptions',
        token: net.partner.key,
        body: { token: voucher.token, amount: { amount: 1_250, currency: 'EUR' } },
      };
    },
  },
  'POST /v1/redemptions/{id}/reversal': {
    idempotent: true,
    make: async (api) => {
      const { net, voucher } = await createStoredValueScene(api);
      const r = await api.post('/v1/redemptions', {
        token: net.partner.key,
        body: { token: voucher.token, amount: { amount: 1_250, currency: 'EUR' } },
      });
      return {
        method: 'POST',
        path: `/v1/redemptions/${r.body.id}/reversal`,
        token: net.partner.key,
      };
    },
  },
  'PUT /v1/loyalty_program': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/loyalty_program',
        token: net.clinic.key,
        body: { accrual_rate_bps: 700, expiry_days: 365, min_redemption_points: 10, discount_tiers: [] },
      };
    },
  },
  'POST /v1/visits': {
    idempotent: true,
    make: async (api) => {
      const { net, patient } = await createPointsScene(api);
      return {
        method: 'POST',
        path: '/v1/visits',
        token: net.clinic.key,
        body: { patient_id: patient.id, amount: { amount: 12_000, currency: 'EUR' } },
      };
    },
  },
  'POST /v1/points/redemptions': {
    idempotent: true,
    make: async (api) => {
      const { net, patient } = await card(api);
      return {
        method: 'POST',
        path: '/v1/points/redemptions',
        token: net.partner.key,
        body: { card_number: patient.card_number, points: 120 },
      };
    },
  },
  'POST /v1/points/redemptions/{id}/reversal': {
    idempotent: true,
    make: async (api) => {
      const { net, patient } = await card(api);
      const r = await api.post('/v1/points/redemptions', {
        token: net.partner.key,
        body: { card_number: patient.card_number, points: 120 },
      });
      return {
        method: 'POST',
        path: `/v1/points/redemptions/${r.body.id}/reversal`,
        token: net.partner.key,
      };
    },
  },
  'POST /v1/branches': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/branches',
        token: net.clinic.key,
        body: { name: 'Faulty', latitude: 1, longitude: 2 },
      };
    },
  },
  'PATCH /v1/branches/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const b = await api.post('/v1/branches', { token: net.clinic.key, body: { name: 'Before' } });
      return {
        method: 'PATCH',
        path: `/v1/branches/${b.body.id}`,
        token: net.clinic.key,
        body: { name: 'After' },
      };
    },
  },
  'DELETE /v1/branches/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const b = await api.post('/v1/branches', { token: net.clinic.key, body: { name: 'Closing' } });
      return { method: 'DELETE', path: `/v1/branches/${b.body.id}`, token: net.clinic.key };
    },
  },
  'PUT /v1/insight/settings': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/insight/settings',
        token: net.clinic.key,
        body: { abc_a_bps: 7000, abc_b_bps: 2000, budget_a: 20_000 },
      };
    },
  },
  'POST /v1/insight/refresh': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      await createPatient(api, net.clinic.key);
      return { method: 'POST', path: '/v1/insight/refresh', token: net.clinic.key };
    },
  },
  'PUT /v1/location': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/location',
        token: net.partner.key,
        body: { latitude: 1, longitude: 2, address: 'Here 1' },
      };
    },
  },
  'POST /v1/patients/{id}/call_outcomes': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'POST',
        path: `/v1/patients/${p.id}/call_outcomes`,
        token: net.clinic.key,
        body: { outcome: 'left_message', note: 'Voicemail' },
      };
    },
  },
  'POST /v1/patients/{id}/survey_responses': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'POST',
        path: `/v1/patients/${p.id}/survey_responses`,
        token: net.clinic.key,
        body: { score: 6, improvement: 'Shorter waits' },
      };
    },
  },
  'PATCH /v1/suggestions/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      const answer = await api.post(`/v1/patients/${p.id}/survey_responses`, {
        token: net.clinic.key,
        body: { score: 5, improvement: 'Parking' },
      });
      return {
        method: 'PATCH',
        path: `/v1/suggestions/${answer.body.suggestion_id}`,
        token: net.clinic.key,
        body: { status: 'implemented', reply: 'Done' },
      };
    },
  },
  // Questionnaires, personal links and consent (issue 11)
  'PUT /v1/questionnaire': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/questionnaire',
        token: net.clinic.key,
        body: { title: 'Ours', questions: [{ id: 'hobby', type: 'text', label: 'Hobby' }] },
      };
    },
  },
  'POST /v1/patients/{id}/links': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'POST',
        path: `/v1/patients/${p.id}/links`,
        token: net.clinic.key,
        body: { purpose: 'questionnaire' },
      };
    },
  },
  'POST /v1/patients/{id}/questionnaire_responses': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'POST',
        path: `/v1/patients/${p.id}/questionnaire_responses`,
        token: net.clinic.key,
        body: {
          version: 0,
          answers: { interests: ['massage'], birthday: '1980-02-03' },
          consent: { email: true },
        },
      };
    },
  },
  'PUT /v1/network/settings': {
    idempotent: false,
    // Each request sets a fee the last did not (the same settings again write nothing, by design, and a
    // random fee repeated the last one about once in a thousand requests).
    make: async () => ({
      method: 'PUT',
      path: '/v1/network/settings',
      token: OPERATOR_TOKEN,
      body: { fee_bps: 100 + (networkFeeStep++ % 900), closing_grace_days: 3 },
    }),
  },
  'POST /v1/reconciliation/runs': {
    idempotent: false,
    make: async () => ({ method: 'POST', path: '/v1/reconciliation/runs', token: OPERATOR_TOKEN }),
  },
  // Saved segments and personas (issue 11)
  'POST /v1/segments': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/segments',
        token: net.clinic.key,
        body: { name: 'VIPs', rules: [{ field: 'tag', op: 'has', value: 'vip' }] },
      };
    },
  },
  'POST /v1/segments/preview': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return { method: 'POST', path: '/v1/segments/preview', token: net.clinic.key, body: { rules: [] } };
    },
  },
  'PATCH /v1/segments/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const seg = await api.post('/v1/segments', {
        token: net.clinic.key,
        body: { name: 'VIPs', rules: [] },
      });
      return {
        method: 'PATCH',
        path: `/v1/segments/${seg.body.id}`,
        token: net.clinic.key,
        body: { name: 'All' },
      };
    },
  },
  'DELETE /v1/segments/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const seg = await api.post('/v1/segments', {
        token: net.clinic.key,
        body: { name: 'VIPs', rules: [] },
      });
      return { method: 'DELETE', path: `/v1/segments/${seg.body.id}`, token: net.clinic.key };
    },
  },
  // The loyalty plan: templates, dated items, regeneration (issue 12)
  'PUT /v1/plan/templates/{segment_key}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/plan/templates/B',
        token: net.clinic.key,
        body: { interactions_per_year: 2, mix: [{ kind: 'thank_you', channel: 'sms', count: 2 }] },
      };
    },
  },
  'DELETE /v1/plan/templates/{segment_key}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      await api.put('/v1/plan/templates/C', {
        token: net.clinic.key,
        body: { interactions_per_year: 2, mix: [{ kind: 'thank_you', channel: 'sms', count: 2 }] },
      });
      // Items planned from the template: the reset clears their template in the same batch.
      await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
      return { method: 'DELETE', path: '/v1/plan/templates/C', token: net.clinic.key };
    },
  },
  'POST /v1/patients/{id}/plan': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      // A regeneration: the batch replaces planned items and writes the new generation's.
      await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
      return { method: 'POST', path: `/v1/patients/${p.id}/plan`, token: net.clinic.key, body: {} };
    },
  },
  'PATCH /v1/patients/{id}/plan': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const staff = await createStaffMember(api, net.clinic.id, { name: 'Ida', role: 'front_desk' });
      const p = await createPatient(api, net.clinic.key);
      await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
      return {
        method: 'PATCH',
        path: `/v1/patients/${p.id}/plan`,
        token: net.clinic.key,
        body: { owner_staff_id: staff.id },
      };
    },
  },
  'POST /v1/patients/{id}/plan/items': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'POST',
        path: `/v1/patients/${p.id}/plan/items`,
        token: net.clinic.key,
        body: { kind: 'thank_you', channel: 'sms', due_on: '2026-11-10' },
      };
    },
  },
  // Agenda, coverage, budget, CSV and the iCalendar feed (issue 12)
  'PATCH /v1/plan/items/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const patient = await createPatient(api, net.clinic.key);
      const id = await planItem({ clinicId: net.clinic.id, patientId: patient.id, dueOn: '2026-11-02' });
      return {
        method: 'PATCH',
        path: `/v1/plan/items/${id}`,
        token: net.clinic.key,
        body: { status: 'done', outcome: 'Booked a facial' },
      };
    },
  },
  'POST /v1/plan/calendar-feed': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const member = await createStaffMember(api, net.clinic.id, { name: 'Fiona Desk', role: 'front_desk' });
      return {
        method: 'POST',
        path: '/v1/plan/calendar-feed',
        token: net.clinic.key,
        body: { staff_id: member.id },
      };
    },
  },
  'DELETE /v1/plan/calendar-feed': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const member = await createStaffMember(api, net.clinic.id, { name: 'Fiona Desk', role: 'front_desk' });
      const made = await api.post('/v1/plan/calendar-feed', {
        token: net.clinic.key,
        body: { staff_id: member.id },
      });
      expect(made.status, made.text).toBe(201);
      return {
        method: 'DELETE',
        path: `/v1/plan/calendar-feed?staff_id=${member.id}`,
        token: net.clinic.key,
      };
    },
  },
  // Code words (issue 12)
  'POST /v1/code-words': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/code-words',
        token: net.clinic.key,
        body: {
          word: 'FAULTY',
          reward: { kind: 'points', points: 10 },
          valid_until: '2030-01-01T00:00:00.000Z',
        },
      };
    },
  },
  'PATCH /v1/code-words/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const w = await api.post('/v1/code-words', {
        token: net.clinic.key,
        body: {
          word: 'FAULTY',
          reward: { kind: 'points', points: 10 },
          valid_until: '2030-01-01T00:00:00.000Z',
        },
      });
      return {
        method: 'PATCH',
        path: `/v1/code-words/${w.body.id}`,
        token: net.clinic.key,
        body: { end: true },
      };
    },
  },
  'POST /v1/code-words/{id}/codes': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      await createPatient(api, net.clinic.key);
      const w = await api.post('/v1/code-words', {
        token: net.clinic.key,
        body: {
          word: 'FAULTY',
          reward: { kind: 'points', points: 10 },
          valid_until: '2030-01-01T00:00:00.000Z',
          per_patient_codes: true,
        },
      });
      return { method: 'POST', path: `/v1/code-words/${w.body.id}/codes`, token: net.clinic.key };
    },
  },
  'POST /v1/patients/{id}/code-word': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const patient = await createPatient(api, net.clinic.key);
      const offer = await createOffer(api, net.partner.key);
      await api.post('/v1/code-words', {
        token: net.clinic.key,
        body: {
          word: 'FAULTY',
          reward: { kind: 'voucher', offer_id: offer.id },
          valid_until: '2030-01-01T00:00:00.000Z',
        },
      });
      return {
        method: 'POST',
        path: `/v1/patients/${patient.id}/code-word`,
        token: net.clinic.key,
        body: { word: 'faulty' },
      };
    },
  },
  // Referrals, every-Nth-visit rules and visit reversals (issue 12)
  // visit rules and reversals
  'POST /v1/visit-rules': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/visit-rules',
        token: net.clinic.key,
        body: { name: 'Every 5th', every_visits: 5, reward: { kind: 'points', points: 100 } },
      };
    },
  },
  'PATCH /v1/visit-rules/{id}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const rule = await api.post('/v1/visit-rules', {
        token: net.clinic.key,
        body: { name: 'Every 5th', every_visits: 5, reward: { kind: 'points', points: 100 } },
      });
      return {
        method: 'PATCH',
        path: `/v1/visit-rules/${rule.body.id}`,
        token: net.clinic.key,
        body: { active: false },
      };
    },
  },
  'POST /v1/visits/{id}/reverse': {
    idempotent: true,
    make: async (api) => {
      const { net, patient } = await card(api);
      // A rule punched by the visit: the reversal voids the punch in the same batch.
      await api.post('/v1/visit-rules', {
        token: net.clinic.key,
        body: { name: 'Every 2nd', every_visits: 2, reward: { kind: 'points', points: 50 } },
      });
      const visit = await recordVisit(api, net.clinic.key, patient.id, 10_000);
      return {
        method: 'POST',
        path: `/v1/visits/${visit.id}/reverse`,
        token: net.clinic.key,
        body: { reason: 'Wrong patient' },
      };
    },
  },
  // referrals
  'PUT /v1/patients/{id}/referral': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const referrer = await createPatient(api, net.clinic.key);
      const referee = await createPatient(api, net.clinic.key);
      const codes = await api.get(`/v1/patients/${referrer.id}/referrals`, { token: net.clinic.key });
      return {
        method: 'PUT',
        path: `/v1/patients/${referee.id}/referral`,
        token: net.clinic.key,
        body: { code: codes.body.code },
      };
    },
  },
  // The outbox, delivery settings, callbacks and opt-outs (issue 13)
  'POST /v1/messages/{id}/retry': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const patient = await createPatient(api, net.clinic.key);
      const id = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
      return { method: 'POST', path: `/v1/messages/${id}/retry`, token: net.clinic.key };
    },
  },
  'PUT /v1/messaging/settings': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
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
      };
    },
  },
  // Templates and languages (issue 13)
  'PUT /v1/message_templates/{kind}/{channel}/{locale}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/message_templates/card_link/email/es',
        token: net.clinic.key,
        body: { subject: 'Su tarjeta', body: 'Hola {first_name}: {url}' },
      };
    },
  },
  'DELETE /v1/message_templates/{kind}/{channel}/{locale}': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      await api.request('PUT', '/v1/message_templates/card_link/sms/ru', {
        token: net.clinic.key,
        body: { body: 'Ваша карта: {url}' },
      });
      return { method: 'DELETE', path: '/v1/message_templates/card_link/sms/ru', token: net.clinic.key };
    },
  },
  'POST /v1/message_templates/preview': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'POST',
        path: '/v1/message_templates/preview',
        token: net.clinic.key,
        body: { kind: 'card_link', channel: 'sms', locale: 'ru' },
      };
    },
  },
  // The card page (issue 13)
  // Sending: gifts, scheduled messages and events (issue 13)
  'POST /v1/vouchers/{id}/send': {
    idempotent: true,
    make: async (api) => {
      const { net, patient } = await createPointsScene(api);
      const offer = await createOffer(api, net.partner.key);
      const v = await api.post('/v1/vouchers', {
        token: net.clinic.key,
        body: { patient_id: patient.id, offer_id: offer.id, notify: false },
      });
      return {
        method: 'POST',
        path: `/v1/vouchers/${v.body.id}/send`,
        token: net.clinic.key,
        body: { channel: 'sms', record_consent: true },
      };
    },
  },
  // VIP, birthdays and rewards (issue 12)
  'PUT /v1/loyalty/settings': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      return {
        method: 'PUT',
        path: '/v1/loyalty/settings',
        token: net.clinic.key,
        body: {
          referral: { reward: { kind: 'points', points: 200 }, cap_per_year: 3 },
          birthday: { reward: { kind: 'points', points: 100 }, days_before: 5 },
          vip: { segment_id: null, gifts_per_year: 4, perk_offer_ids: [] },
        },
      };
    },
  },
  'PUT /v1/patients/{id}/vip': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      return {
        method: 'PUT',
        path: `/v1/patients/${p.id}/vip`,
        token: net.clinic.key,
        body: { reason: 'x' },
      };
    },
  },
  'DELETE /v1/patients/{id}/vip': {
    idempotent: false,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      await api.put(`/v1/patients/${p.id}/vip`, { token: net.clinic.key, body: { reason: null } });
      return { method: 'DELETE', path: `/v1/patients/${p.id}/vip`, token: net.clinic.key };
    },
  },
  'POST /v1/rewards/{id}/use': {
    idempotent: true,
    make: async (api) => {
      const net = await createNetwork(api);
      const p = await createPatient(api, net.clinic.key);
      const id = newId('rwd', api.clock.now());
      await env.DB.prepare(
        `insert into loyalty_rewards (id, clinic_id, patient_id, source, source_id, reason_key, kind, title,
          discount_bps, currency, status, granted_at)
         values (?, ?, ?, 'code_word', 'cwd_x', ?, 'discount_bps', 'Spring', 1000, 'EUR', 'available', ?)`,
      )
        .bind(id, net.clinic.id, p.id, `fault:${id}`, api.clock.now())
        .run();
      return { method: 'POST', path: `/v1/rewards/${id}/use`, token: net.clinic.key };
    },
  },
};

/** Bookkeeping that may change whatever happens to the work itself. */
const BOOKKEEPING = new Set(['idempotency_keys', 'abuse_counters', 'page_sessions', 'd1_migrations']);

async function snapshot(): Promise<Record<string, string[]>> {
  const { results } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'",
  ).all<{ name: string }>();
  const out: Record<string, string[]> = {};
  for (const { name } of results) {
    if (BOOKKEEPING.has(name)) continue;
    const rows = (await env.DB.prepare(`select * from "${name}"`).all<Record<string, unknown>>()).results;
    out[name] = rows
      .map((r) => {
        if (name === 'api_keys') delete r.last_used_at;
        return JSON.stringify(r);
      })
      .sort();
  }
  return out;
}

const counts = (s: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(s).map(([t, r]) => [t, r.length]));
const delta = (a: Record<string, string[]>, b: Record<string, string[]>) =>
  Object.fromEntries(Object.keys(b).map((t) => [t, (b[t]?.length ?? 0) - (a[t]?.length ?? 0)]));

interface Fault {
  /** Replace statement `stmt` of the `batch`-th batch with one that fails. */
  failAt?: { batch: number; stmt: number };
  /** Throw right after the first batch that writes the work (it has committed). */
  crashAfterWork?: boolean;
  /** Throw right after the answer is stored under the Idempotency-Key. */
  crashAfterAnswer?: boolean;
}

/** The real D1 binding, with faults: records each batch's size, fails or crashes where told. */
function faultyD1(fault: Fault, sizes: number[]): D1Database {
  const real = env.DB;
  const sqlOf = new WeakMap<object, string>();
  const prepare = (query: string) => {
    const st = real.prepare(query);
    const bind = st.bind.bind(st);
    const run = st.run.bind(st);
    sqlOf.set(st, query);
    Object.assign(st, {
      bind: (...values: unknown[]) => {
        const bound = bind(...values);
        sqlOf.set(bound, query);
        const boundRun = bound.run.bind(bound);
        Object.assign(bound, {
          run: async () => {
            const res = await boundRun();
            if (
              fault.crashAfterAnswer &&
              /^update "idempotency_keys" set "state" = \?, "response_status"/i.test(query)
            )
              throw new Error('injected crash after the answer was stored');
            return res;
          },
        });
        return bound;
      },
      run,
    });
    return st;
  };
  const batch = async (statements: D1PreparedStatement[]) => {
    const k = sizes.length;
    sizes.push(statements.length);
    let list = statements;
    if (fault.failAt?.batch === k) {
      list = [...statements];
      list[fault.failAt.stmt] = real.prepare('select injected_fault()');
    }
    const res = await real.batch(list);
    // The batch that carries the commit marker is the one that wrote the work.
    const work = statements.some((s) =>
      /^update "idempotency_keys" set "state" = \? where/i.test(sqlOf.get(s) ?? ''),
    );
    if (fault.crashAfterWork && work) throw new Error('injected crash after the work committed');
    return res;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      if (prop === 'batch') return batch;
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

async function send(api: Client, req: Req, fault: Fault, sizes: number[], key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${req.token}` };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.image) headers['content-type'] = 'image/png';
  if (key) headers['idempotency-key'] = key;
  const body = req.image ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
  const res = await api.app.request(
    `https://gratia.test${req.path}`,
    { method: req.method, headers, body },
    { ...env, DB: faultyD1(fault, sizes) },
  );
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text,
    body: JSON.parse(text || 'null'),
  };
}

const mutating = routeInventory(createClient().app).filter((r) => r.method !== 'GET');

describe('fault injection', () => {
  it('has a scenario for every operation that changes something', () => {
    expect(mutating.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(SCENARIOS).sort());
    for (const r of mutating)
      expect(SCENARIOS[`${r.method} ${r.path}`]!.idempotent, `${r.method} ${r.path}`).toBe(r.idempotent);
  });

  for (const [name, sc] of Object.entries(SCENARIOS)) {
    it(`${name}: a failing statement in any batch leaves nothing written`, async () => {
      const api = createClient();
      // A clean run first: how many batches, of what sizes (with an Idempotency-Key, its claim too).
      const sizes: number[] = [];
      const clean = await send(
        api,
        await sc.make(api),
        {},
        sizes,
        sc.idempotent ? crypto.randomUUID() : undefined,
      );
      expect(clean.status, clean.text).toBeLessThan(300);
      const multi = sizes.flatMap((n, batch) =>
        n > 1 ? Array.from({ length: n }, (_, stmt) => ({ batch, stmt })) : [],
      );
      // (An operation of single statements only, like a reconciliation run that finds nothing, has nothing
      // to split.)
      for (const at of multi) {
        const req = await sc.make(api);
        const key = sc.idempotent ? crypto.randomUUID() : undefined;
        const before = await snapshot();
        const failed = await send(api, req, { failAt: at }, [], key);
        const label = `${name}, statement ${at.stmt} of batch ${at.batch}`;
        expect(failed.status, `${label}: ${failed.text}`).toBeGreaterThanOrEqual(500);
        expect(failed.type, label).toContain('application/problem+json');
        expect(await snapshot(), label).toEqual(before);
        // Nothing is left half-done or held: the same request (and key) then goes through.
        const retried = await send(api, req, {}, [], key);
        expect(retried.status, `${label}, retried: ${retried.text}`).toBe(clean.status);
      }
    }, 180_000);

    if (!sc.idempotent) continue;
    it(`${name}: a crash after the work commits, retried under the same key, takes effect once`, async () => {
      const api = createClient();
      // The effect of one clean request, as row counts per table.
      const reqA = await sc.make(api);
      const a0 = await snapshot();
      const clean = await send(api, reqA, {}, [], crypto.randomUUID());
      expect(clean.status, clean.text).toBeLessThan(300);
      const cleanEffect = delta(a0, await snapshot());
      const req = await sc.make(api);
      const key = crypto.randomUUID();
      const b0 = await snapshot();
      const crashed = await send(api, req, { crashAfterWork: true }, [], key);
      expect(crashed.status, crashed.text).toBe(500);
      const afterCrash = await snapshot();
      // Exactly one effect: the crashed request changed what one clean request changes.
      expect(delta(b0, afterCrash), name).toEqual(cleanEffect);
      const retry = await send(api, req, {}, [], key);
      expect(retry.status, retry.text).toBe(409);
      expect(retry.body.code).toBe('idempotency_key_committed');
      expect(retry.type).toContain('application/problem+json');
      expect(counts(await snapshot()), 'the retry wrote nothing').toEqual(counts(afterCrash));
    }, 60_000);

    it(`${name}: a crash after the answer is stored replays that answer, with one effect`, async () => {
      const api = createClient();
      const req = await sc.make(api);
      const key = crypto.randomUUID();
      const before = await snapshot();
      const crashed = await send(api, req, { crashAfterAnswer: true }, [], key);
      expect(crashed.status, crashed.text).toBe(500);
      const afterCrash = await snapshot();
      const retry = await send(api, req, {}, [], key);
      expect(retry.status, retry.text).toBeLessThan(300);
      const again = await api.app.request(
        `https://gratia.test${req.path}`,
        {
          method: req.method,
          headers: {
            authorization: `Bearer ${req.token}`,
            'idempotency-key': key,
            ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
        },
        env,
      );
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.text()).toBe(retry.text);
      expect(counts(await snapshot())).toEqual(counts(afterCrash));
      expect(afterCrash, 'the work was done').not.toEqual(before);
    }, 60_000);
  }
});
