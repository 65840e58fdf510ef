import { env } from 'cloudflare:workers';
import { DAY_MS } from '@gratia/core';
import type { SegmentRule } from '@gratia/db';
import { previewSegment } from '@gratia/insight';
import { registerPatient } from '@gratia/network';
import { beforeAll, describe, expect, it } from 'vitest';
import { T0 } from '../helpers/api';
import { orgWithCaller, testDeps } from '../helpers/deps';

// The segment rules on a seeded cohort with known answers: each field and operator, rules ANDed, a
// patient without an insight row (read as zeros, never dropped), and another clinic's patients, never
// counted. The engine keeps patient_insight; here its rows are written directly (upserted, so the
// tests hold once a trigger creates the row with the patient).

type Clinic = Awaited<ReturnType<typeof orgWithCaller>>;

interface Seed {
  name: string;
  tags?: string[];
  birthDate?: string | null;
  consent?: { email?: boolean; sms?: boolean };
  insight?: Record<string, unknown> | null;
  card?: { balance: number; nextExpiryAt: number | null } | null;
}

export async function seedPatient(clinic: Clinic, s: Seed): Promise<string> {
  const deps = testDeps();
  const p = await registerPatient(deps, {
    clinic: clinic.principal,
    patient: {
      firstName: s.name,
      lastName: 'Cohort',
      email: `${s.name.toLowerCase()}@example.test`,
      phone: null,
      birthDate: s.birthDate ?? null,
      tags: s.tags ?? [],
      notes: null,
    },
    consent: s.consent ? { ...s.consent, source: 'test' } : undefined,
  });
  const clinicId = clinic.org.id;
  if (s.insight) {
    const cols = { clinic_id: clinicId, refreshed_at: T0, ...s.insight };
    const names = Object.keys(cols);
    const values = Object.values(cols).map((v) =>
      Array.isArray(v) || (v !== null && typeof v === 'object') ? JSON.stringify(v) : (v as unknown),
    );
    await env.DB.prepare(
      `insert into patient_insight (patient_id, ${names.join(', ')}) values (?, ${names.map(() => '?').join(', ')})
       on conflict (patient_id) do update set ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`,
    )
      .bind(p.id, ...values)
      .run();
  } else {
    // The engine creates the row with the patient; a patient without one must still be counted.
    await env.DB.prepare('delete from patient_insight where patient_id = ?').bind(p.id).run();
  }
  if (s.card) {
    await env.DB.prepare(
      `insert into point_accounts (patient_id, clinic_id, balance, earned, spent, expired, lifetime_spend,
         currency, discount_bps, updated_at, next_expiry_at) values (?, ?, ?, ?, 0, 0, 0, 'EUR', 0, ?, ?)
       on conflict (patient_id) do update set balance = excluded.balance, earned = excluded.earned,
         spent = 0, expired = 0, next_expiry_at = excluded.next_expiry_at`,
    )
      .bind(p.id, clinicId, s.card.balance, s.card.balance, T0, s.card.nextExpiryAt)
      .run();
    // The insert trigger derives the next expiry from the card's lots (none here): set it as lots would.
    await env.DB.prepare('update point_accounts set next_expiry_at = ? where patient_id = ?')
      .bind(s.card.nextExpiryAt, p.id)
      .run();
  }
  return p.id;
}

let clinic: Clinic;
let other: Clinic;
const ids: Record<string, string> = {};

/** The names of the clinic's patients meeting the rules (by a count and, by name, through members). */
async function count(rules: SegmentRule[], who: Clinic = clinic) {
  const out = await previewSegment(testDeps(), { clinic: who.principal, rules });
  if (!out.ok) throw new Error(out.error.code);
  return out.value.members;
}

/** Which of the cohort meet the rules: one count per name, each rule set narrowed to that patient. */
async function who(rules: SegmentRule[]) {
  const names: string[] = [];
  for (const [name, id] of Object.entries(ids)) {
    const row = await env.DB.prepare('select id from patients where id = ?').bind(id).first();
    if (!row) continue;
    // A tag unique to the patient narrows the rule set to them.
    if ((await count([...rules, { field: 'tag', op: 'has', value: `id:${name}` }])) === 1) names.push(name);
  }
  return names.sort();
}

beforeAll(async () => {
  const deps = testDeps();
  clinic = await orgWithCaller(deps, 'clinic');
  other = await orgWithCaller(deps, 'clinic');
  const tagged = (name: string, tags: string[] = []) => [...tags, `id:${name}`];
  ids.apostle = await seedPatient(clinic, {
    name: 'Ada',
    tags: tagged('apostle', ['vip']),
    birthDate: '1980-03-14',
    consent: { email: true, sms: false },
    insight: {
      lifetime_spend: 120_000,
      spend_12m: 80_000,
      last_visit_at: T0 - 10 * DAY_MS,
      visits_12m: 6,
      abc_class: 'A',
      growth: 'rising',
      quadrant: 'apostle',
      preferred_branch_id: 'brn_01JD0000000000000000000001',
      birth_month: 3,
      engagement: 90,
      preference_tags: ['massage', 'fragrance'],
      answers: { interests: ['massage', 'yoga'], fragrance: 'citrus', satisfaction: 5, since: '2020-01-01' },
      win_back: 0,
    },
    card: { balance: 5_000, nextExpiryAt: T0 + 20 * DAY_MS },
  });
  ids.mercenary = await seedPatient(clinic, {
    name: 'Ben',
    tags: tagged('mercenary'),
    consent: { email: false, sms: true },
    insight: {
      lifetime_spend: 30_000,
      spend_12m: 10_000,
      last_visit_at: T0 - 100 * DAY_MS,
      visits_12m: 2,
      abc_class: 'B',
      growth: 'falling',
      quadrant: 'mercenary',
      birth_month: 7,
      engagement: 40,
      preference_tags: ['photography'],
      answers: { interests: ['photography'], fragrance: 'wood', satisfaction: 2 },
      win_back: 1,
    },
    card: { balance: 200, nextExpiryAt: T0 + 200 * DAY_MS },
  });
  ids.newcomer = await seedPatient(clinic, {
    name: 'Cleo',
    tags: tagged('newcomer', ['student']),
    birthDate: '2001-07-02',
    insight: { quadrant: 'unknown', answers: {} },
  });
  // No insight row, no card: zeros, quadrant unknown; birthday from the patient's birth date.
  ids.bare = await seedPatient(clinic, {
    name: 'Dora',
    tags: tagged('bare'),
    birthDate: '1975-12-24',
    insight: null,
  });
  // Another clinic's patient meeting every rule: never counted.
  await seedPatient(other, {
    name: 'Eve',
    tags: ['vip', 'id:apostle'],
    consent: { email: true },
    insight: {
      spend_12m: 999_999,
      quadrant: 'apostle',
      abc_class: 'A',
      engagement: 100,
      preference_tags: ['massage'],
    },
  });
});

describe('segment rules', () => {
  it('counts every patient of the clinic for no rules, with or without an insight row, and no one else', async () => {
    expect(await count([])).toBe(4);
    expect(await count([], other)).toBe(1);
  });

  it('tag: staff tags and preference tags, has and lacks', async () => {
    expect(await who([{ field: 'tag', op: 'has', value: 'vip' }])).toEqual(['apostle']);
    expect(await who([{ field: 'tag', op: 'has', value: 'massage' }])).toEqual(['apostle']);
    expect(await who([{ field: 'tag', op: 'lacks', value: 'massage' }])).toEqual([
      'bare',
      'mercenary',
      'newcomer',
    ]);
  });

  it('answer: is, is not, has (multiple choice), gte and lte', async () => {
    expect(await who([{ field: 'answer', key: 'fragrance', op: 'is', value: 'citrus' }])).toEqual([
      'apostle',
    ]);
    expect(await who([{ field: 'answer', key: 'fragrance', op: 'is_not', value: 'citrus' }])).toEqual([
      'bare',
      'mercenary',
      'newcomer',
    ]);
    expect(await who([{ field: 'answer', key: 'interests', op: 'has', value: 'yoga' }])).toEqual(['apostle']);
    expect(await who([{ field: 'answer', key: 'fragrance', op: 'has', value: 'wood' }])).toEqual([
      'mercenary',
    ]);
    expect(await who([{ field: 'answer', key: 'satisfaction', op: 'gte', value: 4 }])).toEqual(['apostle']);
    expect(await who([{ field: 'answer', key: 'satisfaction', op: 'lte', value: 4 }])).toEqual(['mercenary']);
    expect(await who([{ field: 'answer', key: 'since', op: 'lte', value: '2021-01-01' }])).toEqual([
      'apostle',
    ]);
  });

  it('spend, visits, points and engagement compare as numbers; a missing row is zero', async () => {
    expect(await who([{ field: 'spend_12m', op: 'gte', value: 50_000 }])).toEqual(['apostle']);
    expect(await who([{ field: 'spend_12m', op: 'lte', value: 10_000 }])).toEqual([
      'bare',
      'mercenary',
      'newcomer',
    ]);
    expect(await who([{ field: 'lifetime_spend', op: 'gte', value: 30_000 }])).toEqual([
      'apostle',
      'mercenary',
    ]);
    expect(await who([{ field: 'visits_12m', op: 'is', value: 2 }])).toEqual(['mercenary']);
    expect(await who([{ field: 'visits_12m', op: 'lte', value: 0 }])).toEqual(['bare', 'newcomer']);
    expect(await who([{ field: 'points_balance', op: 'gte', value: 1_000 }])).toEqual(['apostle']);
    expect(await who([{ field: 'points_balance', op: 'lte', value: 0 }])).toEqual(['bare', 'newcomer']);
    expect(await who([{ field: 'engagement', op: 'gte', value: 40 }])).toEqual(['apostle', 'mercenary']);
  });

  it('last visit in days at now; points expiring within days; a patient without a visit matches neither', async () => {
    expect(await who([{ field: 'last_visit_days', op: 'gte', value: 90 }])).toEqual(['mercenary']);
    expect(await who([{ field: 'last_visit_days', op: 'lte', value: 10 }])).toEqual(['apostle']);
    expect(await who([{ field: 'last_visit_days', op: 'lte', value: 9 }])).toEqual([]);
    expect(await who([{ field: 'last_visit_days', op: 'is', value: 100 }])).toEqual(['mercenary']);
    expect(await who([{ field: 'points_expiring_days', op: 'lte', value: 30 }])).toEqual(['apostle']);
    expect(await who([{ field: 'points_expiring_days', op: 'lte', value: 19 }])).toEqual([]);
  });

  it('A/B/C, growth and quadrant: is, is not and in; a missing row is quadrant unknown', async () => {
    expect(await who([{ field: 'abc', op: 'is', value: 'A' }])).toEqual(['apostle']);
    expect(await who([{ field: 'abc', op: 'is_not', value: 'A' }])).toEqual([
      'bare',
      'mercenary',
      'newcomer',
    ]);
    expect(await who([{ field: 'abc', op: 'in', value: ['A', 'B'] }])).toEqual(['apostle', 'mercenary']);
    expect(await who([{ field: 'growth', op: 'is', value: 'falling' }])).toEqual(['mercenary']);
    expect(await who([{ field: 'quadrant', op: 'is', value: 'unknown' }])).toEqual(['bare', 'newcomer']);
    expect(await who([{ field: 'quadrant', op: 'in', value: ['apostle', 'defector'] }])).toEqual(['apostle']);
  });

  it('branch, birth month (from the answers or the birth date), consent and win-back', async () => {
    expect(await who([{ field: 'branch', op: 'is', value: 'brn_01JD0000000000000000000001' }])).toEqual([
      'apostle',
    ]);
    expect(await who([{ field: 'branch', op: 'is_not', value: 'brn_01JD0000000000000000000001' }])).toEqual([
      'bare',
      'mercenary',
      'newcomer',
    ]);
    expect(await who([{ field: 'birth_month', op: 'is', value: 3 }])).toEqual(['apostle']);
    expect(await who([{ field: 'birth_month', op: 'in', value: [7, 12] }])).toEqual([
      'bare',
      'mercenary',
      'newcomer',
    ]);
    expect(await who([{ field: 'consent', key: 'email', op: 'is', value: true }])).toEqual(['apostle']);
    expect(await who([{ field: 'consent', key: 'sms', op: 'is', value: true }])).toEqual(['mercenary']);
    expect(await who([{ field: 'consent', key: 'sms', op: 'is', value: false }])).toEqual([
      'apostle',
      'bare',
      'newcomer',
    ]);
    expect(await who([{ field: 'win_back', op: 'is', value: true }])).toEqual(['mercenary']);
    expect(await who([{ field: 'win_back', op: 'is', value: false }])).toEqual([
      'apostle',
      'bare',
      'newcomer',
    ]);
  });

  it('ANDs the rules', async () => {
    expect(
      await who([
        { field: 'spend_12m', op: 'gte', value: 5_000 },
        { field: 'consent', key: 'sms', op: 'is', value: true },
      ]),
    ).toEqual(['mercenary']);
    expect(
      await who([
        { field: 'quadrant', op: 'is', value: 'apostle' },
        { field: 'win_back', op: 'is', value: true },
      ]),
    ).toEqual([]);
  });

  it('a rule of a field it does not know holds for no one', async () => {
    expect(await count([{ field: 'shoe_size' as 'engagement', op: 'gte', value: 0 }])).toBe(0);
  });

  it('the count changes with the data', async () => {
    const rules: SegmentRule[] = [{ field: 'quadrant', op: 'is', value: 'defector' }];
    expect(await count(rules)).toBe(0);
    await env.DB.prepare("update patient_insight set quadrant = 'defector' where patient_id = ?")
      .bind(ids.mercenary)
      .run();
    expect(await count(rules)).toBe(1);
    await env.DB.prepare("update patient_insight set quadrant = 'mercenary' where patient_id = ?")
      .bind(ids.mercenary)
      .run();
    expect(await count(rules)).toBe(0);
  });
});
