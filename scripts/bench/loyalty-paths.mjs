// The loyalty plan and offers (issue 12), measured on the built network as on the seeded one. Set up
// through the API first, as a clinic would: offer settings with a referral reward, an every-5th-visit
// rule, a code word, plans for a sample of patients owned by the signed-in staff member, that staff
// member's calendar feed, patients registered with a referral code. Then the visit with its hooks (a
// rule's punch, a referral's first visit, against the same visit with no rules, measured first), a code
// word applied, the plan's reads and regeneration, the agenda, coverage, budget and feed, and the
// console's pages over them. What should stay flat from one size to the next: round trips, and rows
// read and written (figures are kept per month and per patient; a plan is a patient's own rows).
//
// The daily jobs (keepPlansAhead, runBirthdays, addExpiringPointsCalls) run only from the cron trigger:
// the bench starts `wrangler dev` without `--test-scheduled`, so they are not measured here.

const SAMPLE = 100; // patients given a plan (and used for the plan's per-patient requests)
const REFERRED = 150; // patients registered with a referral code, one first visit each

export async function loyaltyPaths(ctx, m, { clinic, desk, owner, patients, longest }) {
  const page = (p) => ({ url: `${ctx.base}${p}`, init: { headers: { cookie: desk.cookie } } });
  const key = clinic.key;
  const longId = longest.patientId;
  const sample = [longId, ...patients.map((p) => p.id).filter((id) => id !== longId)].slice(0, SAMPLE);
  const t0 = performance.now();
  const ms = (t) => Math.round(performance.now() - t);

  // The clinic's offer settings: a referral reward (what a referred patient's first visit gives both),
  // and a birthday reward (for the birthday step, which runs from the cron).
  await ctx.call('PUT', '/v1/loyalty/settings', key, {
    referral: { reward: { kind: 'points', points: 100 }, cap_per_year: 1000 },
    birthday: { reward: { kind: 'points', points: 150 }, days_before: 7 },
    vip: { segment_id: null, gifts_per_year: 4, perk_offer_ids: [] },
  });
  // A few VIPs by hand, the longest card among them (its page then shows the VIP card).
  for (const id of sample.slice(0, 20))
    await ctx.call('PUT', `/v1/patients/${id}/vip`, key, { reason: 'Bench: a regular' });

  // The same visit as the hot paths' POST /v1/visits, before any rule exists: the baseline of this run.
  await m(
    'POST /v1/visits (no visit rules yet)',
    (i) =>
      ctx.req('POST', '/v1/visits', key, {
        patient_id: patients[i % patients.length].id,
        amount: { amount: 4_500, currency: 'EUR' },
      }),
    [201],
  );

  const rule = await ctx.call('POST', '/v1/visit-rules', key, {
    name: 'Bench: the 5th visit is on us',
    every_visits: 5,
    window_days: null,
    reward: { kind: 'points', points: 200 },
  });
  const word = `BENCH${crypto.randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`;
  await ctx.call('POST', '/v1/code-words', key, {
    word,
    description: 'Bench campaign',
    reward: { kind: 'points', points: 50 },
    valid_until: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    total_limit: 1_000_000,
    per_patient_limit: 100,
  });

  // Patients referred by the longest card, registered with its code, each with no visit yet.
  const { code } = await ctx.call('GET', `/v1/patients/${longId}/referrals`, key);
  const referred = [];
  let t = performance.now();
  for (let i = 0; i < REFERRED; i++)
    referred.push(
      (
        await ctx.call('POST', '/v1/patients', key, {
          first_name: 'Referred',
          last_name: `Bench${i}`,
          referral_code: code,
        })
      ).id,
    );
  console.log(`${REFERRED} referred patients registered in ${ms(t)} ms`);

  // Plans for the sample, owned by the signed-in staff member; then that member's calendar feed.
  t = performance.now();
  let items = 0;
  for (const id of sample) {
    const plan = await ctx.call('POST', `/v1/patients/${id}/plan`, key, { owner_staff_id: owner });
    items += plan.items?.length ?? 0;
  }
  console.log(
    `${sample.length} plans generated in ${ms(t)} ms (${Math.round(ms(t) / sample.length)} ms each, ${items} items in their answers)`,
  );
  const feed = await ctx.call('POST', '/v1/plan/calendar-feed', key, { staff_id: owner });
  const feedPath = new URL(feed.url).pathname;
  // Refresh the page session (it idles out after 30 minutes).
  await fetch(`${ctx.base}/console`, { headers: { cookie: desk.cookie } });
  console.log(`loyalty set up in ${ms(t0)} ms (rule ${rule.id}, word ${word})`);

  await m(
    'POST /v1/visits (an every-5th-visit rule active)',
    (i) =>
      ctx.req('POST', '/v1/visits', key, {
        patient_id: patients[i % patients.length].id,
        amount: { amount: 4_500, currency: 'EUR' },
      }),
    [201],
  );
  await m(
    "POST /v1/visits (a referred patient's first visit, the rule active)",
    (i) =>
      ctx.req('POST', '/v1/visits', key, {
        patient_id: referred[i % referred.length],
        amount: { amount: 4_500, currency: 'EUR' },
      }),
    [201],
    // One request per referred patient, the probes included: each is a first visit.
    { maxRequests: REFERRED - 5 },
  );
  await m(
    'POST /v1/patients/{id}/code-word (points)',
    (i) =>
      ctx.req('POST', `/v1/patients/${patients[i % patients.length].id}/code-word`, key, {
        word: word.toLowerCase(),
      }),
    [201],
  );
  await m(
    'GET /v1/patients/{id}/plan',
    (i) => ctx.req('GET', `/v1/patients/${sample[i % sample.length]}/plan`, key),
    [200],
  );
  await m(
    'POST /v1/patients/{id}/plan (regenerate)',
    (i) => ctx.req('POST', `/v1/patients/${sample[i % sample.length]}/plan`, key, {}),
    [200],
  );
  await m(
    'GET /v1/plan/agenda (this week, the owner of the sample plans)',
    () => ctx.req('GET', `/v1/plan/agenda?owner=${owner}`, key),
    [200],
  );
  await m('GET /v1/plan/coverage', () => ctx.req('GET', '/v1/plan/coverage', key), [200]);
  await m('GET /v1/plan/budget (12 months)', () => ctx.req('GET', '/v1/plan/budget', key), [200]);
  await m(
    `GET /calendar/<token>.ics (${sample.length} plans' items)`,
    () => ({ url: `${ctx.base}${feedPath}`, init: {} }),
    [200],
  );
  await m(
    'GET /v1/patients/{id}/punch-cards',
    (i) => ctx.req('GET', `/v1/patients/${patients[i % patients.length].id}/punch-cards`, key),
    [200],
  );
  await m(
    'GET /v1/patients/{id}/rewards (the longest card)',
    () => ctx.req('GET', `/v1/patients/${longId}/rewards`, key),
    [200],
  );
  await m('GET /v1/referrals (the tree, first page)', () => ctx.req('GET', '/v1/referrals', key), [200]);
  await m('GET /v1/vip', () => ctx.req('GET', '/v1/vip', key), [200]);

  await m('GET /console/agenda (My week)', () => page('/console/agenda'), [200]);
  await m(
    'GET /console/patients/{id}/plan (the longest card)',
    () => page(`/console/patients/${longId}/plan`),
    [200],
  );
  await m('GET /console/plan/coverage', () => page('/console/plan/coverage'), [200]);
  await m('GET /console/offers', () => page('/console/offers'), [200]);
  await m(
    'GET /console/patients/{id} (the longest card: plan, code word, referrals, VIP, rewards, punch card)',
    () => page(`/console/patients/${longId}`),
    [200],
  );
}
