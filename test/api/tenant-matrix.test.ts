import { env } from 'cloudflare:workers';
import { ERROR_TEXT, ERRORS, type ErrorCode, fixedClock, newId, randomToken, sha256Hex } from '@gratia/core';
import { keyLookup, principalFromKey } from '@gratia/db';
import { createPatientLink } from '@gratia/insight';
import { unsubscribeToken } from '@gratia/messaging';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import {
  createNetwork,
  createOffer,
  createPatient,
  createStaffMember,
  issueVoucher,
  type Network,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { seedInsight, seedMonth } from '../helpers/insight-seed';
import { type InventoryRoute, routeInventory } from '../helpers/inventory';
import { outboxMessage } from '../helpers/messages';
import type { SoftAuthenticator } from '../helpers/passkey';
import { PNG, putPhoto } from '../helpers/photos';
import { patientPlan, planItem, planTemplate } from '../helpers/plan';
import { referralScene } from '../helpers/referrals';
import { invite, ownerSignedIn, passkeySignIn, staffSession } from '../helpers/staff';
import { resign, tamperPayload } from '../helpers/tokens';

// Tenant isolation, as a matrix driven by the router. Every operation and page that takes an id, or a
// reference to another tenant's resource in its body or query (a patient, an offer, a voucher token, a
// card number, a redemption, an organisation, a month of settlement), is called about a resource of a
// fresh network (clinic A and partner P1 own things; clinic B and partner P2 do not) as each of: clinic
// A, clinic B, partner P1, partner P2, the operator and no one. Only the rightful callers get 2xx (a
// counter form: its success redirect); a non-owner of a role the route admits gets the route's own
// `*_not_found`, exactly what a resource that does not exist gets (each scenario's "ghost" proves it);
// a role the route does not admit gets 403; no one gets 401. Lists and statements answer a non-owner
// 2xx with nothing of the owner's in them. The rightful callers run last, so they also prove that the
// refused attempts before them changed nothing; exactly-once requests are then sent again by the
// refused callers under the rightful caller's own Idempotency-Key (or form submission key), which
// must never replay the owner's answer. A caller's own references (a visit's or a sale's `reference`)
// are checked the same way: another tenant reusing one gets its own, new record.
//
// The table is keyed by the router's own routes: the suite fails when a route (API or page) has no
// entry, when an entry names no route, and when a route takes an id, token, card number, search or
// month that no scenario exercises and no entry explains.

const ORIGIN = 'https://gratia.test';
const GHOST_ULID = '01JD0000000000000000000000';
const ghostId = (prefix: string) => `${prefix}_${GHOST_ULID}`;

// ---------------------------------------------------------------------------------------------------
// Callers and scenes

type Caller = 'clinic A' | 'clinic B' | 'partner P1' | 'partner P2' | 'operator' | 'no one';
/** Every caller of every scenario (cells run refused callers first, then the rightful ones). */
const CALLERS: readonly Caller[] = ['no one', 'operator', 'clinic B', 'partner P2', 'clinic A', 'partner P1'];
const ROLE = {
  'clinic A': 'clinic',
  'clinic B': 'clinic',
  'partner P1': 'partner',
  'partner P2': 'partner',
  operator: 'operator',
  'no one': null,
} as const;
const ORGANISATIONS: readonly Caller[] = ['clinic A', 'clinic B', 'partner P1', 'partner P2'];

interface Scene {
  api: Client;
  net: Network;
  /** Unique per scene: names and titles that must not show up anywhere else. */
  tag: string;
  sessions: Map<Caller, { cookie: string; csrf: string; authenticator: SoftAuthenticator }>;
}

async function newScene(at: number): Promise<Scene> {
  const api = createClient(fixedClock(at));
  const net = await createNetwork(api);
  const tag = Math.random().toString(36).slice(2, 9).replace(/\d/g, 'q');
  return { api, net, tag, sessions: new Map() };
}

function keyOf(s: Scene, caller: Caller): string | null {
  return {
    'clinic A': s.net.clinic.key,
    'clinic B': s.net.otherClinic.key,
    'partner P1': s.net.partner.key,
    'partner P2': s.net.otherPartner.key,
    operator: OPERATOR_TOKEN,
    'no one': null,
  }[caller];
}

const ORG_OF = {
  'clinic A': (s: Scene) => s.net.clinic.id,
  'clinic B': (s: Scene) => s.net.otherClinic.id,
  'partner P1': (s: Scene) => s.net.partner.id,
  'partner P2': (s: Scene) => s.net.otherPartner.id,
} as const;

/**
 * An organisation's page session in this scene (the console for clinics, the counter for partners):
 * its owner, invited by the operator and joined with a passkey; the cookie, its CSRF token and the
 * passkey.
 */
async function session(s: Scene, caller: Caller) {
  const known = s.sessions.get(caller);
  if (known) return known;
  const owner = await ownerSignedIn(s.api, ORG_OF[caller as keyof typeof ORG_OF](s), `Staff ${s.tag}`);
  const made = { cookie: owner.cookie, csrf: owner.csrf, authenticator: owner.authenticator };
  s.sessions.set(caller, made);
  return made;
}

// ---------------------------------------------------------------------------------------------------
// What clinic A and partner P1 own, built through the API as their owners

async function visitRuleOfA(s: Scene) {
  const name = `Every third ${s.tag}`;
  const res = await s.api.post('/v1/visit-rules', {
    token: s.net.clinic.key,
    body: { name, every_visits: 3, reward: { kind: 'points', points: 100 } },
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id as string, name };
}

async function visitOfA(s: Scene) {
  const patient = await patientOfA(s);
  return { patient, visit: await recordVisit(s.api, s.net.clinic.key, patient.id, 5_000) };
}

async function patientOfA(s: Scene) {
  return createPatient(s.api, s.net.clinic.key, {
    first_name: `Ottilie${s.tag}`,
    last_name: `Quast${s.tag}`,
  });
}

/** A message to clinic A's patient (issue 13), with its text and the unsubscribe token of its e-mail. */
async function messageOfA(s: Scene, status: 'queued' | 'sent' | 'dead' = 'queued') {
  const patient = await patientOfA(s);
  const body = `Dear Ottilie${s.tag}, your gift: https://gratia.test/r/${s.tag}`;
  const id = await outboxMessage(s.net.clinic.id, patient.id, { status, body });
  const token = await unsubscribeToken(testDeps(), id);
  return { patient, id, body, greeting: `Dear Ottilie${s.tag}`, token, clinicName: s.net.clinic.name };
}

/** Clinic A's own Spanish SMS wording of the card link, with a word no other clinic's answer may show. */
async function messageTemplateOfA(s: Scene) {
  const word = `Tarjeta${s.tag}`;
  const res = await s.api.request('PUT', '/v1/message_templates/card_link/sms/es', {
    token: s.net.clinic.key,
    body: { body: `${word}: {url}` },
  });
  expect(res.status, res.text).toBe(200);
  return { word };
}

async function offerOfP1(s: Scene, active = true) {
  return createOffer(s.api, s.net.partner.key, { title: `Hot stones ${s.tag}`, active });
}

/** Partner P1's offer with a photo (its `photo_url` set). */
async function offerWithPhotoOfP1(s: Scene, active = true) {
  const offer = await offerOfP1(s, active);
  const res = await putPhoto(s.api, s.net.partner.key, offer.id, PNG);
  expect(res.status, res.text).toBe(200);
  return { ...offer, photo_url: res.body.photo_url as string };
}

/** Clinic A's patient, partner P1's offer, and the voucher A issued for it. */
async function voucherOfA(s: Scene) {
  const patient = await patientOfA(s);
  const offer = await offerOfP1(s);
  const voucher = await issueVoucher(s.api, s.net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
  return { patient, offer, voucher };
}

/** A survey answer of clinic A's patient (through the API), with the suggestion it made. */
async function answerOfA(s: Scene) {
  const patient = await patientOfA(s);
  const improvement = `Valet ${s.tag}`;
  const res = await s.api.post(`/v1/patients/${patient.id}/survey_responses`, {
    token: s.net.clinic.key,
    body: { score: 4, improvement },
  });
  expect(res.status, res.text).toBe(201);
  return { patient, improvement, suggestionId: res.body.suggestion_id as string };
}

/** A survey link of a clinic's patient, made by the use case as the API makes it: its id and token. */
async function surveyLinkOf(s: Scene, clinicKey: string, patientId: string) {
  const deps = testDeps(s.api.clock);
  const [row] = await keyLookup(deps.db, { hash: await sha256Hex(clinicKey) });
  const out = await createPatientLink(deps, { clinic: principalFromKey(row!), patientId, purpose: 'survey' });
  if (!out.ok) throw new Error(out.error.code);
  return { id: out.value.link.id, token: out.value.url.split('/s/')[1]! };
}

/** A's patient with a code word of clinic A (with codes per patient, made for the patient, if asked). */
async function codeWordOfA(s: Scene, perPatientCodes = false) {
  const patient = await patientOfA(s);
  const word = `W${s.tag.toUpperCase()}${perPatientCodes ? 'C' : ''}`;
  const res = await s.api.post('/v1/code-words', {
    token: s.net.clinic.key,
    body: {
      word,
      reward: { kind: 'points', points: 25 },
      valid_until: new Date(s.api.clock.now() + 30 * 86_400_000).toISOString(),
      per_patient_limit: 100,
      per_patient_codes: perPatientCodes,
    },
  });
  expect(res.status, res.text).toBe(201);
  if (perPatientCodes) {
    const made = await s.api.post(`/v1/code-words/${res.body.id}/codes`, { token: s.net.clinic.key });
    expect(made.status, made.text).toBe(200);
  }
  return { id: res.body.id as string, word, patient };
}

/** Clinic A's segment (its VIPs), with the one patient in it. */
async function segmentOfA(s: Scene) {
  const patient = await createPatient(s.api, s.net.clinic.key, {
    first_name: `Sina${s.tag}`,
    last_name: `Vip${s.tag}`,
    preferences: { tags: ['vip'] },
  });
  const name = `Segment ${s.tag}`;
  const res = await s.api.post('/v1/segments', {
    token: s.net.clinic.key,
    body: { name, rules: [{ field: 'tag', op: 'has', value: 'vip' }] },
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id as string, name, patient };
}

/** A's voucher, redeemed at P1 (which makes A owe P1: a settlement line with a receipt). */
async function redeemedAtP1(s: Scene) {
  const v = await voucherOfA(s);
  const res = await s.api.post('/v1/redemptions', {
    token: s.net.partner.key,
    body: { token: v.voucher.token },
  });
  expect(res.status, res.text).toBe(201);
  return { ...v, redemption: res.body as { id: string } };
}

/**
 * A's voucher, and a genuinely signed token of the same audience (P1) for a voucher id that does not
 * exist: what a token route answers for a voucher that is not there.
 */
async function voucherWithGhostToken(s: Scene) {
  const v = await voucherOfA(s);
  return { ...v, ghostToken: await resign(v.voucher.token, { jti: ghostId('vch'), sub: ghostId('vch') }) };
}

/** A patient of clinic A with 10,000 points on their card. */
async function cardOfA(s: Scene) {
  await setLoyaltyProgram(s.api, s.net.clinic.key);
  const patient = await patientOfA(s);
  await recordVisit(s.api, s.net.clinic.key, patient.id, 100_000);
  return { ...patient, clinicId: s.net.clinic.id };
}

async function spendPoints(s: Scene, key: string, cardNumber: string, points = 100) {
  const res = await s.api.post('/v1/points/redemptions', {
    token: key,
    body: { card_number: cardNumber, points },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

/** The id of the only settlement line of a month, as clinic A reads it. */
async function onlyLineOf(s: Scene, period: string) {
  const res = await s.api.get(`/v1/settlements/${period}/lines`, { token: s.net.clinic.key });
  expect(res.status, res.text).toBe(200);
  expect(res.body.data).toHaveLength(1);
  return res.body.data[0].id as string;
}

/** A questionnaire link of a clinic's patient: its id and its page's path. */
async function questionnaireLink(s: Scene, key: string, patientId: string) {
  const res = await s.api.post(`/v1/patients/${patientId}/links`, {
    token: key,
    body: { purpose: 'questionnaire' },
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id as string, path: new URL(res.body.url as string).pathname };
}

/** A branch of clinic A (its name unique to the scene). */
async function branchOfA(s: Scene) {
  const res = await s.api.post('/v1/branches', {
    token: s.net.clinic.key,
    body: { name: `Branch ${s.tag}`, latitude: 52.52, longitude: 13.405 },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; name: string };
}

/** A member of an organisation's staff (not the owner the matrix signs in as) and an open invitation. */
async function staffOf(s: Scene, organizationId: string, kind: 'clinic' | 'partner') {
  const name = `Mia ${s.tag}`;
  const member = await staffSession(s.api, {
    organizationId,
    kind,
    role: kind === 'clinic' ? 'front_desk' : 'staff',
    name,
  });
  const invitee = `Ivo ${s.tag}`;
  const invitation = await invite(s.api, organizationId, { name: invitee });
  return { staffId: member.staffId, name, invitationId: invitation.id, invitee };
}
const staffOfA = (s: Scene) => staffOf(s, s.net.clinic.id, 'clinic');
const staffOfP1 = (s: Scene) => staffOf(s, s.net.partner.id, 'partner');

/**
 * A plan item of clinic A's patient on the agenda of a member of A's staff (a gift costing 123.47, due
 * in March 2030, overdue for the matrix's 2030 scenes), with the patient's plan and its template.
 */
async function planItemOfA(s: Scene) {
  const patient = await patientOfA(s);
  const staff = await staffOfA(s);
  const purpose = `Flowers ${s.tag}`;
  await patientPlan(s.net.clinic.id, patient.id, {
    templateId: await planTemplate(s.net.clinic.id, { segmentKey: `seg_${s.tag}` }),
    ownerStaffId: staff.staffId,
  });
  const itemId = await planItem({
    clinicId: s.net.clinic.id,
    patientId: patient.id,
    dueOn: '2030-03-05',
    ownerStaffId: staff.staffId,
    channel: 'gift',
    kind: 'personal_gift',
    costAmount: 12_347,
    purpose,
  });
  return { ...staff, patient, itemId, purpose };
}
/** Clinic A's plan item, and its owner's calendar feed: the feed's secret path. */
async function feedOfA(s: Scene) {
  const c = await planItemOfA(s);
  const res = await s.api.post('/v1/plan/calendar-feed', {
    token: s.net.clinic.key,
    body: { staff_id: c.staffId },
  });
  expect(res.status, res.text).toBe(201);
  return { ...c, path: new URL(res.body.url as string).pathname };
}

// The loyalty plan (issue 12)

/** Clinic A's segment with a template of its own (its name unique to the scene). */
async function planTemplateOfA(s: Scene) {
  const seg = await segmentOfA(s);
  const templateName = `Plan ${s.tag}`;
  const res = await s.api.put(`/v1/plan/templates/${seg.id}`, {
    token: s.net.clinic.key,
    body: {
      name: templateName,
      interactions_per_year: 1,
      mix: [{ kind: 'thank_you', channel: 'sms', count: 1 }],
    },
  });
  expect(res.status, res.text).toBe(200);
  return { ...seg, templateName };
}

/** Clinic A's patient with a generated plan, and one of its items. */
async function planOfA(s: Scene) {
  const p = await patientOfA(s);
  const res = await s.api.post(`/v1/patients/${p.id}/plan`, { token: s.net.clinic.key, body: {} });
  expect(res.status, res.text).toBe(200);
  return { ...p, itemId: res.body.items[0].id as string };
}

/** A member of clinic A's staff, and a patient of each clinic. */
async function ownPatientsAndStaffOfA(s: Scene) {
  return {
    staff: await staffOfA(s),
    a: await patientOfA(s),
    b: await createPatient(s.api, s.net.otherClinic.key),
  };
}

const planItemBody = () => ({
  kind: 'thank_you',
  channel: 'sms',
  due_on: new Date(T0 + 3 * 86_400_000).toISOString().slice(0, 10),
});

// ---------------------------------------------------------------------------------------------------
// Requests, outcomes and scenarios

interface Req {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  /** A JSON body (API). */
  body?: unknown;
  /** A raw image body (an offer's photo), instead of JSON. */
  image?: Uint8Array;
  /** A counter form's fields (the session's CSRF token and a fresh submission key are added). */
  form?: Record<string, string>;
}

type Outcome =
  /** The rightful answer: 2xx, or a counter form's success redirect; shows what the scenario says. */
  | { kind: 'ok' }
  /** An API refusal with this code (and the vocabulary's status). */
  | { kind: 'problem'; code: ErrorCode }
  /** 2xx with nothing of the owner's in it (a list, a statement, a page); may have to say something. */
  | { kind: 'hidden'; says?: string }
  /** A counter form's refusal: back to the counter with the code. */
  | { kind: 'redirect'; code: ErrorCode; to?: string }
  /** POST /v1/vouchers/verify answers 200 either way: `{ valid: false, code }`. */
  | { kind: 'verdict'; code: ErrorCode }
  /** The counter's sign-in page, for a request without a session. */
  | { kind: 'signIn'; status: 200 | 401 }
  | { kind: 'status'; status: number };

const ok: Outcome = { kind: 'ok' };
const problem = (code: ErrorCode): Outcome => ({ kind: 'problem', code });
const hidden: Outcome = { kind: 'hidden' };
/** A counter form's refusal: back to the counter (or the page `to`) with the code. */
/** A page form's refusal: back to `to` (default: the page the form belongs to) with the code. */
const redirect = (code: ErrorCode, to?: string): Outcome => ({ kind: 'redirect', code, to });

interface Scenario<C> {
  /** What the scenario refers to. */
  what: string;
  /** The route's reference fields (path parameters, query or body fields, form fields) it exercises. */
  covers: readonly string[];
  /** When the scene happens (a settlement scenario takes a month of its own). */
  at?: string;
  setup: (s: Scene) => Promise<C>;
  request: (c: C, caller: Caller) => Req;
  rightful: readonly Caller[];
  /** What an admitted caller that is not rightful gets; by default nothing else is expected. */
  refusal?: Outcome;
  /** Pages: what a request without a session of the page's kind gets (default: the sign-in page, 401). */
  anonymous?: Outcome;
  /** More to check of a rightful answer. */
  check?: (res: ApiResponse, c: C, caller: Caller) => void;
  /** What a rightful answer contains (proves the resource is really there). */
  shows?: (c: C) => string[];
  /** What no refused or hidden answer may contain (never something the request itself sent). */
  secrets?: (c: C) => string[];
  /** The same request about a resource that does not exist (or cannot be reached): refused alike. */
  ghost?: { what: string; caller: Caller; request: (c: C) => Req; expect?: Outcome };
  /** Cells whose answer differs from the rule, each with why (reported as findings). */
  exceptions?: Partial<Record<Caller, { expect: Outcome; finding: string }>>;
}

type Entry =
  | { scenarios: Scenario<any>[]; notTenant?: Record<string, string> }
  | { none: string; notTenant?: Record<string, string> };

const scenario = <C>(s: Scenario<C>): Scenario<any> => s;

// ---------------------------------------------------------------------------------------------------
// The matrix: one entry per route of the router, keyed `METHOD path` (API routes as in the OpenAPI
// document, pages as registered with Hono).

/**
 * The staff forms of a page (the console's, the counter's) about the owner's organisation's member or
 * invitation: another organisation's owner gets the 404 page, exactly what an id of no one gets.
 */
function staffForms(
  base: string,
  owner: 'clinic A' | 'partner P1',
  setup: (s: Scene) => Promise<{ staffId: string; name: string; invitationId: string; invitee: string }>,
): Record<string, Entry> {
  const notFound: Outcome = { kind: 'status', status: 404 };
  const role = owner === 'clinic A' ? 'manager' : 'owner';
  return {
    [`POST ${base}/:id/role`]: {
      scenarios: [
        scenario({
          what: `a member of ${owner}'s staff`,
          covers: ['id'],
          setup,
          request: (c) => ({ method: 'POST', path: `${base}/${c.staffId}/role`, form: { role } }),
          rightful: [owner],
          refusal: notFound,
          shows: (c) => [`${base}?changed=${c.staffId}`],
          secrets: (c) => [c.name],
          ghost: {
            what: 'a staff member that does not exist',
            caller: owner,
            request: () => ({ method: 'POST', path: `${base}/${ghostId('stf')}/role`, form: { role } }),
          },
        }),
      ],
    },
    [`POST ${base}/:id/remove`]: {
      scenarios: [
        scenario({
          what: `a member of ${owner}'s staff`,
          covers: ['id'],
          setup,
          request: (c) => ({ method: 'POST', path: `${base}/${c.staffId}/remove`, form: { confirm: 'yes' } }),
          rightful: [owner],
          refusal: notFound,
          shows: (c) => [`${base}?removed=${c.staffId}`],
          secrets: (c) => [c.name],
          ghost: {
            what: 'a staff member that does not exist',
            caller: owner,
            request: () => ({
              method: 'POST',
              path: `${base}/${ghostId('stf')}/remove`,
              form: { confirm: 'yes' },
            }),
          },
        }),
      ],
    },
    [`POST ${base}/invitations/:id/withdraw`]: {
      scenarios: [
        scenario({
          what: `an open invitation of ${owner}`,
          covers: ['id'],
          setup,
          request: (c) => ({
            method: 'POST',
            path: `${base}/invitations/${c.invitationId}/withdraw`,
            form: {},
          }),
          rightful: [owner],
          refusal: notFound,
          shows: () => [`${base}?withdrawn=1`],
          secrets: (c) => [c.invitee],
          ghost: {
            what: 'an invitation that does not exist',
            caller: owner,
            request: () => ({
              method: 'POST',
              path: `${base}/invitations/${ghostId('inv')}/withdraw`,
              form: {},
            }),
          },
        }),
      ],
    },
  };
}

const MATRIX: Record<string, Entry> = {
  // ---- Meta and network
  'GET /health': { none: 'public liveness probe, no input' },
  'GET /.well-known/jwks.json': { none: 'public keys, no input' },
  'GET /v1/me': { none: "answers the presented key's own organisation; takes nothing" },
  'POST /v1/organizations': { none: 'operator only; creates, refers to nothing existing' },
  'GET /v1/organizations': { none: 'operator only; the whole network, filtered by kind' },
  'GET /v1/organizations/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's organisation",
        covers: ['id'],
        setup: async (s) => ({ id: s.net.clinic.id }),
        request: (c) => ({ method: 'GET', path: `/v1/organizations/${c.id}` }),
        rightful: ['operator'],
        refusal: problem('organization_not_found'),
        shows: (c) => [c.id],
        ghost: {
          what: 'an organisation that does not exist',
          caller: 'operator',
          request: () => ({ method: 'GET', path: `/v1/organizations/${ghostId('org')}` }),
        },
      }),
    ],
  },
  'POST /v1/organizations/{id}/api_keys': {
    scenarios: [
      scenario({
        what: "clinic A's organisation",
        covers: ['id'],
        setup: async (s) => ({ id: s.net.clinic.id }),
        request: (c) => ({ method: 'POST', path: `/v1/organizations/${c.id}/api_keys`, body: { name: 'm' } }),
        rightful: ['operator'],
        refusal: problem('organization_not_found'),
        shows: (c) => [c.id],
        ghost: {
          what: 'an organisation that does not exist',
          caller: 'operator',
          request: () => ({ method: 'POST', path: `/v1/organizations/${ghostId('org')}/api_keys`, body: {} }),
        },
      }),
    ],
  },
  'POST /v1/organizations/{id}/invitations': {
    scenarios: [
      scenario({
        what: "clinic A's organisation",
        covers: ['id'],
        setup: async (s) => ({ id: s.net.clinic.id }),
        request: (c) => ({
          method: 'POST',
          path: `/v1/organizations/${c.id}/invitations`,
          body: { role: 'owner', name: 'Nadia Owner' },
        }),
        rightful: ['operator'],
        refusal: problem('organization_not_found'),
        shows: (c) => [c.id, '/join/'],
        ghost: {
          what: 'an organisation that does not exist',
          caller: 'operator',
          request: () => ({
            method: 'POST',
            path: `/v1/organizations/${ghostId('org')}/invitations`,
            body: { role: 'owner', name: 'Nadia Owner' },
          }),
        },
      }),
    ],
  },
  'GET /v1/organizations/{id}/api_keys': {
    scenarios: [
      scenario({
        what: "clinic A's keys",
        covers: ['id'],
        setup: async (s) => ({ id: s.net.clinic.id, keyId: s.net.clinic.keyId }),
        request: (c) => ({ method: 'GET', path: `/v1/organizations/${c.id}/api_keys` }),
        rightful: ['operator'],
        shows: (c) => [c.keyId],
        secrets: (c) => [c.keyId],
      }),
    ],
  },
  'DELETE /v1/api_keys/{id}': {
    scenarios: (['clinic A', 'partner P1'] as const).map((owner) =>
      scenario({
        what: `a spare key of ${owner}`,
        covers: ['id'],
        setup: async (s) => {
          const org = owner === 'clinic A' ? s.net.clinic : s.net.partner;
          const res = await s.api.post(`/v1/organizations/${org.id}/api_keys`, {
            token: OPERATOR_TOKEN,
            body: { name: `spare ${s.tag}` },
          });
          expect(res.status, res.text).toBe(201);
          return { keyId: res.body.id as string, name: `spare ${s.tag}` };
        },
        request: (c) => ({ method: 'DELETE', path: `/v1/api_keys/${c.keyId}` }),
        rightful: [owner, 'operator'],
        refusal: problem('api_key_not_found'),
        shows: (c) => [c.name],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a key that does not exist',
          caller: owner,
          request: () => ({ method: 'DELETE', path: `/v1/api_keys/${ghostId('key')}` }),
        },
      }),
    ),
  },

  // ---- Patients
  'POST /v1/patients': { none: "creates a patient of the caller's own clinic; refers to nothing existing" },
  // == Questionnaires, personal links and consent (issue 11): entries go here ==
  'GET /v1/questionnaire': { none: "the caller's own clinic's questionnaire; takes nothing" },
  'PUT /v1/questionnaire': { none: "saves the caller's own clinic's questionnaire; refers to nothing else" },
  'GET /v1/questionnaire/versions': { none: "the caller's own clinic's versions; takes nothing" },
  'POST /v1/patients/{id}/links': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/v1/patients/${p.id}/links`,
          body: { purpose: 'questionnaire' },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, '/q/lnk_'],
        secrets: (p) => [p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/patients/${ghostId('pat')}/links`,
            body: { purpose: 'questionnaire' },
          }),
        },
      }),
      scenario({
        what: "clinic A's paid visit, named for a survey link of each clinic's own patient",
        covers: ['visit_id'],
        setup: async (s) => {
          const card = await cardOfA(s);
          const visit = await recordVisit(s.api, s.net.clinic.key, card.id, 4_200);
          return { card, visit, theirs: await createPatient(s.api, s.net.otherClinic.key) };
        },
        request: (c, caller) => ({
          method: 'POST',
          path: `/v1/patients/${caller === 'clinic B' ? c.theirs.id : c.card.id}/links`,
          body: { purpose: 'survey', visit_id: c.visit.id },
        }),
        rightful: ['clinic A'],
        // Not a visit of clinic B's patient: refused as a field of the request, like a visit of no one.
        refusal: problem('validation_failed'),
        shows: (c) => [c.visit.id, '/s/lnk_'],
        secrets: (c) => [c.card.first_name],
        ghost: {
          what: 'a visit that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: `/v1/patients/${c.card.id}/links`,
            body: { purpose: 'survey', visit_id: ghostId('vis') },
          }),
          expect: problem('validation_failed'),
        },
      }),
    ],
  },
  'POST /v1/patients/{id}/questionnaire_responses': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/v1/patients/${p.id}/questionnaire_responses`,
          body: { version: 0, answers: { contact_time: 'morning' } },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, '"morning"'],
        secrets: (p) => [p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/patients/${ghostId('pat')}/questionnaire_responses`,
            body: { version: 0, answers: {} },
          }),
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/questionnaire_responses': {
    scenarios: [
      scenario({
        what: "clinic A's patient, who answered the questionnaire",
        covers: ['id'],
        setup: async (s) => {
          const p = await patientOfA(s);
          const res = await s.api.post(`/v1/patients/${p.id}/questionnaire_responses`, {
            token: s.net.clinic.key,
            body: { version: 0, answers: { brands: `Scent ${s.tag}` } },
          });
          expect(res.status, res.text).toBe(201);
          return { ...p, brand: `Scent ${s.tag}` };
        },
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/questionnaire_responses` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.brand],
        secrets: (p) => [p.brand],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/questionnaire_responses` }),
        },
      }),
    ],
  },
  'GET /q/:token': {
    scenarios: [
      scenario({
        what: "clinic A's patient's questionnaire link (the token is the credential: whoever holds it may answer)",
        covers: ['token'],
        setup: async (s) => {
          const p = await patientOfA(s);
          const mine = await questionnaireLink(s, s.net.clinic.key, p.id);
          const b = await createPatient(s.api, s.net.otherClinic.key);
          const theirs = await questionnaireLink(s, s.net.otherClinic.key, b.id);
          return { ...p, path: mine.path, theirs };
        },
        request: (c) => ({ method: 'GET', path: c.path }),
        rightful: CALLERS,
        shows: (c) => [`Help us get to know you, ${c.first_name}`],
        secrets: (c) => [c.first_name],
        ghost: {
          what: "the link with its id changed to clinic B's link (same signature)",
          caller: 'no one',
          request: (c) => ({ method: 'GET', path: `/q/${c.theirs.id}.${c.path.split('.')[1]}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /q/:token': {
    none: 'the patient answers on their link (a form, not JSON); the page tests post it',
    notTenant: {
      token:
        'the credential itself, good for one patient until it expires: a forged, altered or other link is 404 (questionnaire-pages.test.ts)',
    },
  },
  'POST /q/:token/consent': {
    none: 'the patient withdraws consent on their link (a form); the page tests post it',
    notTenant: {
      token: 'the credential itself: a forged, altered or expired link is 404 (questionnaire-pages.test.ts)',
    },
  },
  'GET /console/questionnaire': { none: "the signed-in clinic's own questionnaire editor; takes nothing" },
  'POST /console/questionnaire': {
    none: "saves the signed-in clinic's own questionnaire; refers to nothing else",
  },
  'GET /console/patients/:id/questionnaire': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/console/patients/${p.id}/questionnaire` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (p) => [`Questionnaire: ${p.first_name}`],
        secrets: (p) => [p.first_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/patients/${ghostId('pat')}/questionnaire` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
      scenario({
        what: "clinic A's patient's link, asked for on each clinic's own patient's form",
        covers: ['link'],
        setup: async (s) => {
          const p = await patientOfA(s);
          const link = await questionnaireLink(s, s.net.clinic.key, p.id);
          return { p, link, theirs: await createPatient(s.api, s.net.otherClinic.key) };
        },
        request: (c, caller) => ({
          method: 'GET',
          path: `/console/patients/${caller === 'clinic B' ? c.theirs.id : c.p.id}/questionnaire`,
          query: { link: c.link.id },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.link.path],
        secrets: (c) => [c.link.path],
      }),
    ],
  },
  'POST /console/patients/:id/questionnaire': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/console/patients/${p.id}/questionnaire`,
          form: { 'a.contact_time': 'evening' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}?answered=1`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/questionnaire`,
            form: { 'a.contact_time': 'evening' },
          }),
        },
      }),
    ],
  },
  'POST /console/patients/:id/links': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'POST', path: `/console/patients/${p.id}/links`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}/questionnaire?link=lnk_`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/console/patients/${ghostId('pat')}/links`, form: {} }),
        },
      }),
    ],
  },
  'POST /console/patients/:id/consent': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/console/patients/${p.id}/consent`,
          form: { consent_sms: 'yes' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}?consented=1`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/consent`,
            form: { consent_sms: 'yes' },
          }),
        },
      }),
    ],
  },
  'GET /v1/patients': {
    scenarios: [
      scenario({
        what: "a search for clinic A's patient by card number",
        covers: ['q'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: '/v1/patients', query: { q: p.card_number } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (p) => [p.id, p.last_name],
        secrets: (p) => [p.id, p.last_name],
      }),
    ],
  },
  'GET /v1/patients/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.last_name, p.card_number],
        secrets: (p) => [p.last_name, p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}` }),
        },
      }),
    ],
  },
  'PATCH /v1/patients/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'PATCH',
          path: `/v1/patients/${p.id}`,
          body: { preferences: { tags: ['m'] } },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.last_name],
        secrets: (p) => [p.last_name, p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/patients/${ghostId('pat')}`,
            body: { preferences: {} },
          }),
        },
      }),
    ],
  },

  // ---- Catalogue
  'POST /v1/offers': { none: "publishes an offer of the caller's own; refers to nothing existing" },
  'GET /v1/offers': {
    scenarios: [
      scenario({
        what: "partner P1's inactive offer, by partner_id and text",
        covers: ['partner_id', 'q'],
        setup: (s) => offerOfP1(s, false),
        request: (o) => ({
          method: 'GET',
          path: '/v1/offers',
          query: { partner_id: o.partner_id, q: o.title },
        }),
        // The catalogue is the whole network's; clinics see active offers only (docs/api.md).
        rightful: ['partner P1', 'partner P2', 'operator'],
        refusal: hidden,
        shows: (o) => [o.id],
        secrets: (o) => [o.id],
      }),
    ],
  },
  'GET /v1/offers/{id}': {
    scenarios: [
      scenario({
        what: "partner P1's active offer (the catalogue is the whole network's)",
        covers: ['id'],
        setup: (s) => offerOfP1(s),
        request: (o) => ({ method: 'GET', path: `/v1/offers/${o.id}` }),
        rightful: ['clinic A', 'clinic B', 'partner P1', 'partner P2', 'operator'],
        shows: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'clinic B',
          request: () => ({ method: 'GET', path: `/v1/offers/${ghostId('off')}` }),
          expect: problem('offer_not_found'),
        },
      }),
      scenario({
        what: "partner P1's inactive offer (clinics see active offers only)",
        covers: ['id'],
        setup: (s) => offerOfP1(s, false),
        request: (o) => ({ method: 'GET', path: `/v1/offers/${o.id}` }),
        rightful: ['partner P1', 'partner P2', 'operator'],
        refusal: problem('offer_not_found'),
        shows: (o) => [o.title],
        secrets: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/offers/${ghostId('off')}` }),
        },
      }),
    ],
  },
  // == Surveys, NPS and suggestions (issue 11): entries go here ==
  'POST /v1/patients/{id}/survey_responses': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/v1/patients/${p.id}/survey_responses`,
          body: { score: 9, improvement: `Parking ${p.last_name}` },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, `Parking ${p.last_name}`],
        secrets: (p) => [p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/patients/${ghostId('pat')}/survey_responses`,
            body: { score: 9 },
          }),
        },
      }),
    ],
  },
  'GET /v1/survey_responses': {
    scenarios: [
      scenario({
        what: "clinic A's patient's answer",
        covers: [],
        setup: async (s) => answerOfA(s),
        request: () => ({ method: 'GET', path: '/v1/survey_responses' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.improvement],
        secrets: (c) => [c.improvement, c.patient.last_name],
      }),
    ],
    notTenant: { cursor: "a position in the caller's own list; names no one's record" },
  },
  'GET /v1/nps': {
    scenarios: [
      scenario({
        what: 'a month in which a patient of clinic A answered a survey',
        covers: [],
        at: '2030-07-12T10:00:00Z',
        setup: async (s) => answerOfA(s),
        request: () => ({ method: 'GET', path: '/v1/nps', query: { from: '2030-07', to: '2030-07' } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['"responses":1'],
        secrets: () => ['"responses":1'],
      }),
    ],
  },
  'GET /v1/suggestions': {
    scenarios: [
      scenario({
        what: "clinic A's patient's suggestion",
        covers: [],
        setup: async (s) => answerOfA(s),
        request: () => ({ method: 'GET', path: '/v1/suggestions' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.improvement],
        secrets: (c) => [c.improvement, c.patient.last_name],
      }),
    ],
    notTenant: { cursor: "a position in the caller's own list; names no one's record" },
  },
  'PATCH /v1/suggestions/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's patient's suggestion",
        covers: ['id'],
        setup: async (s) => answerOfA(s),
        request: (c) => ({
          method: 'PATCH',
          path: `/v1/suggestions/${c.suggestionId}`,
          body: { status: 'planned' },
        }),
        rightful: ['clinic A'],
        refusal: problem('suggestion_not_found'),
        shows: (c) => [c.improvement, '"status":"planned"'],
        secrets: (c) => [c.improvement, c.patient.last_name],
        ghost: {
          what: 'a suggestion that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/suggestions/${ghostId('sug')}`,
            body: { status: 'planned' },
          }),
        },
      }),
    ],
  },
  'GET /s/:token': {
    scenarios: [
      scenario({
        what: "clinic A's patient's survey link (the token is the credential: whoever holds it may answer)",
        covers: ['token'],
        setup: async (s) => {
          const patient = await patientOfA(s);
          const theirs = await createPatient(s.api, s.net.otherClinic.key, { first_name: `Berta${s.tag}` });
          return {
            patient,
            link: await surveyLinkOf(s, s.net.clinic.key, patient.id),
            theirs: await surveyLinkOf(s, s.net.otherClinic.key, theirs.id),
          };
        },
        request: (c) => ({ method: 'GET', path: `/s/${c.link.token}` }),
        rightful: CALLERS,
        shows: (c) => [`How did we do, ${c.patient.first_name}?`],
        secrets: (c) => [c.patient.first_name],
        ghost: {
          what: "the link with its id changed to clinic B's link (A's signature kept)",
          caller: 'no one',
          request: (c) => ({
            method: 'GET',
            path: `/s/${c.theirs.token.split('.')[0]}.${c.link.token.split('.')[1]}`,
          }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /s/:token': {
    none: "the patient's one answer on their link (surveys.test.ts: one per link, forged, expired and other-purpose links refused)",
    notTenant: { token: "the link's token is the credential itself (as GET /s/:token), not a reference" },
  },
  'GET /console/feedback': { none: "the signed-in clinic's own NPS, answers and suggestions; takes nothing" },
  'POST /console/feedback/suggestions/:id': {
    scenarios: [
      scenario({
        what: "clinic A's patient's suggestion",
        covers: ['id'],
        setup: async (s) => answerOfA(s),
        request: (c) => ({
          method: 'POST',
          path: `/console/feedback/suggestions/${c.suggestionId}`,
          form: { status: 'planned' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('suggestion_not_found'),
        shows: () => ['/console/feedback?moved=1'],
        ghost: {
          what: 'a suggestion that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/feedback/suggestions/${ghostId('sug')}`,
            form: { status: 'planned' },
          }),
        },
      }),
    ],
  },
  'POST /console/patients/:id/survey-link': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'POST', path: `/console/patients/${p.id}/survey-link`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}/survey-links/lnk_`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/survey-link`,
            form: {},
          }),
        },
      }),
      scenario({
        what: "a visit to clinic A's patient, asked about on each clinic's own patient",
        covers: ['visit_id'],
        setup: async (s) => {
          const card = await cardOfA(s);
          const visit = await recordVisit(s.api, s.net.clinic.key, card.id, 4_200);
          return { card, visit, theirs: await createPatient(s.api, s.net.otherClinic.key) };
        },
        request: (c, caller) => ({
          method: 'POST',
          path: `/console/patients/${caller === 'clinic B' ? c.theirs.id : c.card.id}/survey-link`,
          form: { visit_id: c.visit.id },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (c) => [`/console/patients/${c.card.id}/survey-links/lnk_`],
      }),
    ],
  },
  'GET /console/patients/:id/survey-links/:link': {
    scenarios: [
      scenario({
        what: "clinic A's patient's survey link",
        covers: ['id'],
        setup: async (s) => {
          const patient = await patientOfA(s);
          return { patient, link: await surveyLinkOf(s, s.net.clinic.key, patient.id) };
        },
        request: (c) => ({
          method: 'GET',
          path: `/console/patients/${c.patient.id}/survey-links/${c.link.id}`,
        }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [`A survey for ${c.patient.first_name}`, c.link.token],
        secrets: (c) => [c.patient.first_name, c.link.token],
        ghost: {
          what: 'a link that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'GET',
            path: `/console/patients/${c.patient.id}/survey-links/${ghostId('lnk')}`,
          }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'PATCH /v1/offers/{id}': {
    scenarios: [
      scenario({
        what: "partner P1's offer",
        covers: ['id'],
        setup: (s) => offerOfP1(s),
        request: (o) => ({ method: 'PATCH', path: `/v1/offers/${o.id}`, body: { terms: 'Book ahead.' } }),
        rightful: ['partner P1'],
        refusal: problem('offer_not_found'),
        shows: (o) => [o.title],
        secrets: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'PATCH', path: `/v1/offers/${ghostId('off')}`, body: { terms: 'x' } }),
        },
      }),
    ],
  },
  'PUT /v1/offers/{id}/photo': {
    scenarios: [
      scenario({
        what: "partner P1's offer",
        covers: ['id'],
        setup: (s) => offerOfP1(s),
        request: (o) => ({ method: 'PUT', path: `/v1/offers/${o.id}/photo`, image: PNG }),
        rightful: ['partner P1'],
        refusal: problem('offer_not_found'),
        shows: (o) => [o.title, `/offer-photos/${o.id}/`],
        secrets: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'PUT', path: `/v1/offers/${ghostId('off')}/photo`, image: PNG }),
        },
      }),
    ],
  },
  'DELETE /v1/offers/{id}/photo': {
    scenarios: [
      scenario({
        what: "partner P1's offer with a photo",
        covers: ['id'],
        setup: (s) => offerWithPhotoOfP1(s),
        request: (o) => ({ method: 'DELETE', path: `/v1/offers/${o.id}/photo` }),
        rightful: ['partner P1'],
        refusal: problem('offer_not_found'),
        shows: (o) => [o.title, '"photo_url":null'],
        secrets: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'DELETE', path: `/v1/offers/${ghostId('off')}/photo` }),
        },
      }),
    ],
  },
  'GET /v1/offers/{id}/photo': {
    scenarios: [
      scenario({
        what: "partner P1's active offer's photo (the catalogue is the whole network's)",
        covers: ['id'],
        setup: (s) => offerWithPhotoOfP1(s),
        request: (o) => ({ method: 'GET', path: `/v1/offers/${o.id}/photo` }),
        rightful: ['clinic A', 'clinic B', 'partner P1', 'partner P2', 'operator'],
        check: (res) => expect(res.headers.get('content-type')).toBe('image/png'),
        ghost: {
          what: 'an offer that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/offers/${ghostId('off')}/photo` }),
          expect: problem('offer_not_found'),
        },
      }),
      scenario({
        what: "partner P1's inactive offer's photo (clinics see active offers only)",
        covers: ['id'],
        setup: (s) => offerWithPhotoOfP1(s, false),
        request: (o) => ({ method: 'GET', path: `/v1/offers/${o.id}/photo` }),
        rightful: ['partner P1', 'partner P2', 'operator'],
        refusal: problem('offer_not_found'),
        check: (res) => expect(res.headers.get('content-type')).toBe('image/png'),
      }),
    ],
  },
  'GET /offer-photos/{id}/{digest}': {
    notTenant: { digest: "the photo's SHA-256: with the offer id, the address is the permission" },
    scenarios: [
      scenario({
        what: "partner P1's offer's photo at its address (whoever holds the address may look)",
        covers: ['id'],
        setup: async (s) => ({
          ...(await offerWithPhotoOfP1(s)),
          other: await createOffer(s.api, s.net.otherPartner.key),
        }),
        request: (o) => ({ method: 'GET', path: new URL(o.photo_url).pathname }),
        rightful: CALLERS,
        check: (res) => expect(res.headers.get('content-type')).toBe('image/png'),
        ghost: {
          what: "the same photo's digest under partner P2's offer",
          caller: 'no one',
          request: (o) => ({
            method: 'GET',
            path: `/offer-photos/${o.other.id}/${o.photo_url.split('/').pop()}`,
          }),
          expect: problem('photo_not_found'),
        },
      }),
    ],
  },

  // ---- Vouchers
  'POST /v1/vouchers': {
    notTenant: {
      partner_id:
        'the partner directory is public: a clinic may issue stored value at any partner of the network (a missing one is partner_not_found)',
    },
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['patient_id'],
        setup: async (s) => ({ patient: await patientOfA(s), offer: await offerOfP1(s) }),
        request: (c) => ({
          method: 'POST',
          path: '/v1/vouchers',
          body: { patient_id: c.patient.id, offer_id: c.offer.id },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (c) => [c.patient.id],
        secrets: (c) => [c.patient.first_name, c.patient.last_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: '/v1/vouchers',
            body: { patient_id: ghostId('pat'), offer_id: c.offer.id },
          }),
        },
      }),
      scenario({
        what: "partner P1's active offer, for each clinic's own patient (the catalogue is the whole network's)",
        covers: ['offer_id'],
        setup: async (s) => ({
          offer: await offerOfP1(s),
          mine: (await patientOfA(s)).id,
          theirs: (await createPatient(s.api, s.net.otherClinic.key)).id,
        }),
        request: (c, caller) => ({
          method: 'POST',
          path: '/v1/vouchers',
          body: { patient_id: caller === 'clinic B' ? c.theirs : c.mine, offer_id: c.offer.id },
        }),
        rightful: ['clinic A', 'clinic B'],
        shows: (c) => [c.offer.id],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'clinic B',
          request: (c) => ({
            method: 'POST',
            path: '/v1/vouchers',
            body: { patient_id: c.theirs, offer_id: ghostId('off') },
          }),
          expect: problem('offer_not_found'),
        },
      }),
      scenario({
        what: "partner P1's inactive offer, for each clinic's own patient",
        covers: ['offer_id'],
        setup: async (s) => ({
          offer: await offerOfP1(s, false),
          mine: (await patientOfA(s)).id,
          theirs: (await createPatient(s.api, s.net.otherClinic.key)).id,
        }),
        request: (c, caller) => ({
          method: 'POST',
          path: '/v1/vouchers',
          body: { patient_id: caller === 'clinic B' ? c.theirs : c.mine, offer_id: c.offer.id },
        }),
        rightful: [],
        refusal: problem('offer_not_found'),
        secrets: (c) => [c.offer.title],
        exceptions: Object.fromEntries(
          (['clinic A', 'clinic B'] as const).map((clinic) => [
            clinic,
            {
              expect: problem('offer_inactive'),
              finding:
                'a clinic, which reads an inactive offer as 404 offer_not_found, learns from 422 offer_inactive that it exists',
            },
          ]),
        ),
        ghost: {
          what: 'an offer that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: '/v1/vouchers',
            body: { patient_id: c.mine, offer_id: ghostId('off') },
          }),
        },
      }),
    ],
  },
  // == Patient insight: A/B/C, quadrants, engagement, win-back (issue 11): entries go here ==
  'GET /v1/insight/settings': { none: "the caller's own insight settings; takes nothing" },
  'PUT /v1/insight/settings': { none: "sets the caller's own insight settings; refers to nothing else" },
  'POST /v1/insight/refresh': { none: "re-derives the caller's own clinic; takes nothing" },
  'GET /v1/patients/{id}/insight': {
    scenarios: [
      scenario({
        what: "clinic A's patient's insight",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/insight` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, 'quadrant'],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/insight` }),
        },
      }),
    ],
  },
  'GET /console/insight/settings': {
    scenarios: [
      scenario({
        what: "clinic A's insight thresholds",
        covers: [],
        setup: async (s) => {
          const res = await s.api.put('/v1/insight/settings', {
            token: s.net.clinic.key,
            body: { abc_a_bps: 1234, abc_b_bps: 4321 },
          });
          expect(res.status, res.text).toBe(200);
        },
        request: () => ({ method: 'GET', path: '/console/insight/settings' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['12.34%', '43.21%'],
        secrets: () => ['12.34%', '43.21%'],
      }),
    ],
  },
  'POST /console/insight/settings': {
    none: "sets the caller's own insight settings; refers to nothing else",
  },
  'POST /v1/vouchers/verify': {
    scenarios: [
      scenario({
        what: "clinic A's voucher for partner P1's offer",
        covers: ['token'],
        setup: voucherWithGhostToken,
        request: (c) => ({ method: 'POST', path: '/v1/vouchers/verify', body: { token: c.voucher.token } }),
        rightful: ['partner P1'],
        // The token is the reference, and names its audience in its own (readable) claims: another
        // partner is told the voucher is not for it, whatever the voucher's state, exactly as for a
        // voucher that does not exist (the ghost). Nothing of the voucher's row is revealed.
        refusal: { kind: 'verdict', code: 'voucher_not_for_this_partner' },
        shows: (c) => [c.patient.first_name, c.offer.title],
        secrets: (c) => [c.patient.first_name, c.offer.title],
        ghost: {
          what: 'a genuinely signed token for P1 of a voucher that does not exist',
          caller: 'partner P2',
          request: (c) => ({ method: 'POST', path: '/v1/vouchers/verify', body: { token: c.ghostToken } }),
        },
      }),
    ],
  },
  'GET /v1/vouchers': {
    scenarios: [
      scenario({
        what: "clinic A's patient's vouchers",
        covers: ['patient_id'],
        setup: voucherOfA,
        request: (c) => ({ method: 'GET', path: '/v1/vouchers', query: { patient_id: c.patient.id } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.voucher.id],
        secrets: (c) => [c.voucher.id, c.offer.title],
      }),
    ],
  },
  'GET /v1/vouchers/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's voucher",
        covers: ['id'],
        setup: voucherOfA,
        request: (c) => ({ method: 'GET', path: `/v1/vouchers/${c.voucher.id}` }),
        rightful: ['clinic A'],
        refusal: problem('voucher_not_found'),
        shows: (c) => [c.voucher.token],
        secrets: (c) => [c.voucher.token, c.offer.title, c.patient.id],
        ghost: {
          what: 'a voucher that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/vouchers/${ghostId('vch')}` }),
        },
      }),
    ],
  },
  'POST /v1/vouchers/{id}/void': {
    scenarios: [
      scenario({
        what: "clinic A's voucher",
        covers: ['id'],
        setup: voucherOfA,
        request: (c) => ({
          method: 'POST',
          path: `/v1/vouchers/${c.voucher.id}/void`,
          body: { reason: 'm' },
        }),
        rightful: ['clinic A'],
        refusal: problem('voucher_not_found'),
        shows: () => ['"voided"'],
        secrets: (c) => [c.voucher.token, c.offer.title, c.patient.id],
        ghost: {
          what: 'a voucher that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/vouchers/${ghostId('vch')}/void`,
            body: { reason: 'm' },
          }),
        },
      }),
    ],
  },
  // == Insight charts and the win-back list (issue 11): entries go here ==
  'GET /v1/insight/summary': {
    scenarios: [
      scenario({
        what: "clinic A's patient counted as a mercenary",
        covers: [],
        setup: async (s) => seedInsight(s.net.clinic.id, (await patientOfA(s)).id, { quadrant: 'mercenary' }),
        request: () => ({ method: 'GET', path: '/v1/insight/summary' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['"mercenary":1'],
        secrets: () => ['"mercenary":1'],
      }),
    ],
  },
  'GET /v1/insight/months': {
    scenarios: [
      scenario({
        what: "clinic A's snapshot of a month with 7357 hostages",
        covers: [],
        setup: (s) => seedMonth(s.net.clinic.id, '2026-11', [['quadrant', 'hostage', 7357]]),
        request: () => ({
          method: 'GET',
          path: '/v1/insight/months',
          query: { from: '2026-11', to: '2026-11' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['"hostage":7357'],
        secrets: () => ['"hostage":7357'],
      }),
    ],
  },
  'GET /v1/win_back': {
    scenarios: [
      scenario({
        what: "clinic A's patient on its win-back list",
        covers: [],
        setup: async (s) => {
          const p = await patientOfA(s);
          await seedInsight(s.net.clinic.id, p.id, { win_back: true, overdue_days: 9 });
          return p;
        },
        request: () => ({ method: 'GET', path: '/v1/win_back' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (p) => [p.id, p.first_name],
        secrets: (p) => [p.id, p.first_name],
      }),
    ],
    notTenant: { cursor: "a position in the caller's own list; names no one's record" },
  },
  'GET /console/insight': {
    scenarios: [
      scenario({
        what: "clinic A's snapshot of a month with 7357 hostages",
        covers: [],
        setup: (s) => seedMonth(s.net.clinic.id, '2026-11', [['quadrant', 'hostage', 7357]]),
        request: () => ({
          method: 'GET',
          path: '/console/insight',
          query: { from: '2026-11', to: '2026-11' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['7,357'],
        secrets: () => ['7,357'],
      }),
    ],
  },
  'GET /console/win-back': {
    scenarios: [
      scenario({
        what: "clinic A's patient on its win-back list",
        covers: [],
        setup: async (s) => {
          const p = await patientOfA(s);
          await seedInsight(s.net.clinic.id, p.id, { win_back: true, overdue_days: 9 });
          return p;
        },
        request: () => ({ method: 'GET', path: '/console/win-back' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (p) => [p.id, p.first_name],
        secrets: (p) => [p.id, p.first_name],
      }),
    ],
  },
  'POST /v1/redemptions': {
    scenarios: [
      scenario({
        what: "clinic A's voucher for partner P1's offer",
        covers: ['token'],
        setup: voucherWithGhostToken,
        request: (c) => ({ method: 'POST', path: '/v1/redemptions', body: { token: c.voucher.token } }),
        rightful: ['partner P1'],
        // 403, not 404: decided from the token's own audience claim, before and whatever the row
        // says; a voucher that does not exist is answered the same (the ghost), so nothing leaks.
        refusal: problem('voucher_not_for_this_partner'),
        shows: (c) => [c.voucher.id],
        secrets: (c) => [c.patient.first_name, c.offer.title],
        ghost: {
          what: 'a genuinely signed token for P1 of a voucher that does not exist',
          caller: 'partner P2',
          request: (c) => ({ method: 'POST', path: '/v1/redemptions', body: { token: c.ghostToken } }),
        },
      }),
    ],
  },
  'GET /v1/redemptions': {
    scenarios: [
      scenario({
        what: "clinic A's voucher redeemed at partner P1",
        covers: [],
        setup: redeemedAtP1,
        request: () => ({ method: 'GET', path: '/v1/redemptions' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.redemption.id, c.offer.title, c.patient.last_name],
        secrets: (c) => [c.redemption.id, c.offer.title, c.patient.last_name],
      }),
    ],
  },
  'POST /v1/redemptions/{id}/reversal': {
    scenarios: [
      scenario({
        what: "partner P1's redemption of clinic A's voucher",
        covers: ['id'],
        setup: redeemedAtP1,
        request: (c) => ({ method: 'POST', path: `/v1/redemptions/${c.redemption.id}/reversal` }),
        rightful: ['partner P1'],
        refusal: problem('redemption_not_found'),
        shows: (c) => [c.voucher.id],
        secrets: (c) => [c.voucher.id],
        ghost: {
          what: 'a redemption that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'POST', path: `/v1/redemptions/${ghostId('red')}/reversal` }),
        },
      }),
    ],
  },

  // ---- Bonus points
  'GET /v1/loyalty_program': { none: "the caller's own programme; takes nothing" },
  'PUT /v1/loyalty_program': { none: "sets the caller's own programme; refers to nothing else" },
  'GET /v1/loyalty_program/versions': { none: "the caller's own programme versions; takes nothing" },
  'GET /v1/points/expiring': { none: "the caller's own call list; takes only a window and paging" },
  'POST /v1/patients/{id}/call_outcomes': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/v1/patients/${p.id}/call_outcomes`,
          body: { outcome: 'no_answer' },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, '"no_answer"'],
        secrets: (p) => [p.last_name, p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/patients/${ghostId('pat')}/call_outcomes`,
            body: { outcome: 'no_answer' },
          }),
        },
      }),
    ],
  },
  // == Saved segments and personas (issue 11): entries go here ==
  'GET /v1/segments': {
    scenarios: [
      scenario({
        what: "clinic A's segment, in the list with its count",
        covers: [],
        setup: segmentOfA,
        request: () => ({ method: 'GET', path: '/v1/segments' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.id, c.name],
        secrets: (c) => [c.id, c.name],
      }),
    ],
  },
  'POST /v1/segments': { none: "saves a segment of the caller's own clinic; its rules name no record" },
  'POST /v1/segments/preview': { none: "counts the caller's own patients; the rules name no record" },
  'GET /v1/segments/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/v1/segments/${c.id}` }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.name],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/segments/${ghostId('seg')}` }),
        },
      }),
    ],
  },
  'PATCH /v1/segments/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'PATCH', path: `/v1/segments/${c.id}`, body: { description: 'm' } }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.name],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/segments/${ghostId('seg')}`,
            body: { description: 'm' },
          }),
        },
      }),
    ],
  },
  'DELETE /v1/segments/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'DELETE', path: `/v1/segments/${c.id}` }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.id],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'DELETE', path: `/v1/segments/${ghostId('seg')}` }),
        },
      }),
    ],
  },
  'GET /v1/segments/{id}/members': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/v1/segments/${c.id}/members` }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.patient.id],
        secrets: (c) => [c.patient.id, c.patient.last_name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/segments/${ghostId('seg')}/members` }),
        },
      }),
    ],
  },
  'GET /v1/segments/{id}/members.csv': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/v1/segments/${c.id}/members.csv` }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.patient.id],
        secrets: (c) => [c.patient.id, c.patient.last_name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/segments/${ghostId('seg')}/members.csv` }),
        },
      }),
    ],
  },
  'GET /v1/segments/{id}/months': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/v1/segments/${c.id}/months` }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: () => ['"months"'],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/segments/${ghostId('seg')}/months` }),
        },
      }),
    ],
  },
  'GET /console/segments': {
    scenarios: [
      scenario({
        what: "clinic A's segment, in the list with its count",
        covers: [],
        setup: segmentOfA,
        request: () => ({ method: 'GET', path: '/console/segments' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.name],
        secrets: (c) => [c.id, c.name],
      }),
    ],
  },
  'GET /console/segments/new': { none: 'the blank segment form' },
  'POST /console/segments': {
    none: "saves a segment of the caller's own clinic; refers to no existing record",
  },
  'POST /console/segments/preview': {
    none: "counts the caller's own patients; the form's segment id only keeps the form on the same segment",
  },
  'GET /console/segments/:id': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/console/segments/${c.id}` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.name, c.patient.last_name],
        secrets: (c) => [c.name, c.patient.last_name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/segments/${ghostId('seg')}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /console/segments/:id/edit': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/console/segments/${c.id}/edit` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.name],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/segments/${ghostId('seg')}/edit` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/segments/:id': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/segments/${c.id}`,
          form: { name: 'Renamed', field_0: 'tag', op_0: 'has', value_0: 'vip' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('segment_not_found'),
        shows: (c) => [`/console/segments/${c.id}?saved=1`],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/segments/${ghostId('seg')}`,
            form: { name: 'Renamed', field_0: 'tag', op_0: 'has', value_0: 'vip' },
          }),
        },
      }),
    ],
  },
  'POST /console/segments/:id/archive': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'POST', path: `/console/segments/${c.id}/archive`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('segment_not_found'),
        shows: () => ['/console/segments?archived=1'],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/console/segments/${ghostId('seg')}/archive`, form: {} }),
        },
      }),
    ],
  },
  'GET /console/segments/:id/members.csv': {
    scenarios: [
      scenario({
        what: "clinic A's segment",
        covers: ['id'],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/console/segments/${c.id}/members.csv` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.patient.id],
        secrets: (c) => [c.patient.id, c.patient.last_name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/segments/${ghostId('seg')}/members.csv` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/call_outcomes': {
    scenarios: [
      scenario({
        what: "clinic A's patient's calls",
        covers: ['id'],
        setup: async (s) => {
          const p = await patientOfA(s);
          const note = `Rang ${s.tag}`;
          const res = await s.api.post(`/v1/patients/${p.id}/call_outcomes`, {
            token: s.net.clinic.key,
            body: { outcome: 'reached', note },
          });
          expect(res.status, res.text).toBe(201);
          return { ...p, note };
        },
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/call_outcomes` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.note],
        secrets: (p) => [p.note],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/call_outcomes` }),
        },
      }),
    ],
  },
  'GET /v1/figures': { none: "the caller's own counts; takes nothing" },
  'POST /v1/visits': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['patient_id'],
        setup: cardOfA,
        request: (p) => ({
          method: 'POST',
          path: '/v1/visits',
          body: { patient_id: p.id, amount: { amount: 5000, currency: 'EUR' } },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id],
        secrets: (p) => [p.card_number, p.last_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: '/v1/visits',
            body: { patient_id: ghostId('pat'), amount: { amount: 5000, currency: 'EUR' } },
          }),
        },
      }),
      scenario({
        what: "clinic A's own visit reference (INV-…), sent again by A, and by B for its own patient",
        covers: ['reference'],
        setup: async (s) => {
          const mine = await cardOfA(s);
          const reference = `INV-${s.tag}`;
          const visit = await recordVisit(s.api, s.net.clinic.key, mine.id, 4200, { reference });
          const theirs = await createPatient(s.api, s.net.otherClinic.key);
          return { mine: mine.id, theirs: theirs.id, reference, visit };
        },
        request: (c, caller) => ({
          method: 'POST',
          path: '/v1/visits',
          body: {
            patient_id: caller === 'clinic B' ? c.theirs : c.mine,
            amount: { amount: 4200, currency: 'EUR' },
            reference: c.reference,
          },
        }),
        // A's own reference replays A's visit; the same reference from B is B's own, new visit.
        rightful: ['clinic A', 'clinic B'],
        check: (res, c, caller) => {
          const replay = caller === 'clinic A';
          expect(res.body.id === c.visit.id, res.text).toBe(replay);
          expect(res.body.patient_id).toBe(replay ? c.mine : c.theirs);
          expect(res.headers.get('idempotent-replayed')).toBe(replay ? 'true' : null);
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/points': {
    scenarios: [
      scenario({
        what: "clinic A's patient's card",
        covers: ['id'],
        setup: cardOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/points` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.card_number],
        secrets: (p) => [p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/points` }),
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/points/entries': {
    scenarios: [
      scenario({
        what: "clinic A's patient's statement",
        covers: ['id'],
        setup: cardOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/points/entries` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: () => ['"accrual"'],
        secrets: () => ['"accrual"'],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/points/entries` }),
        },
      }),
    ],
  },
  'POST /v1/points/redemptions': {
    scenarios: [
      scenario({
        what: "partner P1's own sale reference, sent again by P1, and by everyone else for their own sale",
        covers: ['reference'],
        setup: async (s) => {
          const card = await cardOfA(s);
          const reference = `SALE-${s.tag}`;
          const res = await s.api.post('/v1/points/redemptions', {
            token: s.net.partner.key,
            body: { card_number: card.card_number, points: 100, reference },
          });
          expect(res.status, res.text).toBe(201);
          return { card, reference, spend: res.body as { id: string } };
        },
        request: (c) => ({
          method: 'POST',
          path: '/v1/points/redemptions',
          body: { card_number: c.card.card_number, points: 100, reference: c.reference },
        }),
        // P1's own reference replays P1's sale; the same reference from anyone else is their own sale.
        rightful: ORGANISATIONS,
        check: (res, c, caller) => {
          const replay = caller === 'partner P1';
          expect(res.body.id === c.spend.id, res.text).toBe(replay);
          expect(res.headers.get('idempotent-replayed')).toBe(replay ? 'true' : null);
        },
      }),
      scenario({
        what: "the card of clinic A's patient (the coalition card is honoured by every clinic and partner)",
        covers: ['card_number'],
        setup: cardOfA,
        request: (p) => ({
          method: 'POST',
          path: '/v1/points/redemptions',
          body: { card_number: p.card_number, points: 10 },
        }),
        rightful: ORGANISATIONS,
        shows: (p) => [p.clinicId],
        ghost: {
          what: 'a card number no card has',
          caller: 'partner P2',
          request: () => ({
            method: 'POST',
            path: '/v1/points/redemptions',
            body: { card_number: '0000000000000000', points: 10 },
          }),
          expect: problem('card_not_found'),
        },
      }),
    ],
  },
  'POST /v1/points/redemptions/{id}/reversal': {
    scenarios: (['partner P1', 'clinic B'] as const).map((honourer) =>
      scenario({
        what: `points of clinic A's card taken by ${honourer}`,
        covers: ['id'],
        setup: async (s) => {
          const card = await cardOfA(s);
          return { card, spend: await spendPoints(s, keyOf(s, honourer)!, card.card_number) };
        },
        request: (c) => ({ method: 'POST', path: `/v1/points/redemptions/${c.spend.id}/reversal` }),
        // Only the honouring party; not even the card's own clinic.
        rightful: [honourer],
        refusal: problem('redemption_not_found'),
        shows: (c) => [c.card.clinicId],
        secrets: (c) => [c.card.id, c.card.card_number],
        ghost: {
          what: 'a points redemption that does not exist',
          caller: honourer,
          request: () => ({ method: 'POST', path: `/v1/points/redemptions/${ghostId('ptr')}/reversal` }),
        },
      }),
    ),
  },

  // ---- The clinic console: patients and gifts (pages; a clinic's staff session)
  'GET /console/patients': {
    scenarios: [
      scenario({
        what: "clinic A's patient, searched for by name",
        covers: ['q'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: '/console/patients', query: { q: p.last_name } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (p) => [p.id],
        secrets: (p) => [p.id, p.card_number],
      }),
    ],
    notTenant: { cursor: "a position in the caller's own list (the ids after it); names no one's record" },
  },
  'GET /console/patients/new': { none: 'the blank registration form' },
  'POST /console/patients': {
    none: "registers a new patient of the caller's own clinic; refers to no existing record",
  },
  'GET /console/patients/:id': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/console/patients/${p.id}` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (p) => [p.first_name, p.card_number],
        secrets: (p) => [p.first_name, p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/patients/${ghostId('pat')}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
      scenario({
        what: "a visit to clinic A's patient, asked for on each clinic's own patient's page",
        covers: ['visit'],
        setup: async (s) => {
          const card = await cardOfA(s);
          const visit = await recordVisit(s.api, s.net.clinic.key, card.id, 4_200);
          return { card, visit, theirs: await createPatient(s.api, s.net.otherClinic.key) };
        },
        request: (c, caller) => ({
          method: 'GET',
          path: `/console/patients/${caller === 'clinic B' ? c.theirs.id : c.card.id}`,
          query: { visit: c.visit.id },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [`Visit recorded: earned ${c.visit.points_earned.toLocaleString('en-GB')} points`],
        secrets: () => ['Visit recorded'],
      }),
    ],
  },
  'GET /console/patients/:id/gift': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/console/patients/${p.id}/gift` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (p) => [`A gift for ${p.first_name}`],
        secrets: (p) => [p.first_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/patients/${ghostId('pat')}/gift` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
      scenario({
        what: "partner P1's active offer, chosen for each clinic's own patient (the catalogue is the whole network's)",
        covers: ['offer', 'partner'],
        setup: async (s) => ({
          offer: await offerOfP1(s),
          a: await patientOfA(s),
          b: await createPatient(s.api, s.net.otherClinic.key),
        }),
        request: (c, caller) => ({
          method: 'GET',
          path: `/console/patients/${caller === 'clinic B' ? c.b.id : c.a.id}/gift`,
          query: { offer: c.offer.id, partner: c.offer.partner_id },
        }),
        rightful: ['clinic A', 'clinic B'],
        shows: (c) => [`name="offer_id" value="${c.offer.id}"`],
      }),
    ],
  },
  'POST /console/patients/:id/visits': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: cardOfA,
        request: (p) => ({
          method: 'POST',
          path: `/console/patients/${p.id}/visits`,
          form: { amount: '42.00' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}?visit=vis_`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/visits`,
            form: { amount: '42.00' },
          }),
        },
      }),
    ],
    notTenant: {
      reference:
        "the caller's own reference for its visit (POST /v1/visits shows another clinic's is its own)",
    },
  },
  'POST /console/patients/:id/gifts': {
    scenarios: [
      scenario({
        what: "clinic A's patient, given partner P1's offer",
        covers: ['id'],
        setup: async (s) => ({ patient: await patientOfA(s), offer: await offerOfP1(s) }),
        request: (c) => ({
          method: 'POST',
          path: `/console/patients/${c.patient.id}/gifts`,
          form: { offer_id: c.offer.id, expires_on: '2026-12-01' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: () => ['/console/gifts/vch_'],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/gifts`,
            form: { offer_id: c.offer.id, expires_on: '2026-12-01' },
          }),
        },
      }),
    ],
    notTenant: {
      offer_id:
        "the catalogue is the whole network's: any clinic may give any active offer (as POST /v1/vouchers)",
    },
  },
  'GET /console/gifts/:id': {
    scenarios: [
      scenario({
        what: "clinic A's voucher",
        covers: ['id'],
        setup: voucherOfA,
        request: (c) => ({ method: 'GET', path: `/console/gifts/${c.voucher.id}` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.voucher.token, 'Void this gift'],
        secrets: (c) => [c.voucher.token, c.offer.title],
        ghost: {
          what: 'a voucher that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/gifts/${ghostId('vch')}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/gifts/:id/void': {
    scenarios: [
      scenario({
        what: "clinic A's voucher",
        covers: ['id'],
        setup: voucherOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/gifts/${c.voucher.id}/void`,
          form: { reason: 'Mistake' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('voucher_not_found'),
        shows: (c) => [`/console/gifts/${c.voucher.id}?voided=1`],
        ghost: {
          what: 'a voucher that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/gifts/${ghostId('vch')}/void`,
            form: { reason: 'Mistake' },
          }),
        },
      }),
    ],
  },
  'GET /console/copy.js': { none: 'a static script' },

  // ---- Settlement
  'GET /v1/network/settings': { none: "the network's settings, the same for everyone; takes nothing" },
  // == Gift suggestions, branches and reward goals (issue 11): entries go here ==
  'GET /v1/branches': {
    scenarios: [
      scenario({
        what: "clinic A's branches",
        covers: [],
        setup: branchOfA,
        request: () => ({ method: 'GET', path: '/v1/branches' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (b) => [b.id, b.name],
        secrets: (b) => [b.id, b.name],
      }),
    ],
  },
  'POST /v1/branches': { none: "adds a branch of the caller's own clinic; refers to nothing existing" },
  'PATCH /v1/branches/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's branch",
        covers: ['id'],
        setup: branchOfA,
        request: (b) => ({ method: 'PATCH', path: `/v1/branches/${b.id}`, body: { address: 'Elsewhere 1' } }),
        rightful: ['clinic A'],
        refusal: problem('branch_not_found'),
        shows: (b) => [b.name, 'Elsewhere 1'],
        secrets: (b) => [b.name],
        ghost: {
          what: 'a branch that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'PATCH', path: `/v1/branches/${ghostId('brn')}`, body: { name: 'G' } }),
        },
      }),
    ],
  },
  'DELETE /v1/branches/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's branch",
        covers: ['id'],
        setup: branchOfA,
        request: (b) => ({ method: 'DELETE', path: `/v1/branches/${b.id}` }),
        rightful: ['clinic A'],
        refusal: problem('branch_not_found'),
        shows: (b) => [b.name],
        secrets: (b) => [b.name],
        ghost: {
          what: 'a branch that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'DELETE', path: `/v1/branches/${ghostId('brn')}` }),
        },
      }),
    ],
  },
  'PUT /v1/location': { none: 'sets where the calling partner is; refers to nothing else' },
  'GET /v1/patients/{id}/gift_suggestions': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/gift_suggestions` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id],
        secrets: (p) => [p.last_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/gift_suggestions` }),
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/reward_goal': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/reward_goal` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id],
        secrets: (p) => [p.last_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/reward_goal` }),
        },
      }),
    ],
  },
  'GET /console/branches': {
    scenarios: [
      scenario({
        what: "clinic A's branches",
        covers: [],
        setup: branchOfA,
        request: () => ({ method: 'GET', path: '/console/branches' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (b) => [b.name],
        secrets: (b) => [b.name, b.id],
      }),
    ],
  },
  'POST /console/branches': { none: "adds a branch of the caller's own clinic; refers to nothing existing" },
  'POST /console/branches/:id': {
    scenarios: [
      scenario({
        what: "clinic A's branch",
        covers: ['id'],
        setup: branchOfA,
        request: (b) => ({
          method: 'POST',
          path: `/console/branches/${b.id}`,
          form: { [`${b.id}-name`]: `${b.name} renamed` },
        }),
        rightful: ['clinic A'],
        refusal: redirect('branch_not_found'),
        shows: (b) => [`/console/branches?saved=${b.id}`],
        secrets: (b) => [b.name],
        ghost: {
          what: 'a branch that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/branches/${ghostId('brn')}`,
            form: { [`${ghostId('brn')}-name`]: 'Ghost' },
          }),
        },
      }),
    ],
  },
  'POST /console/branches/:id/archive': {
    scenarios: [
      scenario({
        what: "clinic A's branch",
        covers: ['id'],
        setup: branchOfA,
        request: (b) => ({ method: 'POST', path: `/console/branches/${b.id}/archive`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('branch_not_found'),
        shows: (b) => [`/console/branches?archived=${b.id}`],
        secrets: (b) => [b.name],
        ghost: {
          what: 'a branch that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/console/branches/${ghostId('brn')}/archive`, form: {} }),
        },
      }),
    ],
  },
  'GET /partner/location': {
    scenarios: [
      scenario({
        what: "partner P1's place",
        covers: [],
        setup: async (s) => {
          const address = `Torstraße ${s.tag}`;
          const res = await s.api.put('/v1/location', {
            token: s.net.partner.key,
            body: { latitude: 52.538, longitude: 13.405, address },
          });
          expect(res.status, res.text).toBe(200);
          return { address };
        },
        request: () => ({ method: 'GET', path: '/partner/location' }),
        rightful: ['partner P1'],
        refusal: hidden,
        shows: (c) => [c.address, '52.538'],
        secrets: (c) => [c.address],
      }),
    ],
  },
  'POST /partner/location': { none: "sets where the caller's own partner is; refers to nothing else" },
  'PUT /v1/network/settings': { none: 'operator only; refers to nothing' },
  'GET /v1/reconciliation/findings': {
    none: "the operator's own findings about the whole network; takes no tenant's id",
  },
  'POST /v1/reconciliation/runs': { none: 'runs over the whole network for the operator; takes nothing' },
  'GET /v1/network/settings/versions': {
    none: "the network's settings, the same for everyone; takes nothing",
  },
  'GET /v1/settlements/periods': { none: "the caller's own months; takes nothing" },
  'GET /v1/settlements': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['period'],
        at: '2030-03-12T10:00:00Z',
        setup: redeemedAtP1,
        request: () => ({ method: 'GET', path: '/v1/settlements', query: { period: '2030-03' } }),
        rightful: ['clinic A', 'partner P1', 'operator'],
        refusal: hidden,
        shows: (c) => [c.offer.partner_id, '"redemptions":1'],
        secrets: (c) => [c.offer.partner_id, '"redemptions":1'],
      }),
    ],
  },
  'GET /v1/settlements/{period}/lines': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['period'],
        at: '2030-01-12T10:00:00Z',
        setup: redeemedAtP1,
        request: () => ({ method: 'GET', path: '/v1/settlements/2030-01/lines' }),
        rightful: ['clinic A', 'partner P1', 'operator'],
        refusal: hidden,
        shows: (c) => [c.redemption.id],
        secrets: (c) => [c.redemption.id, c.offer.title],
      }),
    ],
  },
  'GET /v1/settlements/{period}/lines.csv': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['period'],
        at: '2030-02-12T10:00:00Z',
        setup: redeemedAtP1,
        request: () => ({ method: 'GET', path: '/v1/settlements/2030-02/lines.csv' }),
        rightful: ['clinic A', 'partner P1', 'operator'],
        refusal: hidden,
        shows: (c) => [c.redemption.id],
        secrets: (c) => [c.redemption.id, c.offer.title],
      }),
    ],
  },
  // ---- Reports
  'GET /v1/reports/monthly': {
    scenarios: [
      scenario({
        what: 'a month in which clinic A recorded a visit of 123.47',
        covers: [],
        at: '2030-05-12T10:00:00Z',
        setup: async (s) => recordVisit(s.api, s.net.clinic.key, (await patientOfA(s)).id, 12_347),
        request: () => ({
          method: 'GET',
          path: '/v1/reports/monthly',
          query: { from: '2030-05', to: '2030-05' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['"amount":12347'],
        secrets: () => ['"amount":12347'],
      }),
    ],
  },
  'GET /v1/reports/monthly.csv': {
    scenarios: [
      scenario({
        what: 'a month in which clinic A recorded a visit of 123.47',
        covers: [],
        at: '2030-06-12T10:00:00Z',
        setup: async (s) => recordVisit(s.api, s.net.clinic.key, (await patientOfA(s)).id, 12_347),
        request: () => ({
          method: 'GET',
          path: '/v1/reports/monthly.csv',
          query: { from: '2030-06', to: '2030-06' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['123.47'],
        secrets: () => ['123.47'],
      }),
    ],
  },
  'GET /v1/redemptions/{id}/receipt': {
    scenarios: [
      scenario({
        what: "partner P1's redemption of clinic A's voucher (red_)",
        covers: ['id'],
        setup: async (s) => {
          const r = await redeemedAtP1(s);
          return { id: r.redemption.id };
        },
        request: (c) => ({ method: 'GET', path: `/v1/redemptions/${c.id}/receipt` }),
        rightful: ['clinic A', 'partner P1', 'operator'],
        refusal: problem('redemption_not_found'),
        shows: () => ['"receipt"'],
        secrets: () => ['"receipt"'],
        ghost: {
          what: 'a redemption that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/redemptions/${ghostId('red')}/receipt` }),
        },
      }),
      scenario({
        what: "the reversal by partner P1 of its redemption of clinic A's voucher (rev_)",
        covers: ['id'],
        setup: async (s) => {
          const r = await redeemedAtP1(s);
          const rev = await s.api.post(`/v1/redemptions/${r.redemption.id}/reversal`, {
            token: s.net.partner.key,
          });
          expect(rev.status, rev.text).toBe(200);
          return { id: rev.body.id as string };
        },
        request: (c) => ({ method: 'GET', path: `/v1/redemptions/${c.id}/receipt` }),
        rightful: ['clinic A', 'partner P1', 'operator'],
        refusal: problem('redemption_not_found'),
        shows: () => ['"receipt"'],
        secrets: () => ['"receipt"'],
        ghost: {
          what: 'a reversal that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'GET', path: `/v1/redemptions/${ghostId('rev')}/receipt` }),
        },
      }),
      scenario({
        what: "points of clinic A's card taken by partner P1 (ptr_)",
        covers: ['id'],
        setup: async (s) => {
          const card = await cardOfA(s);
          return { id: (await spendPoints(s, s.net.partner.key, card.card_number)).id };
        },
        request: (c) => ({ method: 'GET', path: `/v1/redemptions/${c.id}/receipt` }),
        rightful: ['clinic A', 'partner P1', 'operator'],
        refusal: problem('redemption_not_found'),
        shows: () => ['"receipt"'],
        secrets: () => ['"receipt"'],
        ghost: {
          what: 'a points redemption that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'GET', path: `/v1/redemptions/${ghostId('ptr')}/receipt` }),
        },
      }),
    ],
  },

  // ---- The audit trail
  'GET /v1/audit-events': {
    scenarios: [
      scenario({
        what: "clinic A's trail: its staff member registering its patient",
        covers: ['staff_id', 'patient_id'],
        setup: async (s) => {
          const name = `Greta${s.tag}`;
          const staff = await createStaffMember(s.api, s.net.clinic.id, { name, role: 'front_desk' });
          const patient = await createPatient(s.api, staff.key, { first_name: `Ada${s.tag}` });
          return { name, staffId: staff.id, patient };
        },
        request: (c) => ({
          method: 'GET',
          path: '/v1/audit-events',
          query: { staff_id: c.staffId, patient_id: c.patient.id },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.patient.id, c.name],
        secrets: (c) => [c.patient.id, c.name],
      }),
    ],
  },

  // ---- Pages for people
  'GET /': { none: 'static home page' },
  'GET /docs': { none: 'the API reference page, public' },
  'GET /openapi.json': { none: 'the API document, public' },
  'GET /problems': { none: 'the public vocabulary of refusal codes' },
  'GET /problems/:code': {
    none: 'one refusal code of the public vocabulary',
    notTenant: { code: 'a code of the public vocabulary, not a resource of anyone' },
  },
  'GET /partner/scan.js': { none: 'a static script' },
  'GET /partner/jsqr.js': { none: 'a static script' },
  'POST /partner/signin/options': { none: 'hands out a sign-in challenge; refers to no resource' },
  'POST /partner/signin': { none: 'exchanges a passkey (the credential itself) for a session' },
  'POST /console/signin/options': { none: 'hands out a sign-in challenge; refers to no resource' },
  'POST /console/signin': { none: 'exchanges a passkey (the credential itself) for a session' },
  'POST /console/signout': { none: "ends the caller's own session" },
  'GET /console/webauthn.js': { none: 'a static script' },
  'GET /console/passkey.js': { none: 'a static script' },
  'GET /join/:token': {
    none: 'the invitation link: its token is the credential (one-time, hashed, 72 hours)',
    notTenant: { token: 'an invitation token, the credential itself, not a reference to a resource' },
  },
  'POST /join/:token/options': {
    none: 'a registration challenge for the invitation the token is',
    notTenant: { token: 'an invitation token, the credential itself' },
  },
  'POST /join/:token': {
    none: 'accepts the invitation the token is, with a new passkey',
    notTenant: { token: 'an invitation token, the credential itself' },
  },
  'GET /console': { none: "the signed-in clinic's own Today page; takes nothing" },
  'GET /console/reports': { none: "the signed-in clinic's own monthly figures; takes months, no reference" },
  'GET /console/reports.csv': { none: "the signed-in clinic's own monthly figures as CSV; takes months" },
  'GET /console/charts.js': { none: 'a static script (the chart library)' },
  'GET /console/chart.js': { none: 'a static script' },
  'POST /console/calls': {
    scenarios: [
      scenario({
        what: "clinic A's patient, called from the console",
        covers: ['patient_id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: '/console/calls',
          form: { patient_id: p.id, outcome: 'reached' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found', '/console'),
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: '/console/calls',
            form: { patient_id: ghostId('pat'), outcome: 'reached' },
          }),
        },
      }),
    ],
  },
  'POST /partner/signout': { none: "ends the caller's own session" },
  'GET /r/:token': {
    scenarios: [
      scenario({
        what: "clinic A's voucher (the link's token is the credential: whoever holds it may look)",
        covers: ['token'],
        setup: async (s) => {
          const v = await voucherOfA(s);
          const b = await createPatient(s.api, s.net.otherClinic.key);
          const theirs = await issueVoucher(s.api, s.net.otherClinic.key, {
            patient_id: b.id,
            offer_id: v.offer.id,
          });
          return { ...v, theirs };
        },
        request: (c) => ({ method: 'GET', path: `/r/${c.voucher.token}` }),
        rightful: CALLERS,
        shows: (c) => [`A gift for you, ${c.patient.first_name}`],
        secrets: (c) => [c.patient.first_name, c.offer.title],
        ghost: {
          what: "the link with its token's reference changed to clinic B's voucher",
          caller: 'no one',
          request: (c) => ({
            method: 'GET',
            path: `/r/${tamperPayload(c.voucher.token, { jti: c.theirs.id, sub: c.theirs.id })}`,
          }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /partner': {
    scenarios: [
      scenario({
        what: "the counter's outcome flash for partner P1's redemption of clinic A's voucher",
        covers: ['redeemed'],
        setup: redeemedAtP1,
        request: (c) => ({ method: 'GET', path: '/partner', query: { redeemed: c.redemption.id } }),
        rightful: ['partner P1'],
        refusal: hidden,
        anonymous: { kind: 'signIn', status: 200 },
        shows: (c) => [`Redeemed: ${c.offer.title}`],
        secrets: (c) => [c.offer.title],
      }),
      scenario({
        what: "the counter's outcome flash for points of clinic A's card taken at partner P1",
        covers: ['points_redeemed'],
        setup: async (s) => {
          const card = await cardOfA(s);
          return { card, spend: await spendPoints(s, s.net.partner.key, card.card_number, 123) };
        },
        request: (c) => ({ method: 'GET', path: '/partner', query: { points_redeemed: c.spend.id } }),
        rightful: ['partner P1'],
        refusal: hidden,
        anonymous: { kind: 'signIn', status: 200 },
        shows: (c) => ['Took 123 points', `from card ending ${c.card.card_number.slice(-4)}`],
        secrets: (c) => ['Took 123 points', c.card.card_number.slice(-4)],
      }),
    ],
  },
  'POST /partner/verify': {
    scenarios: [
      scenario({
        what: "clinic A's voucher for partner P1's offer",
        covers: ['token'],
        setup: voucherWithGhostToken,
        request: (c) => ({ method: 'POST', path: '/partner/verify', form: { token: c.voucher.token! } }),
        rightful: ['partner P1'],
        refusal: { kind: 'hidden', says: ERROR_TEXT.voucher_not_for_this_partner },
        shows: (c) => ['Valid voucher', c.patient.first_name],
        secrets: (c) => [c.patient.first_name, c.offer.title],
        ghost: {
          what: 'a genuinely signed token for P1 of a voucher that does not exist',
          caller: 'partner P2',
          request: (c) => ({ method: 'POST', path: '/partner/verify', form: { token: c.ghostToken } }),
        },
      }),
    ],
  },
  'POST /partner/redeem': {
    scenarios: [
      scenario({
        what: "clinic A's voucher for partner P1's offer",
        covers: ['token'],
        setup: voucherWithGhostToken,
        request: (c) => ({ method: 'POST', path: '/partner/redeem', form: { token: c.voucher.token! } }),
        rightful: ['partner P1'],
        // As POST /v1/redemptions: decided from the token's own audience claim (see there).
        refusal: redirect('voucher_not_for_this_partner'),
        shows: () => ['/partner?redeemed=red_'],
        ghost: {
          what: 'a genuinely signed token for P1 of a voucher that does not exist',
          caller: 'partner P2',
          request: (c) => ({ method: 'POST', path: '/partner/redeem', form: { token: c.ghostToken } }),
        },
      }),
    ],
  },
  'POST /partner/reversal': {
    scenarios: [
      scenario({
        what: "partner P1's redemption of clinic A's voucher",
        covers: ['redemption_id'],
        setup: redeemedAtP1,
        request: (c) => ({
          method: 'POST',
          path: '/partner/reversal',
          form: { redemption_id: c.redemption.id },
        }),
        rightful: ['partner P1'],
        refusal: redirect('redemption_not_found'),
        shows: () => ['/partner?reversed=rev_'],
        ghost: {
          what: 'a redemption that does not exist',
          caller: 'partner P1',
          request: () => ({
            method: 'POST',
            path: '/partner/reversal',
            form: { redemption_id: ghostId('red') },
          }),
        },
      }),
    ],
  },
  'POST /partner/points': {
    scenarios: [
      scenario({
        what: "the card of clinic A's patient (honoured at every partner's counter)",
        covers: ['card_number'],
        setup: cardOfA,
        request: (p) => ({
          method: 'POST',
          path: '/partner/points',
          form: { card_number: p.card_number, points: '7' },
        }),
        rightful: ['partner P1', 'partner P2'],
        shows: () => ['/partner?points_redeemed=ptr_'],
        ghost: {
          what: 'a card number no card has',
          caller: 'partner P2',
          request: () => ({
            method: 'POST',
            path: '/partner/points',
            form: { card_number: '0000000000000000', points: '7' },
          }),
          expect: redirect('card_not_found'),
        },
      }),
    ],
  },
  'POST /partner/points/reversal': {
    scenarios: [
      scenario({
        what: "points of clinic A's card taken at partner P1's counter",
        covers: ['redemption_id'],
        setup: async (s) => {
          const card = await cardOfA(s);
          return spendPoints(s, s.net.partner.key, card.card_number);
        },
        request: (c) => ({ method: 'POST', path: '/partner/points/reversal', form: { redemption_id: c.id } }),
        rightful: ['partner P1'],
        refusal: redirect('redemption_not_found'),
        shows: () => ['/partner?points_reversed=1'],
        ghost: {
          what: 'a points redemption that does not exist',
          caller: 'partner P1',
          request: () => ({
            method: 'POST',
            path: '/partner/points/reversal',
            form: { redemption_id: ghostId('ptr') },
          }),
        },
      }),
    ],
  },
  'GET /partner/statements': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['period'],
        at: '2030-04-12T10:00:00Z',
        setup: async (s) => ({ ...(await redeemedAtP1(s)), line: await onlyLineOf(s, '2030-04') }),
        request: () => ({ method: 'GET', path: '/partner/statements', query: { period: '2030-04' } }),
        rightful: ['partner P1'],
        refusal: hidden,
        shows: (c) => [c.line, c.offer.title],
        secrets: (c) => [c.line, c.offer.title],
      }),
    ],
  },
  'GET /console/statements': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['period'],
        at: '2030-06-12T10:00:00Z',
        setup: async (s) => ({ ...(await redeemedAtP1(s)), line: await onlyLineOf(s, '2030-06') }),
        request: () => ({ method: 'GET', path: '/console/statements', query: { period: '2030-06' } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.line, c.offer.title],
        secrets: (c) => [c.line, c.offer.title],
      }),
    ],
  },
  'GET /console/statements/:file{[0-9]{4}-[0-9]{2}\\.csv}': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['file'],
        at: '2030-07-12T10:00:00Z',
        setup: async (s) => ({ ...(await redeemedAtP1(s)), line: await onlyLineOf(s, '2030-07') }),
        request: () => ({ method: 'GET', path: '/console/statements/2030-07.csv' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.line, c.redemption.id],
        secrets: (c) => [c.line, c.redemption.id],
      }),
    ],
  },
  'GET /partner/offers': {
    scenarios: [
      scenario({
        what: "partner P1's offers, and the flash for one just published",
        covers: ['published'],
        setup: (s) => offerOfP1(s, false),
        request: (o) => ({ method: 'GET', path: '/partner/offers', query: { published: o.id } }),
        rightful: ['partner P1'],
        refusal: hidden,
        shows: (o) => [`Published: ${o.title}`, `/partner/offers/${o.id}/edit`],
        secrets: (o) => [o.title, o.id],
      }),
    ],
  },
  'GET /partner/offers/new': { none: "a blank form for the caller's own new offer" },
  'GET /partner/offers/:id/edit': {
    scenarios: [
      scenario({
        what: "partner P1's offer",
        covers: ['id'],
        setup: (s) => offerOfP1(s),
        request: (o) => ({ method: 'GET', path: `/partner/offers/${o.id}/edit` }),
        rightful: ['partner P1'],
        refusal: { kind: 'status', status: 404 },
        shows: (o) => [`value="${o.title}"`],
        secrets: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'partner P1',
          request: () => ({ method: 'GET', path: `/partner/offers/${ghostId('off')}/edit` }),
        },
      }),
    ],
  },
  'POST /partner/offers': { none: "publishes a new offer of the caller's own; refers to nothing existing" },
  'POST /partner/offers/:id': {
    scenarios: [
      scenario({
        what: "partner P1's offer",
        covers: ['id'],
        setup: (s) => offerOfP1(s),
        request: (o) => ({
          method: 'POST',
          path: `/partner/offers/${o.id}`,
          form: { title: o.title, category: 'massage', price: '70.00', active: 'on' },
        }),
        rightful: ['partner P1'],
        refusal: redirect('offer_not_found', '/partner/offers'),
        shows: (o) => [`/partner/offers?saved=${o.id}`],
        secrets: (o) => [o.title],
        ghost: {
          what: 'an offer that does not exist',
          caller: 'partner P1',
          request: () => ({
            method: 'POST',
            path: `/partner/offers/${ghostId('off')}`,
            form: { title: 'Ghost', category: 'massage', price: '70.00' },
          }),
        },
      }),
    ],
  },
  'GET /partner/statements/:file{[0-9]{4}-[0-9]{2}\\.csv}': {
    scenarios: [
      scenario({
        what: "a month in which partner P1 redeemed clinic A's voucher",
        covers: ['file'],
        at: '2030-05-12T10:00:00Z',
        setup: async (s) => ({ ...(await redeemedAtP1(s)), line: await onlyLineOf(s, '2030-05') }),
        request: () => ({ method: 'GET', path: '/partner/statements/2030-05.csv' }),
        rightful: ['partner P1'],
        refusal: hidden,
        shows: (c) => [c.line, c.redemption.id],
        secrets: (c) => [c.line, c.redemption.id],
      }),
    ],
  },
  // ---- Staff (the console's and the counter's staff pages, for owners) and the console's programme
  'GET /console/programme': {
    scenarios: [
      scenario({
        what: "clinic A's programme rules",
        covers: [],
        setup: async (s) => setLoyaltyProgram(s.api, s.net.clinic.key, { accrual_rate_bps: 1234 }),
        request: () => ({ method: 'GET', path: '/console/programme' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['12.34%'],
        secrets: () => ['12.34%'],
      }),
    ],
  },
  'POST /console/programme': { none: "sets the caller's own programme; refers to nothing else" },
  'GET /console/programme.js': { none: 'a static script' },
  'GET /console/staff': {
    scenarios: [
      scenario({
        what: "clinic A's staff and open invitations",
        covers: [],
        setup: staffOfA,
        request: () => ({ method: 'GET', path: '/console/staff' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.name, c.invitee],
        secrets: (c) => [c.name, c.invitee],
      }),
    ],
  },
  'GET /console/audit': {
    scenarios: [
      scenario({
        what: "clinic A's audit trail, of one of its patients",
        covers: [],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: '/console/audit', query: { patient: p.id } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['Registered a patient'],
        secrets: () => ['Registered a patient'],
      }),
    ],
  },
  'POST /console/staff/invitations': {
    none: "invites into the caller's own organisation; refers to nothing existing",
  },
  ...staffForms('/console/staff', 'clinic A', staffOfA),
  'GET /partner/staff': {
    scenarios: [
      scenario({
        what: "partner P1's staff and open invitations",
        covers: [],
        setup: staffOfP1,
        request: () => ({ method: 'GET', path: '/partner/staff' }),
        rightful: ['partner P1'],
        refusal: hidden,
        shows: (c) => [c.name, c.invitee],
        secrets: (c) => [c.name, c.invitee],
      }),
    ],
  },
  'POST /partner/staff/invitations': {
    none: "invites into the caller's own organisation; refers to nothing existing",
  },
  ...staffForms('/partner/staff', 'partner P1', staffOfP1),
  // == The loyalty plan: templates, dated items, regeneration (issue 12): entries go here ==
  'GET /v1/plan/templates': { none: "the caller's own clinic's templates; takes nothing" },
  'PUT /v1/plan/templates/{segment_key}': {
    scenarios: [
      scenario({
        what: "clinic A's segment, given a template",
        covers: [],
        setup: segmentOfA,
        request: (c) => ({
          method: 'PUT',
          path: `/v1/plan/templates/${c.id}`,
          body: { interactions_per_year: 1, mix: [{ kind: 'thank_you', channel: 'sms', count: 1 }] },
        }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.id, c.name],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PUT',
            path: `/v1/plan/templates/${ghostId('seg')}`,
            body: { interactions_per_year: 1, mix: [{ kind: 'thank_you', channel: 'sms', count: 1 }] },
          }),
        },
      }),
    ],
  },
  'DELETE /v1/plan/templates/{segment_key}': {
    scenarios: [
      scenario({
        what: "clinic A's template of its segment",
        covers: [],
        setup: planTemplateOfA,
        request: (c) => ({ method: 'DELETE', path: `/v1/plan/templates/${c.id}` }),
        rightful: ['clinic A'],
        refusal: problem('plan_template_not_found'),
        shows: (c) => [c.id],
      }),
    ],
  },
  'GET /v1/patients/{id}/plan': {
    scenarios: [
      scenario({
        what: "clinic A's patient's plan",
        covers: ['id'],
        setup: planOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/plan` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.itemId],
        secrets: (p) => [p.itemId],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/plan` }),
        },
      }),
    ],
  },
  'POST /v1/patients/{id}/plan': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'POST', path: `/v1/patients/${p.id}/plan`, body: {} }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, '"generation":1'],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/v1/patients/${ghostId('pat')}/plan`, body: {} }),
        },
      }),
      scenario({
        what: "clinic A's staff member named as the owner, by each clinic for its own patient",
        covers: ['owner_staff_id'],
        setup: ownPatientsAndStaffOfA,
        request: (c, caller) => ({
          method: 'POST',
          path: `/v1/patients/${caller === 'clinic B' ? c.b.id : c.a.id}/plan`,
          body: { owner_staff_id: c.staff.staffId },
        }),
        rightful: ['clinic A'],
        refusal: problem('staff_not_found'),
        shows: (c) => [c.staff.staffId, c.staff.name],
        secrets: (c) => [c.staff.name],
      }),
    ],
  },
  'PATCH /v1/patients/{id}/plan': {
    scenarios: [
      scenario({
        what: "clinic A's patient's plan",
        covers: ['id'],
        setup: planOfA,
        request: (p) => ({
          method: 'PATCH',
          path: `/v1/patients/${p.id}/plan`,
          body: { owner_staff_id: null },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.itemId],
        secrets: (p) => [p.itemId],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/patients/${ghostId('pat')}/plan`,
            body: { owner_staff_id: null },
          }),
        },
      }),
      scenario({
        what: "clinic A's staff member made the owner, by each clinic of its own patient's plan",
        covers: ['owner_staff_id'],
        setup: async (s) => {
          const c = await ownPatientsAndStaffOfA(s);
          for (const [key, p] of [
            [s.net.clinic.key, c.a],
            [s.net.otherClinic.key, c.b],
          ] as const) {
            const res = await s.api.post(`/v1/patients/${p.id}/plan`, { token: key, body: {} });
            expect(res.status, res.text).toBe(200);
          }
          return c;
        },
        request: (c, caller) => ({
          method: 'PATCH',
          path: `/v1/patients/${caller === 'clinic B' ? c.b.id : c.a.id}/plan`,
          body: { owner_staff_id: c.staff.staffId },
        }),
        rightful: ['clinic A'],
        refusal: problem('staff_not_found'),
        shows: (c) => [c.staff.staffId, c.staff.name],
        secrets: (c) => [c.staff.name],
      }),
    ],
  },
  'POST /v1/patients/{id}/plan/items': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'POST', path: `/v1/patients/${p.id}/plan/items`, body: planItemBody() }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, '"source":"staff"'],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/patients/${ghostId('pat')}/plan/items`,
            body: planItemBody(),
          }),
        },
      }),
      scenario({
        what: "clinic A's staff member named as the item's owner, by each clinic for its own patient",
        covers: ['owner_staff_id'],
        setup: ownPatientsAndStaffOfA,
        request: (c, caller) => ({
          method: 'POST',
          path: `/v1/patients/${caller === 'clinic B' ? c.b.id : c.a.id}/plan/items`,
          body: { ...planItemBody(), owner_staff_id: c.staff.staffId },
        }),
        rightful: ['clinic A'],
        refusal: problem('staff_not_found'),
        shows: (c) => [c.staff.staffId, c.staff.name],
        secrets: (c) => [c.staff.name],
      }),
    ],
  },
  'GET /console/plan': {
    scenarios: [
      scenario({
        what: "clinic A's templates",
        covers: [],
        setup: planTemplateOfA,
        request: () => ({ method: 'GET', path: '/console/plan' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.templateName],
        secrets: (c) => [c.templateName],
      }),
    ],
  },
  'GET /console/plan/templates/:key': {
    scenarios: [
      scenario({
        what: "clinic A's segment's template editor",
        covers: [],
        setup: segmentOfA,
        request: (c) => ({ method: 'GET', path: `/console/plan/templates/${c.id}` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.name],
        secrets: (c) => [c.name],
      }),
    ],
  },
  'POST /console/plan/templates/:key': {
    scenarios: [
      scenario({
        what: "clinic A's segment, given a template",
        covers: [],
        setup: segmentOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/plan/templates/${c.id}`,
          form: { kind_0: 'thank_you', channel_0: 'sms', count_0: '2' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('segment_not_found'),
        shows: () => ['/console/plan?saved=1'],
      }),
    ],
  },
  'POST /console/plan/templates/:key/reset': {
    scenarios: [
      scenario({
        what: "clinic A's template of its segment",
        covers: [],
        setup: planTemplateOfA,
        request: (c) => ({ method: 'POST', path: `/console/plan/templates/${c.id}/reset`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('plan_template_not_found', '/console/plan'),
        shows: () => ['/console/plan?reset=1'],
      }),
    ],
  },
  'GET /console/patients/:id/plan': {
    scenarios: [
      scenario({
        what: "clinic A's patient's plan",
        covers: ['id'],
        setup: planOfA,
        request: (p) => ({ method: 'GET', path: `/console/patients/${p.id}/plan` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (p) => [p.first_name, `data-plan-item-status="${p.itemId}"`],
        secrets: (p) => [p.first_name, p.itemId],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/patients/${ghostId('pat')}/plan` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/patients/:id/plan': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'POST', path: `/console/patients/${p.id}/plan`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}/plan?generated=1`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/console/patients/${ghostId('pat')}/plan`, form: {} }),
        },
      }),
    ],
  },
  'POST /console/patients/:id/plan/owner': {
    scenarios: [
      scenario({
        what: "clinic A's patient's plan",
        covers: ['id'],
        setup: planOfA,
        request: (p) => ({
          method: 'POST',
          path: `/console/patients/${p.id}/plan/owner`,
          form: { owner_staff_id: '' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}/plan?owner=1`],
      }),
    ],
  },
  'POST /console/patients/:id/plan/items': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/console/patients/${p.id}/plan/items`,
          form: planItemBody(),
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}/plan?added=1`],
      }),
    ],
  },
  // == Agenda, coverage, budget, CSV and the iCalendar feed (issue 12): entries go here ==
  'PATCH /v1/plan/items/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's plan item, handed to another of A's staff",
        covers: ['id', 'owner_staff_id'],
        setup: planItemOfA,
        request: (c) => ({
          method: 'PATCH',
          path: `/v1/plan/items/${c.itemId}`,
          body: { status: 'done', outcome: 'Reached', owner_staff_id: c.staffId },
        }),
        rightful: ['clinic A'],
        refusal: problem('plan_item_not_found'),
        shows: (c) => [c.itemId, c.purpose],
        secrets: (c) => [c.purpose, c.patient.id],
        ghost: {
          what: 'a plan item that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/plan/items/${ghostId('pli')}`,
            body: { status: 'skipped' },
          }),
        },
      }),
    ],
  },
  'GET /v1/plan/agenda': {
    scenarios: [
      scenario({
        what: "the agenda of clinic A's staff member",
        covers: [],
        setup: planItemOfA,
        request: (c) => ({
          method: 'GET',
          path: '/v1/plan/agenda',
          query: { owner: c.staffId, from: '2030-03-04' },
        }),
        rightful: ['clinic A'],
        refusal: problem('staff_not_found'),
        shows: (c) => [c.itemId, c.purpose],
        secrets: (c) => [c.purpose, c.patient.first_name],
        ghost: {
          what: 'a staff member that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: '/v1/plan/agenda', query: { owner: ghostId('stf') } }),
        },
      }),
    ],
  },
  'POST /v1/plan/calendar-feed': {
    scenarios: [
      scenario({
        what: "clinic A's staff member",
        covers: ['staff_id'],
        setup: staffOfA,
        request: (c) => ({ method: 'POST', path: '/v1/plan/calendar-feed', body: { staff_id: c.staffId } }),
        rightful: ['clinic A'],
        refusal: problem('staff_not_found'),
        shows: (c) => [c.staffId, '/calendar/'],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a staff member that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: '/v1/plan/calendar-feed',
            body: { staff_id: ghostId('stf') },
          }),
        },
      }),
    ],
  },
  'DELETE /v1/plan/calendar-feed': {
    scenarios: [
      scenario({
        what: "the calendar feed of clinic A's staff member",
        covers: ['staff_id'],
        setup: feedOfA,
        request: (c) => ({
          method: 'DELETE',
          path: '/v1/plan/calendar-feed',
          query: { staff_id: c.staffId },
        }),
        rightful: ['clinic A'],
        refusal: problem('calendar_feed_not_found'),
        shows: (c) => [c.staffId],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a staff member that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'DELETE',
            path: '/v1/plan/calendar-feed',
            query: { staff_id: ghostId('stf') },
          }),
        },
      }),
    ],
  },
  'GET /v1/plan/coverage': {
    scenarios: [
      scenario({
        what: "clinic A's patient with a plan and an overdue item",
        covers: [],
        setup: planItemOfA,
        request: () => ({ method: 'GET', path: '/v1/plan/coverage' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.patient.id, c.staffId],
        secrets: (c) => [c.patient.id, c.patient.first_name, c.staffId],
      }),
    ],
    notTenant: { cursor: "a position in the caller's own list; names no one's record" },
  },
  'GET /v1/plan/budget': {
    scenarios: [
      scenario({
        what: 'a month in which clinic A planned a gift costing 123.47',
        covers: [],
        setup: planItemOfA,
        request: () => ({
          method: 'GET',
          path: '/v1/plan/budget',
          query: { from: '2030-03', to: '2030-03' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: () => ['12347'],
        secrets: () => ['12347'],
      }),
    ],
  },
  'GET /v1/plan/items.csv': {
    scenarios: [
      scenario({
        what: "clinic A's plan item",
        covers: [],
        setup: planItemOfA,
        request: () => ({
          method: 'GET',
          path: '/v1/plan/items.csv',
          query: { from: '2030-01-01', to: '2030-12-31' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.patient.id, c.purpose],
        secrets: (c) => [c.patient.id, c.purpose],
      }),
      scenario({
        what: "the plan items of clinic A's staff member",
        covers: [],
        setup: planItemOfA,
        request: (c) => ({
          method: 'GET',
          path: '/v1/plan/items.csv',
          query: { owner: c.staffId, from: '2030-01-01', to: '2030-12-31' },
        }),
        rightful: ['clinic A'],
        refusal: problem('staff_not_found'),
        shows: (c) => [c.purpose],
        secrets: (c) => [c.purpose],
      }),
    ],
  },
  'GET /calendar/:file{[A-Za-z0-9_-]{1,64}\\.ics}': {
    scenarios: [
      scenario({
        what: "the calendar feed of clinic A's staff member (its secret URL is the credential)",
        covers: ['file'],
        at: '2030-03-01T10:00:00Z',
        setup: feedOfA,
        request: (c) => ({ method: 'GET', path: c.path }),
        rightful: CALLERS,
        shows: (c) => [c.itemId],
        secrets: (c) => [c.itemId, c.patient.first_name],
        ghost: {
          what: 'a token of no feed',
          caller: 'no one',
          request: () => ({ method: 'GET', path: `/calendar/${'q'.repeat(32)}.ics` }),
          expect: problem('calendar_feed_not_found'),
        },
      }),
    ],
  },
  'GET /console/agenda': {
    scenarios: [
      scenario({
        what: "the agenda of clinic A's staff member, picked by the owner",
        covers: ['owner'],
        setup: planItemOfA,
        request: (c) => ({
          method: 'GET',
          path: '/console/agenda',
          query: { owner: c.staffId, week: '2030-03-04' },
        }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.purpose],
        secrets: (c) => [c.purpose, c.patient.first_name],
        ghost: {
          what: 'a staff member that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: '/console/agenda', query: { owner: ghostId('stf') } }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/agenda/items/:id': {
    scenarios: [
      scenario({
        what: "clinic A's plan item, marked done from the console",
        covers: ['id'],
        setup: planItemOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/agenda/items/${c.itemId}`,
          form: { do: 'done', outcome: 'Reached' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('plan_item_not_found', '/console/agenda'),
        ghost: {
          what: 'a plan item that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/agenda/items/${ghostId('pli')}`,
            form: { do: 'done', outcome: 'Reached' },
          }),
        },
      }),
    ],
  },
  'POST /console/agenda/feed': {
    scenarios: [
      scenario({
        what: "a calendar link for clinic A's staff member, made by the owner",
        covers: ['owner'],
        setup: staffOfA,
        request: (c) => ({ method: 'POST', path: '/console/agenda/feed', form: { owner: c.staffId } }),
        rightful: ['clinic A'],
        refusal: redirect('staff_not_found'),
        ghost: {
          what: 'a staff member that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: '/console/agenda/feed', form: { owner: ghostId('stf') } }),
          expect: redirect('staff_not_found'),
        },
      }),
    ],
  },
  'POST /console/agenda/feed/revoke': {
    scenarios: [
      scenario({
        what: "the calendar feed of clinic A's staff member, stopped by the owner",
        covers: ['owner'],
        setup: feedOfA,
        request: (c) => ({ method: 'POST', path: '/console/agenda/feed/revoke', form: { owner: c.staffId } }),
        rightful: ['clinic A'],
        refusal: redirect('calendar_feed_not_found'),
        ghost: {
          what: 'a staff member that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: '/console/agenda/feed/revoke',
            form: { owner: ghostId('stf') },
          }),
          expect: redirect('calendar_feed_not_found'),
        },
      }),
    ],
  },
  'GET /console/plan/coverage': {
    scenarios: [
      scenario({
        what: "clinic A's patient with a plan and an overdue item",
        covers: [],
        setup: planItemOfA,
        request: () => ({ method: 'GET', path: '/console/plan/coverage' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.patient.id],
        secrets: (c) => [c.patient.id, c.patient.first_name],
      }),
    ],
  },
  'GET /console/plan/items.csv': {
    scenarios: [
      scenario({
        what: "clinic A's plan item",
        covers: [],
        setup: planItemOfA,
        request: () => ({ method: 'GET', path: '/console/plan/items.csv', query: { from: '2030-01-01' } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.purpose],
        secrets: (c) => [c.purpose, c.patient.id],
      }),
    ],
  },
  // == Code words (issue 12): entries go here ==
  'GET /v1/code-words': {
    scenarios: [
      scenario({
        what: "clinic A's code word, in the list",
        covers: [],
        setup: codeWordOfA,
        request: () => ({ method: 'GET', path: '/v1/code-words' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.id, c.word],
        secrets: (c) => [c.id, c.word],
      }),
    ],
  },
  'POST /v1/code-words': {
    scenarios: [
      scenario({
        what: "clinic A's segment, as the campaign's audience",
        covers: ['segment_id'],
        setup: segmentOfA,
        request: (c) => ({
          method: 'POST',
          path: '/v1/code-words',
          body: {
            word: 'SEGMENTWORD',
            reward: { kind: 'points', points: 5 },
            valid_until: '2030-01-01T00:00:00.000Z',
            segment_id: c.id,
          },
        }),
        rightful: ['clinic A'],
        refusal: problem('segment_not_found'),
        shows: (c) => [c.id],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a segment that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: '/v1/code-words',
            body: {
              word: 'GHOSTSEGMENT',
              reward: { kind: 'points', points: 5 },
              valid_until: '2030-01-01T00:00:00.000Z',
              segment_id: ghostId('seg'),
            },
          }),
        },
      }),
    ],
  },
  'GET /v1/code-words/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: codeWordOfA,
        request: (c) => ({ method: 'GET', path: `/v1/code-words/${c.id}` }),
        rightful: ['clinic A'],
        refusal: problem('code_word_not_found'),
        shows: (c) => [c.word],
        secrets: (c) => [c.word],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/code-words/${ghostId('cwd')}` }),
        },
      }),
    ],
  },
  'PATCH /v1/code-words/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: codeWordOfA,
        request: (c) => ({ method: 'PATCH', path: `/v1/code-words/${c.id}`, body: { description: 'm' } }),
        rightful: ['clinic A'],
        refusal: problem('code_word_not_found'),
        shows: (c) => [c.word],
        secrets: (c) => [c.word],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/code-words/${ghostId('cwd')}`,
            body: { description: 'm' },
          }),
        },
      }),
    ],
  },
  'POST /v1/code-words/{id}/codes': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: (s) => codeWordOfA(s, true),
        request: (c) => ({ method: 'POST', path: `/v1/code-words/${c.id}/codes` }),
        rightful: ['clinic A'],
        refusal: problem('code_word_not_found'),
        shows: () => ['"remaining"'],
        secrets: (c) => [c.word],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/v1/code-words/${ghostId('cwd')}/codes` }),
        },
      }),
    ],
  },
  'GET /v1/code-words/{id}/codes.csv': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: (s) => codeWordOfA(s, true),
        request: (c) => ({ method: 'GET', path: `/v1/code-words/${c.id}/codes.csv` }),
        rightful: ['clinic A'],
        refusal: problem('code_word_not_found'),
        shows: (c) => [c.patient.id, c.word],
        secrets: (c) => [c.patient.id, c.patient.last_name],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/code-words/${ghostId('cwd')}/codes.csv` }),
        },
      }),
    ],
  },
  'POST /v1/patients/{id}/code-word': {
    scenarios: [
      scenario({
        what: "clinic A's patient, with clinic A's code word",
        covers: ['id'],
        setup: codeWordOfA,
        request: (c) => ({
          method: 'POST',
          path: `/v1/patients/${c.patient.id}/code-word`,
          body: { word: c.word },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (c) => [c.patient.id, c.id],
        secrets: (c) => [c.patient.first_name, c.patient.last_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: `/v1/patients/${ghostId('pat')}/code-word`,
            body: { word: c.word },
          }),
        },
      }),
    ],
  },
  'GET /console/offers': {
    scenarios: [
      scenario({
        what: "clinic A's code word, in the Offers list",
        covers: [],
        setup: codeWordOfA,
        request: () => ({ method: 'GET', path: '/console/offers' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.word],
        secrets: (c) => [c.id, c.word],
      }),
    ],
  },
  'POST /console/offers': {
    none: "creates a code word of the caller's own clinic; its gift and segment are picked from the caller's own lists (another clinic's segment is segment_not_found, as the API's entry proves)",
  },
  'GET /console/offers/code-words/:id': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: codeWordOfA,
        request: (c) => ({ method: 'GET', path: `/console/offers/code-words/${c.id}` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.word],
        secrets: (c) => [c.word],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/offers/code-words/${ghostId('cwd')}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/offers/code-words/:id/end': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: codeWordOfA,
        request: (c) => ({ method: 'POST', path: `/console/offers/code-words/${c.id}/end`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('code_word_not_found'),
        shows: (c) => [`/console/offers/code-words/${c.id}?ended=1`],
        secrets: (c) => [c.word],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/offers/code-words/${ghostId('cwd')}/end`,
            form: {},
          }),
        },
      }),
    ],
  },
  'POST /console/offers/code-words/:id/codes': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: (s) => codeWordOfA(s, true),
        request: (c) => ({ method: 'POST', path: `/console/offers/code-words/${c.id}/codes`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('code_word_not_found'),
        shows: (c) => [`/console/offers/code-words/${c.id}?generated=`],
        secrets: (c) => [c.word],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/offers/code-words/${ghostId('cwd')}/codes`,
            form: {},
          }),
        },
      }),
    ],
  },
  'GET /console/offers/code-words/:id/codes.csv': {
    scenarios: [
      scenario({
        what: "clinic A's code word",
        covers: ['id'],
        setup: (s) => codeWordOfA(s, true),
        request: (c) => ({ method: 'GET', path: `/console/offers/code-words/${c.id}/codes.csv` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.patient.id],
        secrets: (c) => [c.patient.id, c.patient.last_name],
        ghost: {
          what: 'a code word that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/offers/code-words/${ghostId('cwd')}/codes.csv` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/patients/:id/code-word': {
    scenarios: [
      scenario({
        what: "clinic A's patient, with clinic A's code word",
        covers: ['id'],
        setup: codeWordOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/patients/${c.patient.id}/code-word`,
          form: { word: c.word },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (c) => [`/console/patients/${c.patient.id}?code_word=cwu_`],
        secrets: (c) => [c.patient.last_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/code-word`,
            form: { word: c.word },
          }),
        },
      }),
    ],
  },
  // == Referrals, every-Nth-visit rules and visit reversals (issue 12): entries go here ==
  // visit rules and reversals
  'GET /v1/visit-rules': {
    scenarios: [
      scenario({
        what: "clinic A's every-Nth-visit rule, in the list",
        covers: [],
        setup: visitRuleOfA,
        request: () => ({ method: 'GET', path: '/v1/visit-rules' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.id, c.name],
        secrets: (c) => [c.id, c.name],
      }),
    ],
  },
  'POST /v1/visit-rules': {
    none: "starts a rule of the caller's own clinic; the offer it may name is the network's catalogue, open to every clinic",
  },
  'PATCH /v1/visit-rules/{id}': {
    scenarios: [
      scenario({
        what: "clinic A's every-Nth-visit rule",
        covers: ['id'],
        setup: visitRuleOfA,
        request: (c) => ({ method: 'PATCH', path: `/v1/visit-rules/${c.id}`, body: { window_days: 30 } }),
        rightful: ['clinic A'],
        refusal: problem('visit_rule_not_found'),
        shows: (c) => [c.name],
        secrets: (c) => [c.name],
        ghost: {
          what: 'a rule that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'PATCH',
            path: `/v1/visit-rules/${ghostId('vrl')}`,
            body: { window_days: 30 },
          }),
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/punch-cards': {
    scenarios: [
      scenario({
        what: "clinic A's patient's punch cards",
        covers: ['id'],
        setup: async (s) => ({ rule: await visitRuleOfA(s), patient: await patientOfA(s) }),
        request: (c) => ({ method: 'GET', path: `/v1/patients/${c.patient.id}/punch-cards` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (c) => [c.rule.name],
        secrets: (c) => [c.rule.name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/punch-cards` }),
        },
      }),
    ],
  },
  'POST /v1/visits/{id}/reverse': {
    scenarios: [
      scenario({
        what: "a visit of clinic A's patient",
        covers: ['id'],
        setup: visitOfA,
        request: (c) => ({
          method: 'POST',
          path: `/v1/visits/${c.visit.id}/reverse`,
          body: { reason: 'error' },
        }),
        rightful: ['clinic A'],
        refusal: problem('visit_not_found'),
        shows: (c) => [c.visit.id],
        secrets: (c) => [c.patient.id],
        ghost: {
          what: 'a visit that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/v1/visits/${ghostId('vis')}/reverse`,
            body: { reason: 'error' },
          }),
        },
      }),
    ],
  },
  'GET /console/offers/visit-rules': {
    scenarios: [
      scenario({
        what: "clinic A's every-Nth-visit rules",
        covers: [],
        setup: visitRuleOfA,
        request: () => ({ method: 'GET', path: '/console/offers/visit-rules' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.name],
        secrets: (c) => [c.name, c.id],
      }),
    ],
  },
  'POST /console/offers/visit-rules': {
    none: "starts a rule of the caller's own clinic; the offer it may name is the network's catalogue, open to every clinic",
  },
  'POST /console/offers/visit-rules/:id/active': {
    scenarios: [
      scenario({
        what: "clinic A's every-Nth-visit rule",
        covers: ['id'],
        setup: visitRuleOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/offers/visit-rules/${c.id}/active`,
          form: { active: 'no' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('visit_rule_not_found'),
        shows: () => ['/console/offers/visit-rules?ended=1'],
        ghost: {
          what: 'a rule that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/offers/visit-rules/${ghostId('vrl')}/active`,
            form: { active: 'no' },
          }),
        },
      }),
    ],
  },
  'POST /console/patients/:id/visits/:visit/reverse': {
    scenarios: [
      scenario({
        what: "a visit of clinic A's patient",
        covers: ['id', 'visit'],
        setup: visitOfA,
        request: (c) => ({
          method: 'POST',
          path: `/console/patients/${c.patient.id}/visits/${c.visit.id}/reverse`,
          form: { reason: 'error' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('visit_not_found'),
        shows: (c) => [`/console/patients/${c.patient.id}?reversed=1`],
        ghost: {
          what: 'a visit that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: `/console/patients/${c.patient.id}/visits/${ghostId('vis')}/reverse`,
            form: { reason: 'error' },
          }),
        },
      }),
    ],
  },
  // referrals
  'PUT /v1/patients/{id}/referral': {
    scenarios: [
      scenario({
        what: "clinic A's patient, linked to another of A's patients by their code",
        covers: ['id'],
        setup: (s) => referralScene(s.api, s.net.clinic.key, s.tag),
        request: (c) => ({
          method: 'PUT',
          path: `/v1/patients/${c.referee.id}/referral`,
          body: { code: c.code },
        }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (c) => [c.referrer.id, c.referee.first_name],
        secrets: (c) => [c.referrer.id, c.referee.first_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'PUT',
            path: `/v1/patients/${ghostId('pat')}/referral`,
            body: { code: c.code },
          }),
        },
      }),
    ],
  },
  'GET /v1/patients/{id}/referrals': {
    scenarios: [
      scenario({
        what: "clinic A's patient who referred another",
        covers: ['id'],
        setup: (s) => referralScene(s.api, s.net.clinic.key, s.tag, true),
        request: (c) => ({ method: 'GET', path: `/v1/patients/${c.referrer.id}/referrals` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (c) => [c.code, c.referee.first_name],
        secrets: (c) => [c.code, c.referee.first_name],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/referrals` }),
        },
      }),
    ],
  },
  'GET /v1/referrals': {
    scenarios: [
      scenario({
        what: "clinic A's referral tree",
        covers: [],
        setup: (s) => referralScene(s.api, s.net.clinic.key, s.tag, true),
        request: () => ({ method: 'GET', path: '/v1/referrals' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.referrer.id, c.referee.first_name],
        secrets: (c) => [c.referrer.id, c.referee.first_name],
      }),
    ],
    notTenant: { cursor: "a position in the caller's own tree; names no one's record" },
  },
  'GET /j/:code': {
    scenarios: [
      scenario({
        what: "the invite page of clinic A's patient's code (public: the code is what is passed on)",
        covers: ['code'],
        setup: (s) => referralScene(s.api, s.net.clinic.key, s.tag, true),
        request: (c) => ({ method: 'GET', path: `/j/${c.code}` }),
        rightful: CALLERS,
        shows: (c) => [`${c.referrer.first_name} invites you to`],
        secrets: (c) => [c.referrer.last_name],
        check: (res, c) => expect(res.text).not.toContain(c.referrer.last_name),
        ghost: {
          what: 'a code no patient has',
          caller: 'no one',
          request: () => ({ method: 'GET', path: '/j/0000000000' }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /m/:token': {
    scenarios: [
      scenario({
        what: "clinic A's patient's own page (the signed token is the credential)",
        covers: ['token'],
        setup: async (s) => {
          const c = await referralScene(s.api, s.net.clinic.key, s.tag, true);
          const theirs = await createPatient(s.api, s.net.otherClinic.key, { first_name: `Berta${s.tag}` });
          return { ...c, theirs };
        },
        request: (c) => ({ method: 'GET', path: `/m/${c.memberToken}` }),
        rightful: CALLERS,
        shows: (c) => [`Your rewards at`, c.code],
        secrets: (c) => [c.code],
        ghost: {
          what: "clinic B's patient's id with A's patient's signature",
          caller: 'no one',
          request: (c) => ({ method: 'GET', path: `/m/${c.theirs.id}.${c.memberToken.split('.')[1]}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /console/offers/referrals': {
    scenarios: [
      scenario({
        what: "clinic A's referral tree",
        covers: [],
        setup: (s) => referralScene(s.api, s.net.clinic.key, s.tag, true),
        request: () => ({ method: 'GET', path: '/console/offers/referrals' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.referrer.id, c.referee.first_name],
        secrets: (c) => [c.referrer.id, c.referee.first_name],
      }),
    ],
  },
  'POST /console/patients/:id/referral': {
    scenarios: [
      scenario({
        what: "clinic A's patient, linked to another of A's patients by their code",
        covers: ['id'],
        setup: (s) => referralScene(s.api, s.net.clinic.key, s.tag),
        request: (c) => ({
          method: 'POST',
          path: `/console/patients/${c.referee.id}/referral`,
          form: { code: c.code },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (c) => [`/console/patients/${c.referee.id}?referred=1`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: (c) => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/referral`,
            form: { code: c.code },
          }),
        },
      }),
    ],
  },
  // == VIP, birthdays and rewards (issue 12): entries go here ==
  ...vipEntries(),
  // == The outbox, delivery settings, callbacks and opt-outs (issue 13): entries go here ==
  'GET /v1/messages': {
    scenarios: [
      scenario({
        what: "clinic A's patient's messages, filtered by the patient",
        covers: ['patient_id'],
        setup: (s) => messageOfA(s, 'sent'),
        request: (c) => ({ method: 'GET', path: '/v1/messages', query: { patient_id: c.patient.id } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.id],
        secrets: (c) => [c.id, c.body],
      }),
    ],
  },
  'GET /v1/messages/{id}': {
    scenarios: [
      scenario({
        what: "a message to clinic A's patient",
        covers: ['id'],
        setup: (s) => messageOfA(s, 'sent'),
        request: (c) => ({ method: 'GET', path: `/v1/messages/${c.id}` }),
        rightful: ['clinic A'],
        refusal: problem('message_not_found'),
        shows: (c) => [c.id, c.body],
        secrets: (c) => [c.body],
        ghost: {
          what: 'a message that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/messages/${ghostId('msg')}` }),
        },
      }),
    ],
  },
  'POST /v1/messages/{id}/retry': {
    scenarios: [
      scenario({
        what: "a dead message to clinic A's patient",
        covers: ['id'],
        setup: (s) => messageOfA(s, 'dead'),
        request: (c) => ({ method: 'POST', path: `/v1/messages/${c.id}/retry` }),
        rightful: ['clinic A'],
        refusal: problem('message_not_found'),
        shows: () => ['"queued"'],
        secrets: (c) => [c.body],
        ghost: {
          what: 'a message that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/v1/messages/${ghostId('msg')}/retry` }),
        },
      }),
    ],
  },
  'GET /v1/messaging/settings': { none: "the caller's own delivery settings; takes nothing" },
  'PUT /v1/messaging/settings': { none: "sets the caller's own delivery settings; refers to nothing else" },
  'POST /webhooks/resend': {
    none: "Resend's delivery callback, verified by its Svix signature (no caller, no key); a message is found by Resend's own id (messages-callbacks.test.ts: bad, missing and stale signatures refused)",
  },
  'POST /webhooks/twilio/status': {
    none: "Twilio's status callback, verified by X-Twilio-Signature (no caller, no key); a message is found by Twilio's own id (messages-callbacks.test.ts)",
  },
  'POST /webhooks/twilio/inbound': {
    none: "an SMS reply, verified by X-Twilio-Signature: a stop word withdraws SMS consent of the sender's own number (messages-callbacks.test.ts)",
  },
  'GET /u/:token': {
    scenarios: [
      scenario({
        what: "the unsubscribe page of an e-mail to clinic A's patient (the signed token is the credential)",
        covers: ['token'],
        setup: async (s) => {
          const m = await messageOfA(s, 'sent');
          const theirs = await outboxMessage(s.net.otherClinic.id, null, { toAddress: 'x@example.com' });
          return { ...m, theirs };
        },
        request: (c) => ({ method: 'GET', path: `/u/${c.token}` }),
        rightful: CALLERS,
        shows: (c) => [c.clinicName],
        secrets: () => [],
        ghost: {
          what: "clinic B's message id with A's message's signature",
          caller: 'no one',
          request: (c) => ({ method: 'GET', path: `/u/${c.theirs}.${c.token.split('.')[1]}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /u/:token': {
    none: "the one-click unsubscribe (RFC 8058) on the e-mail's own link (messages-callbacks.test.ts: idempotent, forged tokens 404)",
    notTenant: { token: 'the credential itself (as GET /u/:token), not a reference' },
  },
  'GET /console/outbox': {
    scenarios: [
      scenario({
        what: "clinic A's messages in the Outbox, by status",
        covers: ['status', 'after'],
        setup: (s) => messageOfA(s, 'dead'),
        request: () => ({ method: 'GET', path: '/console/outbox', query: { status: 'dead' } }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.id],
        secrets: (c) => [c.id],
      }),
    ],
  },
  'GET /console/outbox/settings': { none: "the signed-in clinic's own delivery settings; takes nothing" },
  'POST /console/outbox/settings': {
    none: "saves the signed-in clinic's own delivery settings; refers to nothing else",
  },
  'GET /console/outbox/:id': {
    scenarios: [
      scenario({
        what: "a message to clinic A's patient, as sent",
        covers: ['id'],
        setup: (s) => messageOfA(s, 'sent'),
        request: (c) => ({ method: 'GET', path: `/console/outbox/${c.id}` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (c) => [c.greeting],
        secrets: (c) => [c.greeting],
        ghost: {
          what: 'a message that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/outbox/${ghostId('msg')}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'POST /console/outbox/:id/retry': {
    scenarios: [
      scenario({
        what: "a dead message to clinic A's patient",
        covers: ['id'],
        setup: (s) => messageOfA(s, 'dead'),
        request: (c) => ({ method: 'POST', path: `/console/outbox/${c.id}/retry`, form: {} }),
        rightful: ['clinic A'],
        refusal: redirect('message_not_found'),
        shows: (c) => [`/console/outbox/${c.id}?retried=1`],
        ghost: {
          what: 'a message that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'POST', path: `/console/outbox/${ghostId('msg')}/retry`, form: {} }),
        },
      }),
    ],
  },
  // == Templates and languages (issue 13): entries go here ==
  'GET /v1/message_templates': {
    scenarios: [
      scenario({
        what: "clinic A's own wording of a message",
        covers: [],
        setup: messageTemplateOfA,
        request: () => ({ method: 'GET', path: '/v1/message_templates' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.word],
        secrets: (c) => [c.word],
      }),
    ],
  },
  'PUT /v1/message_templates/{kind}/{channel}/{locale}': {
    none: "sets the caller's own clinic's wording (kind, channel and language name no one's resource)",
  },
  'DELETE /v1/message_templates/{kind}/{channel}/{locale}': {
    none: "resets the caller's own clinic's wording (kind, channel and language name no one's resource)",
  },
  'POST /v1/message_templates/preview': {
    scenarios: [
      scenario({
        what: "clinic A's own wording, previewed",
        covers: [],
        setup: messageTemplateOfA,
        request: () => ({
          method: 'POST',
          path: '/v1/message_templates/preview',
          body: { kind: 'card_link', channel: 'sms', locale: 'es' },
        }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.word],
        secrets: (c) => [c.word],
      }),
    ],
  },
  'GET /console/templates': { none: "lists the caller's own clinic's messages; takes nothing" },
  'GET /console/templates/:kind/:channel/:locale': {
    scenarios: [
      scenario({
        what: "clinic A's own wording of a message",
        covers: [],
        setup: messageTemplateOfA,
        request: () => ({ method: 'GET', path: '/console/templates/card_link/sms/es' }),
        rightful: ['clinic A'],
        refusal: hidden,
        shows: (c) => [c.word],
        secrets: (c) => [c.word],
      }),
    ],
  },
  'POST /console/templates/:kind/:channel/:locale': {
    none: "sets the caller's own clinic's wording (kind, channel and language name no one's resource)",
  },
  'POST /console/templates/:kind/:channel/:locale/reset': {
    none: "resets the caller's own clinic's wording (kind, channel and language name no one's resource)",
  },
  'POST /console/patients/:id/language': {
    scenarios: [
      scenario({
        what: "clinic A's patient",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({
          method: 'POST',
          path: `/console/patients/${p.id}/language`,
          form: { locale: 'es', timezone: '' },
        }),
        rightful: ['clinic A'],
        refusal: redirect('patient_not_found'),
        shows: (p) => [`/console/patients/${p.id}?language=saved`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({
            method: 'POST',
            path: `/console/patients/${ghostId('pat')}/language`,
            form: { locale: 'es', timezone: '' },
          }),
        },
      }),
    ],
  },
  // == The card page (issue 13): entries go here ==
  'GET /v1/patients/{id}/card': {
    scenarios: [
      scenario({
        what: "clinic A's patient's card and card-page link",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/v1/patients/${p.id}/card` }),
        rightful: ['clinic A'],
        refusal: problem('patient_not_found'),
        shows: (p) => [p.id, p.card_number],
        secrets: (p) => [p.card_number],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/card` }),
        },
      }),
    ],
  },
  'GET /c/:token': {
    scenarios: [
      scenario({
        what: "clinic A's patient's card page (the signed token is the credential)",
        covers: ['token'],
        setup: async (s) => {
          const p = await patientOfA(s);
          const card = await s.api.get(`/v1/patients/${p.id}/card`, { token: s.net.clinic.key });
          const theirs = await createPatient(s.api, s.net.otherClinic.key, { first_name: `Berta${s.tag}` });
          const token = new URL((card.body as { url: string }).url).pathname.split('/')[2]!;
          return { ...p, token, theirs };
        },
        request: (c) => ({ method: 'GET', path: `/c/${c.token}` }),
        rightful: CALLERS,
        shows: (c) => ['Your card at', c.last_name],
        secrets: (c) => [c.last_name],
        ghost: {
          what: "clinic B's patient's id with A's patient's signature",
          caller: 'no one',
          request: (c) => ({ method: 'GET', path: `/c/${c.theirs.id}.${c.token.split('.')[1]}` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /console/patients/:id/card': {
    scenarios: [
      scenario({
        what: "clinic A's patient's card page link",
        covers: ['id'],
        setup: patientOfA,
        request: (p) => ({ method: 'GET', path: `/console/patients/${p.id}/card` }),
        rightful: ['clinic A'],
        refusal: { kind: 'status', status: 404 },
        shows: (p) => [p.last_name, `/c/${p.id}.`],
        secrets: (p) => [p.last_name, `/c/${p.id}.`],
        ghost: {
          what: 'a patient that does not exist',
          caller: 'clinic A',
          request: () => ({ method: 'GET', path: `/console/patients/${ghostId('pat')}/card` }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /partner/cards/:number': {
    scenarios: [
      scenario({
        what: "the card of clinic A's patient, scanned at any partner's counter (cards are network-wide)",
        covers: ['number'],
        setup: cardOfA,
        request: (p) => ({ method: 'GET', path: `/partner/cards/${p.card_number}` }),
        rightful: ['partner P1', 'partner P2'],
        shows: (p) => [`Card of ${p.first_name}`, `value="${p.card_number}"`],
        secrets: (p) => [p.first_name],
        ghost: {
          what: 'a card number no card has',
          caller: 'partner P2',
          request: () => ({ method: 'GET', path: '/partner/cards/0000000000000000' }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /partner/cards/:number/photo': {
    scenarios: [
      scenario({
        what: "the photo on the card of clinic A's patient, for any partner's counter session",
        covers: ['number'],
        setup: async (s) => {
          const p = await cardOfA(s);
          const key = `cards/${p.id}/matrix`;
          await env.CARD_PHOTOS.put(key, PNG, { httpMetadata: { contentType: 'image/png' } });
          await env.DB.prepare('update patients set card_photo_key = ? where id = ?').bind(key, p.id).run();
          return p;
        },
        request: (p) => ({ method: 'GET', path: `/partner/cards/${p.card_number}/photo` }),
        rightful: ['partner P1', 'partner P2'],
        anonymous: { kind: 'status', status: 401 },
        check: (res) => expect(res.headers.get('content-type')).toBe('image/png'),
        ghost: {
          what: 'a card number no card has',
          caller: 'partner P2',
          request: () => ({ method: 'GET', path: '/partner/cards/0000000000000000/photo' }),
          expect: { kind: 'status', status: 404 },
        },
      }),
    ],
  },
  'GET /c/:token/photo': {
    none: "the holder's photo on their own link (card-page.test.ts: forged links and cards without a photo are 404)",
    notTenant: { token: "the link's token is the credential itself (as GET /c/:token), not a reference" },
  },
  'POST /c/:token/photo': {
    none: "the holder's photo set or removed on their own link (card-page.test.ts: forged links, other origins and a wrong form token refused)",
    notTenant: { token: "the link's token is the credential itself (as GET /c/:token), not a reference" },
  },
  // == Sending: gifts, scheduled messages and events (issue 13): entries go here ==
  ...sendingEntries(),
};

// ---------------------------------------------------------------------------------------------------
// VIP, birthdays and rewards (issue 12)

/** Clinic A's patient with an available discount reward. */
async function rewardOfA(s: Scene) {
  const patient = await patientOfA(s);
  const id = newId('rwd', T0);
  await env.DB.prepare(
    `insert into loyalty_rewards (id, clinic_id, patient_id, source, source_id, reason_key, kind, title,
      discount_bps, currency, status, granted_at)
     values (?, ?, ?, 'code_word', 'cwd_x', ?, 'discount_bps', ?, 1000, 'EUR', 'available', ?)`,
  )
    .bind(id, s.net.clinic.id, patient.id, `matrix:${id}`, `Spring ${s.tag}`, T0)
    .run();
  return { patient, id };
}

/** Clinic A's patient marked VIP, with partner P1's offer as the clinic's VIP perk. */
async function vipOfA(s: Scene) {
  const patient = await patientOfA(s);
  const offer = await offerOfP1(s);
  const put = await s.api.put('/v1/loyalty/settings', {
    token: s.net.clinic.key,
    body: {
      referral: { reward: null, cap_per_year: 5 },
      birthday: { reward: null, days_before: 7 },
      vip: { segment_id: null, gifts_per_year: 3, perk_offer_ids: [offer.id] },
    },
  });
  expect(put.status, put.text).toBe(200);
  const marked = await s.api.put(`/v1/patients/${patient.id}/vip`, {
    token: s.net.clinic.key,
    body: { reason: `Founder ${s.tag}` },
  });
  expect(marked.status, marked.text).toBe(200);
  return { patient, offer };
}

function vipEntries(): Record<string, Entry> {
  const settings = (segmentId: string | null) => ({
    referral: { reward: null, cap_per_year: 5 },
    birthday: { reward: null, days_before: 7 },
    vip: { segment_id: segmentId, gifts_per_year: null, perk_offer_ids: [] },
  });
  const catalogue = "the catalogue is the whole network's: any clinic may name any active offer";
  return {
    'GET /v1/loyalty/settings': { none: "the caller's own loyalty settings; takes nothing" },
    'PUT /v1/loyalty/settings': {
      scenarios: [
        scenario({
          what: "clinic A's segment, named as the VIP segment",
          covers: ['vip.segment_id'],
          setup: async (s) => {
            const seg = await s.api.post('/v1/segments', {
              token: s.net.clinic.key,
              body: { name: `VIPs ${s.tag}`, rules: [] },
            });
            expect(seg.status, seg.text).toBe(201);
            return seg.body as { id: string };
          },
          request: (c) => ({ method: 'PUT', path: '/v1/loyalty/settings', body: settings(c.id) }),
          rightful: ['clinic A'],
          refusal: problem('unknown_reference'),
          shows: (c) => [c.id],
          ghost: {
            what: 'a segment that does not exist',
            caller: 'clinic A',
            request: () => ({ method: 'PUT', path: '/v1/loyalty/settings', body: settings(ghostId('seg')) }),
          },
        }),
      ],
      notTenant: {
        'referral.reward.offer_id': catalogue,
        'birthday.reward.offer_id': catalogue,
        'vip.perk_offer_ids': catalogue,
      },
    },
    'PUT /v1/patients/{id}/vip': {
      scenarios: [
        scenario({
          what: "clinic A's patient",
          covers: ['id'],
          setup: patientOfA,
          request: (p) => ({ method: 'PUT', path: `/v1/patients/${p.id}/vip`, body: { reason: 'x' } }),
          rightful: ['clinic A'],
          refusal: problem('patient_not_found'),
          shows: (p) => [p.id, '"vip":true'],
          ghost: {
            what: 'a patient that does not exist',
            caller: 'clinic A',
            request: () => ({
              method: 'PUT',
              path: `/v1/patients/${ghostId('pat')}/vip`,
              body: { reason: 'x' },
            }),
          },
        }),
      ],
    },
    'DELETE /v1/patients/{id}/vip': {
      scenarios: [
        scenario({
          what: "clinic A's VIP patient",
          covers: ['id'],
          setup: async (s) => (await vipOfA(s)).patient,
          request: (p) => ({ method: 'DELETE', path: `/v1/patients/${p.id}/vip` }),
          rightful: ['clinic A'],
          refusal: problem('patient_not_found'),
          shows: (p) => [p.id, '"vip":false'],
          ghost: {
            what: 'a patient that does not exist',
            caller: 'clinic A',
            request: () => ({ method: 'DELETE', path: `/v1/patients/${ghostId('pat')}/vip` }),
          },
        }),
      ],
    },
    'GET /v1/vip': {
      scenarios: [
        scenario({
          what: "clinic A's VIP",
          covers: [],
          setup: vipOfA,
          request: () => ({ method: 'GET', path: '/v1/vip' }),
          rightful: ['clinic A'],
          refusal: hidden,
          shows: (c) => [c.patient.id],
          secrets: (c) => [c.patient.id, c.patient.last_name],
        }),
      ],
    },
    'GET /v1/patients/{id}/rewards': {
      scenarios: [
        scenario({
          what: "clinic A's patient's reward",
          covers: ['id'],
          setup: rewardOfA,
          request: (c) => ({ method: 'GET', path: `/v1/patients/${c.patient.id}/rewards` }),
          rightful: ['clinic A'],
          refusal: problem('patient_not_found'),
          shows: (c) => [c.id],
          secrets: (c) => [c.id],
          ghost: {
            what: 'a patient that does not exist',
            caller: 'clinic A',
            request: () => ({ method: 'GET', path: `/v1/patients/${ghostId('pat')}/rewards` }),
          },
        }),
      ],
    },
    'POST /v1/rewards/{id}/use': {
      scenarios: [
        scenario({
          what: "clinic A's available discount",
          covers: ['id'],
          setup: rewardOfA,
          request: (c) => ({ method: 'POST', path: `/v1/rewards/${c.id}/use` }),
          rightful: ['clinic A'],
          refusal: problem('reward_not_found'),
          shows: (c) => [c.id, '"status":"used"'],
          secrets: (c) => [c.patient.id],
          ghost: {
            what: 'a reward that does not exist',
            caller: 'clinic A',
            request: () => ({ method: 'POST', path: `/v1/rewards/${ghostId('rwd')}/use` }),
          },
        }),
      ],
    },
    'GET /console/offers/settings': {
      scenarios: [
        scenario({
          what: "clinic A's VIP, in the VIP list",
          covers: [],
          setup: vipOfA,
          request: () => ({ method: 'GET', path: '/console/offers/settings' }),
          rightful: ['clinic A'],
          refusal: hidden,
          shows: (c) => [c.patient.last_name],
          secrets: (c) => [c.patient.id, c.patient.last_name],
        }),
      ],
    },
    'POST /console/offers/settings': {
      none: "saves the caller's own settings; the segment and offers it names are checked as by PUT /v1/loyalty/settings",
    },
    'POST /console/patients/:id/vip': {
      scenarios: [
        scenario({
          what: "clinic A's patient",
          covers: ['id'],
          setup: patientOfA,
          request: (p) => ({ method: 'POST', path: `/console/patients/${p.id}/vip`, form: { op: 'mark' } }),
          rightful: ['clinic A'],
          refusal: redirect('patient_not_found'),
          shows: () => ['?vip=marked'],
          ghost: {
            what: 'a patient that does not exist',
            caller: 'clinic A',
            request: () => ({
              method: 'POST',
              path: `/console/patients/${ghostId('pat')}/vip`,
              form: { op: 'mark' },
            }),
          },
        }),
      ],
    },
    'POST /console/patients/:id/perks': {
      scenarios: [
        scenario({
          what: "clinic A's VIP, given the clinic's perk",
          covers: ['id'],
          setup: vipOfA,
          request: (c) => ({
            method: 'POST',
            path: `/console/patients/${c.patient.id}/perks`,
            form: { offer_id: c.offer.id },
          }),
          rightful: ['clinic A'],
          refusal: redirect('patient_not_found'),
          shows: () => ['/console/gifts/vch_'],
          ghost: {
            what: 'a patient that does not exist',
            caller: 'clinic A',
            request: (c) => ({
              method: 'POST',
              path: `/console/patients/${ghostId('pat')}/perks`,
              form: { offer_id: c.offer.id },
            }),
          },
        }),
      ],
      notTenant: { offer_id: catalogue },
    },
    'POST /console/rewards/:id/use': {
      scenarios: [
        scenario({
          what: "clinic A's available discount",
          covers: ['id'],
          setup: rewardOfA,
          request: (c) => ({ method: 'POST', path: `/console/rewards/${c.id}/use`, form: {} }),
          rightful: ['clinic A'],
          refusal: redirect('reward_not_found', '/console/patients'),
          shows: (c) => [`/console/patients/${c.patient.id}?used=1`],
          ghost: {
            what: 'a reward that does not exist',
            caller: 'clinic A',
            request: () => ({ method: 'POST', path: `/console/rewards/${ghostId('rwd')}/use`, form: {} }),
          },
        }),
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The router's routes, and what each takes

const app = createClient().app;
const inventory = routeInventory(app);
const apiKey = (r: Pick<InventoryRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;
const honoStyle = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const apiRoutes = new Map(inventory.map((r) => [apiKey(r), r]));
const apiHonoPaths = new Set(inventory.map((r) => `${r.method} ${honoStyle(r.path)}`));
/** Everything registered outside app.openapi: the pages (the counter, the patient link, docs). */
const pageRoutes = [
  ...new Set(
    app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !apiHonoPaths.has(k)),
  ),
];
/** The page kind a route belongs to: the counter page (partners) or the console (clinics); null for the API. */
const pageKind = (key: string): 'partner' | 'clinic' | null =>
  / \/partner(\/|$)/.test(key) ? 'partner' : / \/console(\/|$)/.test(key) ? 'clinic' : null;
const isPage = (key: string) => pageKind(key) !== null;

/** Parameter and body field names that refer to something that may be another tenant's (or the caller's own). */
const REFERENCE = /^(id|token|card_number|q|period|reference)$|_id$/;

function referenceFields(doc: any, key: string): string[] {
  const names = new Set<string>();
  const [method, path] = key.split(' ') as [string, string];
  for (const m of path.matchAll(/[{:](\w+)/g)) names.add(m[1]!);
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  for (const p of op?.parameters ?? []) names.add(p.name);
  let schema = op?.requestBody?.content?.['application/json']?.schema;
  if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()];
  for (const k of Object.keys(schema?.properties ?? {})) names.add(k);
  return [...names].filter((n) => REFERENCE.test(n));
}

// ---------------------------------------------------------------------------------------------------
// Calling and checking

/**
 * Sends a scenario's request as a caller: an API key, or a page session (a form with the session's
 * CSRF token). `once` is the Idempotency-Key (API) or the form's one-time submission key (pages).
 */
async function send(s: Scene, key: string, caller: Caller, req: Req, once?: string): Promise<ApiResponse> {
  const url = req.query ? `${req.path}?${new URLSearchParams(req.query)}` : req.path;
  if (!isPage(key) && req.image) {
    const token = keyOf(s, caller);
    const res = await s.api.app.request(
      `${ORIGIN}${url}`,
      {
        method: req.method,
        body: req.image,
        headers: { 'content-type': 'image/png', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      env,
    );
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: JSON.parse(text || 'null') };
  }
  if (!isPage(key)) {
    return s.api.request(req.method, url, {
      token: keyOf(s, caller),
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(once ? { headers: { 'idempotency-key': once } } : {}),
    });
  }
  const headers: Record<string, string> = { origin: ORIGIN };
  let csrf = '';
  const kind = pageKind(key);
  if (ROLE[caller] === kind) {
    const own = await session(s, caller);
    headers.cookie = own.cookie;
    csrf = own.csrf;
  } else if (caller in ORG_OF) {
    // Staff of the other kind of organisation cannot open a session on this page: the caller has none.
    const own = await session(s, caller);
    const refused = await passkeySignIn(s.api, own.authenticator, kind!);
    expect(refused.res.status, refused.res.text).toBe(403);
    expect(refused.res.headers.get('set-cookie')).toBeNull();
  }
  if (!req.form) return s.api.request(req.method, url, { headers });
  headers['content-type'] = 'application/x-www-form-urlencoded';
  const rawBody = new URLSearchParams({ csrf, submission: once ?? randomToken(18), ...req.form }).toString();
  return s.api.request(req.method, url, { headers, rawBody });
}

const describeOutcome = (o: Outcome): string =>
  o.kind === 'ok'
    ? 'rightful: 2xx'
    : o.kind === 'problem'
      ? `${ERRORS[o.code].status} ${o.code}`
      : o.kind === 'redirect'
        ? `303 ${o.to ?? '/partner'}?error=${o.code}`
        : o.kind === 'verdict'
          ? `200 { valid: false, code: ${o.code} }`
          : o.kind === 'signIn'
            ? `${o.status} sign-in page`
            : o.kind === 'hidden'
              ? '2xx without any of it'
              : `${o.status}`;

function expectOutcome(res: ApiResponse, o: Outcome, key: string, shows: string[], secrets: string[]) {
  const seen = `${res.headers.get('location') ?? ''}\n${res.text}`;
  const label = `${res.status} ${seen.slice(0, 300)}`;
  const pageForm = isPage(key) && key.startsWith('POST ');
  switch (o.kind) {
    case 'ok':
      if (pageForm) {
        // A form either redirects to its outcome or (the voucher check) shows it.
        expect([200, 303], label).toContain(res.status);
        expect(res.headers.get('location') ?? '', label).not.toContain('error=');
      } else {
        expect(res.status, label).toBeGreaterThanOrEqual(200);
        expect(res.status, label).toBeLessThan(300);
      }
      for (const s of shows) expect(seen, `shows ${s}`).toContain(s);
      return;
    case 'problem':
      expect(res.status, label).toBe(ERRORS[o.code].status);
      expect(res.headers.get('content-type'), label).toContain('application/problem+json');
      expect(res.body.code, label).toBe(o.code);
      break;
    case 'hidden':
      expect(res.status, label).toBeGreaterThanOrEqual(200);
      expect(res.status, label).toBeLessThan(300);
      if (o.says) expect(res.text, label).toContain(o.says);
      break;
    case 'redirect':
      expect(res.status, label).toBe(303);
      if (o.to) expect(res.headers.get('location'), label).toBe(`${o.to}?error=${o.code}`);
      else
        expect(res.headers.get('location'), label).toMatch(
          new RegExp(`^/(partner|console)[^?]*\\?(.*&)?error=${o.code}$`),
        );
      break;
    case 'verdict':
      expect(res.status, label).toBe(200);
      expect(res.body, label).toEqual({ valid: false, code: o.code });
      break;
    case 'signIn':
      expect(res.status, label).toBe(o.status);
      expect(res.text, label).toContain('Sign in');
      break;
    case 'status':
      expect(res.status, label).toBe(o.status);
      break;
  }
  for (const s of secrets) expect(seen, `must not reveal ${s}`).not.toContain(s);
}

/** What a caller must get, from the scenario and the roles the route itself declares. */
function expected(key: string, sc: Scenario<any>, caller: Caller): { outcome: Outcome; finding?: string } {
  const exception = sc.exceptions?.[caller];
  if (exception) return { outcome: exception.expect, finding: exception.finding };
  if (sc.rightful.includes(caller)) return { outcome: ok };
  const role = ROLE[caller];
  if (isPage(key)) {
    if (role !== pageKind(key)) return { outcome: sc.anonymous ?? { kind: 'signIn', status: 401 } };
  } else {
    const roles = apiRoutes.get(key)?.authorization?.roles;
    if (roles && role === null) return { outcome: problem('unauthorized') };
    if (roles && !roles.includes(role!)) return { outcome: problem('forbidden') };
  }
  if (!sc.refusal)
    throw new Error(`${key} (${sc.what}): ${caller} is admitted but not rightful; give a refusal`);
  return { outcome: sc.refusal };
}

// ---------------------------------------------------------------------------------------------------
// The table covers the router

describe('tenant matrix: the table accounts for every route of the router', () => {
  it('has an entry for every API route and page, and no entry for a route that does not exist', () => {
    const routes = [...apiRoutes.keys(), ...pageRoutes];
    expect(routes.length).toBeGreaterThan(40);
    expect(
      routes.filter((k) => !(k in MATRIX)),
      'routes missing from the matrix',
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((k) => !routes.includes(k)),
      'matrix entries naming no route',
    ).toEqual([]);
  });

  it('exercises or explains every id, token, card number, search and month a route takes', async () => {
    const doc = (await createClient().get('/openapi.json')).body;
    const unaccounted: string[] = [];
    for (const [key, entry] of Object.entries(MATRIX)) {
      const covered = new Set([
        ...('scenarios' in entry ? entry.scenarios.flatMap((s) => s.covers) : []),
        ...Object.keys(entry.notTenant ?? {}),
      ]);
      for (const field of referenceFields(doc, key))
        if (!covered.has(field)) unaccounted.push(`${key}: ${field}`);
    }
    expect(unaccounted, 'reference fields with no scenario and no reason').toEqual([]);
    // The detection itself works: it sees the references of a body, a query and a path.
    expect(referenceFields(doc, 'POST /v1/vouchers')).toEqual(['patient_id', 'offer_id', 'partner_id']);
    expect(referenceFields(doc, 'GET /v1/vouchers')).toEqual(['patient_id']);
    expect(referenceFields(doc, 'POST /v1/points/redemptions')).toEqual(['card_number', 'reference']);
    expect(referenceFields(doc, 'GET /r/:token')).toEqual(['token']);
  });

  it('names as rightful only callers of roles the route admits', () => {
    for (const [key, entry] of Object.entries(MATRIX)) {
      if (!('scenarios' in entry)) continue;
      const roles = apiRoutes.get(key)?.authorization?.roles;
      for (const sc of entry.scenarios)
        for (const caller of sc.rightful) {
          if (isPage(key)) expect(ROLE[caller], `${key}: ${caller}`).toBe(pageKind(key));
          else if (roles) expect(roles, `${key}: ${caller}`).toContain(ROLE[caller]);
        }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The matrix itself

for (const [key, entry] of Object.entries(MATRIX)) {
  if (!('scenarios' in entry)) continue;
  for (const sc of entry.scenarios) {
    describe(`${key}: ${sc.what}`, () => {
      let scene: Scene;
      let ctx: any;
      beforeAll(async () => {
        scene = await newScene(sc.at ? Date.parse(sc.at) : T0);
        ctx = await sc.setup(scene);
      });
      // Refused callers first: the rightful ones, last, prove the refused attempts changed nothing.
      const refused = CALLERS.filter((c) => !sc.rightful.includes(c));
      const rightful = CALLERS.filter((c) => sc.rightful.includes(c));
      for (const caller of refused) {
        const { outcome, finding } = expected(key, sc, caller);
        it(`${caller} → ${describeOutcome(outcome)}${finding ? ` [finding: ${finding}]` : ''}`, async () => {
          const res = await send(scene, key, caller, sc.request(ctx, caller));
          expectOutcome(res, outcome, key, [], sc.secrets?.(ctx) ?? []);
        });
      }
      if (sc.ghost) {
        const ghost = sc.ghost;
        const outcome = ghost.expect ?? sc.refusal!;
        it(`${ghost.caller}, ${ghost.what} → ${describeOutcome(outcome)}`, async () => {
          const res = await send(scene, key, ghost.caller, ghost.request(ctx));
          expectOutcome(res, outcome, key, [], sc.secrets?.(ctx) ?? []);
        });
      }
      // Exactly-once requests: the rightful callers send one Idempotency-Key (or form submission key);
      // a refused caller sending the same request under the same key must be refused alike, never
      // answered with the owner's stored response.
      // (The counter's voucher check changes nothing and takes no submission key.)
      const replayable =
        apiRoutes.get(key)?.idempotent ||
        (isPage(key) && key.startsWith('POST ') && key !== 'POST /partner/verify');
      const onceKey = () => `matrix-${scene.tag}-0123456789`;
      for (const caller of rightful) {
        const { outcome } = expected(key, sc, caller);
        it(`${caller} → ${describeOutcome(outcome)}`, async () => {
          const res = await send(
            scene,
            key,
            caller,
            sc.request(ctx, caller),
            replayable ? onceKey() : undefined,
          );
          expectOutcome(res, outcome, key, sc.shows?.(ctx) ?? [], []);
          sc.check?.(res, ctx, caller);
        });
      }
      if (replayable && rightful.length > 0) {
        for (const caller of refused) {
          const { outcome } = expected(key, sc, caller);
          if (
            outcome.kind === 'signIn' ||
            (outcome.kind === 'problem' && ['unauthorized', 'forbidden'].includes(outcome.code))
          )
            continue;
          it(`${caller}, under the rightful caller's own ${isPage(key) ? 'submission key' : 'Idempotency-Key'} → ${describeOutcome(outcome)}, nothing replayed`, async () => {
            const res = await send(scene, key, caller, sc.request(ctx, caller), onceKey());
            expect(res.headers.get('idempotent-replayed')).toBeNull();
            expectOutcome(res, outcome, key, [], sc.secrets?.(ctx) ?? []);
          });
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Sending: gifts, scheduled messages and events (issue 13)

/** Clinic A's voucher for a patient who agreed to e-mail (issued without its automatic message). */
async function sendableVoucherOfA(s: Scene) {
  const patient = await createPatient(s.api, s.net.clinic.key, {
    first_name: `Ottilie${s.tag}`,
    last_name: `Quast${s.tag}`,
    email: `ottilie${s.tag}@example.com`,
    consent: { email: true },
  });
  const offer = await offerOfP1(s);
  const voucher = await issueVoucher(s.api, s.net.clinic.key, {
    patient_id: patient.id,
    offer_id: offer.id,
    notify: false,
  });
  return { patient, offer, voucher };
}

function sendingEntries(): Record<string, Entry> {
  return {
    'POST /v1/vouchers/{id}/send': {
      scenarios: [
        scenario({
          what: "clinic A's voucher, sent to its patient by e-mail",
          covers: ['id'],
          setup: sendableVoucherOfA,
          request: (c) => ({
            method: 'POST',
            path: `/v1/vouchers/${c.voucher.id}/send`,
            body: { channel: 'email' },
          }),
          rightful: ['clinic A'],
          refusal: problem('voucher_not_found'),
          shows: () => ['"queued"'],
          secrets: (c) => [c.voucher.token, c.offer.title, c.patient.id],
          ghost: {
            what: 'a voucher that does not exist',
            caller: 'clinic A',
            request: () => ({
              method: 'POST',
              path: `/v1/vouchers/${ghostId('vch')}/send`,
              body: { channel: 'email' },
            }),
          },
        }),
      ],
    },
    'POST /console/gifts/:id/send': {
      scenarios: [
        scenario({
          what: "clinic A's voucher, sent from its console page",
          covers: ['id'],
          setup: sendableVoucherOfA,
          request: (c) => ({
            method: 'POST',
            path: `/console/gifts/${c.voucher.id}/send`,
            form: { channel: 'email' },
          }),
          rightful: ['clinic A'],
          refusal: redirect('voucher_not_found'),
          shows: (c) => [`/console/gifts/${c.voucher.id}?sent=msg_`],
          ghost: {
            what: 'a voucher that does not exist',
            caller: 'clinic A',
            request: () => ({
              method: 'POST',
              path: `/console/gifts/${ghostId('vch')}/send`,
              form: { channel: 'email' },
            }),
          },
        }),
      ],
    },
  };
}
