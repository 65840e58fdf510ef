// Seeds the demo network through the public HTTP API with the operator token. Idempotent: existing
// organisations, patients and offers are found by name (or e-mail) and reused; demo API key secrets
// are kept in a gitignored file so that every run prints the same keys, and a key that no longer
// works is replaced.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_CLINICS, DEMO_PARTNERS } from './demo-network.mjs';

export async function seedDemoNetwork({ baseUrl, operatorToken, keysFile, log = () => {} }) {
  async function api(method, p, token, body) {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, body: json, text };
  }
  async function must(method, p, token, body) {
    const r = await api(method, p, token, body);
    if (r.status >= 300) throw new Error(`seed: ${method} ${p} answered ${r.status}: ${r.text}`);
    return r.body;
  }
  async function listAll(p, token, limit = 200) {
    const out = [];
    let cursor = null;
    do {
      const sep = p.includes('?') ? '&' : '?';
      const page = await must('GET', `${p}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token);
      out.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  const stored = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : {};
  const existing = new Map((await listAll('/v1/organizations', operatorToken)).map((o) => [o.name, o]));
  const created = { organizations: 0, keys: 0, patients: 0, offers: 0, visits: 0 };
  const orgs = [];

  for (const demo of [...DEMO_CLINICS, ...DEMO_PARTNERS]) {
    const {
      patients: _p,
      offers: _o,
      loyalty_program: _l,
      visits: _v,
      branches: _b,
      answers: _a,
      surveys: _s,
      segments: _g,
      loyalty: _y,
      ...fields
    } = demo;
    let org = existing.get(demo.name);
    if (!org) {
      org = await must('POST', '/v1/organizations', operatorToken, fields);
      created.organizations++;
    }
    let secret = stored[org.id]?.secret;
    if (!secret || (await api('GET', '/v1/me', secret)).status !== 200) {
      const key = await must('POST', `/v1/organizations/${org.id}/api_keys`, operatorToken, { name: 'demo' });
      secret = key.secret;
      created.keys++;
    }
    stored[org.id] = { name: org.name, kind: org.kind, secret };
    orgs.push({ ...org, key: secret, demo });
  }
  mkdirSync(path.dirname(keysFile), { recursive: true });
  writeFileSync(keysFile, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });

  for (const clinic of orgs.filter((o) => o.kind === 'clinic')) {
    const have = await listAll('/v1/patients', clinic.key);
    const names = new Set(have.map((p) => `${p.first_name} ${p.last_name}`));
    for (const patient of clinic.demo.patients) {
      if (names.has(`${patient.first_name} ${patient.last_name}`)) continue;
      await must('POST', '/v1/patients', clinic.key, patient);
      created.patients++;
    }
  }

  // Bonus programmes and a few paid visits, so the statement and the call list have something to show.
  // Visits carry a reference, so seeding again records nothing new (409: that reference is taken).
  for (const clinic of orgs.filter((o) => o.kind === 'clinic' && o.demo.loyalty_program)) {
    await must('PUT', '/v1/loyalty_program', clinic.key, clinic.demo.loyalty_program);
    const byName = new Map(
      (await listAll('/v1/patients', clinic.key)).map((p) => [`${p.first_name} ${p.last_name}`, p]),
    );
    for (const [name, visits] of Object.entries(clinic.demo.visits ?? {})) {
      const patient = byName.get(name);
      if (!patient) continue;
      for (const [daysAgo, amount] of visits) {
        const r = await api('POST', '/v1/visits', clinic.key, {
          patient_id: patient.id,
          amount: { amount, currency: clinic.currency },
          occurred_at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
          reference: `demo-${patient.card_number}-${daysAgo}`,
        });
        if (r.status === 201) created.visits++;
        else if (r.status !== 409) throw new Error(`seed: POST /v1/visits answered ${r.status}: ${r.text}`);
      }
    }
  }

  // Offers exist once the catalogue API is deployed; skip them gracefully on an older build.
  const partners = orgs.filter((o) => o.kind === 'partner');
  const probe = partners[0] ? await api('GET', '/v1/offers?limit=1', partners[0].key) : { status: 404 };
  if (probe.status === 200) {
    for (const partner of partners) {
      const have = new Set(
        (await listAll(`/v1/offers?partner_id=${partner.id}`, partner.key)).map((o) => o.title),
      );
      for (const offer of partner.demo.offers) {
        if (have.has(offer.title)) continue;
        await must('POST', '/v1/offers', partner.key, offer);
        created.offers++;
      }
    }
  } else {
    log('seed: the offers API is not available in this build; no offers seeded');
  }

  // Where partners are (set again on every run: an older seed made them without a place).
  for (const partner of partners.filter((p) => p.demo.latitude !== undefined))
    await must('PUT', '/v1/location', partner.key, {
      latitude: partner.demo.latitude,
      longitude: partner.demo.longitude,
      address: partner.demo.address,
    });

  // What the clinics know of their patients: branches, questionnaire answers, surveys, segments; then
  // the insight derived at once (A/B/C, quadrants), not at the next daily run.
  for (const clinic of orgs.filter((o) => o.kind === 'clinic')) {
    const demo = clinic.demo;
    const branchIds = new Map((await listAll('/v1/branches', clinic.key)).map((b) => [b.name, b.id]));
    for (const branch of demo.branches ?? []) {
      if (branchIds.has(branch.name)) continue;
      branchIds.set(branch.name, (await must('POST', '/v1/branches', clinic.key, branch)).id);
    }
    const byName = new Map(
      (await listAll('/v1/patients', clinic.key)).map((p) => [`${p.first_name} ${p.last_name}`, p]),
    );
    for (const [name, answers] of Object.entries(demo.answers ?? {})) {
      const patient = byName.get(name);
      if (!patient) continue;
      const have = await must(
        'GET',
        `/v1/patients/${patient.id}/questionnaire_responses?limit=1`,
        clinic.key,
      );
      if (have.data.length > 0) continue;
      const branch = answers.branch ? branchIds.get(answers.branch) : undefined;
      await must('POST', `/v1/patients/${patient.id}/questionnaire_responses`, clinic.key, {
        version: (await must('GET', '/v1/questionnaire', clinic.key)).version,
        answers: { ...answers, ...(branch ? { branch } : { branch: undefined }) },
      });
      created.answers = (created.answers ?? 0) + 1;
    }
    const answered = new Set((await listAll('/v1/survey_responses', clinic.key)).map((r) => r.patient_id));
    for (const [name, survey] of Object.entries(demo.surveys ?? {})) {
      const patient = byName.get(name);
      if (!patient || answered.has(patient.id)) continue;
      await must('POST', `/v1/patients/${patient.id}/survey_responses`, clinic.key, survey);
      created.surveys = (created.surveys ?? 0) + 1;
    }
    const segmentNames = new Set((await listAll('/v1/segments', clinic.key, 20)).map((g) => g.name));
    for (const segment of demo.segments ?? []) {
      if (segmentNames.has(segment.name)) continue;
      await must('POST', '/v1/segments', clinic.key, segment);
      created.segments = (created.segments ?? 0) + 1;
    }
    await must('POST', '/v1/insight/refresh', clinic.key);
    await seedLoyalty(clinic);
  }

  // The offers that bring patients back, and a plan for every patient (once: a plan seeded before stays).
  async function seedLoyalty(clinic) {
    const loyalty = clinic.demo.loyalty;
    if (loyalty) {
      await must('PUT', '/v1/loyalty/settings', clinic.key, loyalty.settings);
      const words = new Set((await listAll('/v1/code-words', clinic.key, 100)).map((w) => w.word));
      for (const { days, ...word } of loyalty.code_words) {
        if (words.has(word.word)) continue;
        await must('POST', '/v1/code-words', clinic.key, {
          ...word,
          valid_until: new Date(Date.now() + days * 86_400_000).toISOString(),
        });
        created.code_words = (created.code_words ?? 0) + 1;
      }
      const rules = new Set((await must('GET', '/v1/visit-rules', clinic.key)).data.map((r) => r.name));
      for (const rule of loyalty.visit_rules) {
        if (rules.has(rule.name)) continue;
        await must('POST', '/v1/visit-rules', clinic.key, rule);
        created.visit_rules = (created.visit_rules ?? 0) + 1;
      }
    }
    let byName = new Map(
      (await listAll('/v1/patients', clinic.key)).map((p) => [`${p.first_name} ${p.last_name}`, p]),
    );
    const referral = loyalty?.referral;
    const referrer = referral && byName.get(referral.referrer);
    const invited = referral && `${referral.patient.first_name} ${referral.patient.last_name}`;
    if (referrer && !byName.has(invited)) {
      const { code } = await must('GET', `/v1/patients/${referrer.id}/referrals`, clinic.key);
      const patient = await must('POST', '/v1/patients', clinic.key, {
        ...referral.patient,
        referral_code: code,
      });
      await must('POST', '/v1/visits', clinic.key, {
        patient_id: patient.id,
        amount: { amount: referral.first_visit, currency: clinic.currency },
        reference: `demo-${patient.card_number}-first`,
      });
      created.referrals = (created.referrals ?? 0) + 1;
      byName = new Map(
        (await listAll('/v1/patients', clinic.key)).map((p) => [`${p.first_name} ${p.last_name}`, p]),
      );
    }
    for (const name of loyalty?.vip ?? []) {
      const patient = byName.get(name);
      if (patient)
        await must('PUT', `/v1/patients/${patient.id}/vip`, clinic.key, {
          reason: 'Our longest-standing patient',
        });
    }
    for (const patient of byName.values()) {
      const { plan } = await must('GET', `/v1/patients/${patient.id}/plan`, clinic.key);
      if (plan?.generated_at) continue;
      await must('POST', `/v1/patients/${patient.id}/plan`, clinic.key, {});
      created.plans = (created.plans ?? 0) + 1;
    }
  }

  return { organizations: orgs.map(({ demo: _d, ...o }) => o), created };
}
