// The demo network `pnpm dev` seeds: two clinics, three partners with offers, patients with
// preferences and consent. Plain data, reused by the seed, the e2e tests and the benchmarks.

export const DEMO_CLINICS = [
  {
    kind: 'clinic',
    name: 'Lumière Aesthetics Berlin',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    email: 'desk@lumiere.example',
    phone: '+493012345670',
    address: 'Friedrichstraße 120, 10117 Berlin',
    // Where the clinic receives patients: the questionnaire asks which branch a patient prefers, and
    // gift suggestions rank partners near it first.
    branches: [
      { name: 'Mitte', address: 'Friedrichstraße 120, 10117 Berlin', latitude: 52.5163, longitude: 13.3889 },
      {
        name: 'Kreuzberg',
        address: 'Bergmannstraße 12, 10961 Berlin',
        latitude: 52.4893,
        longitude: 13.3938,
      },
    ],
    // Questionnaire answers (the default questionnaire's question ids; `branch` names a branch above).
    answers: {
      'Anna Kowalski': {
        interests: ['massage', 'travel'],
        brands: 'Le Labo Santal 33',
        categories: ['massage', 'wellness'],
        branch: 'Mitte',
        contact_channel: 'sms',
        contact_time: 'evening',
        life_situation: ['busy_professional'],
        referral_source: 'friend',
      },
      'Sophie Martin': {
        interests: ['photography', 'beauty'],
        categories: ['photography'],
        branch: 'Kreuzberg',
        contact_channel: 'email',
        life_situation: ['new_parent'],
        referral_source: 'social',
      },
    },
    // Satisfaction surveys (0-10), with what to improve and words the clinic may quote.
    surveys: {
      'Anna Kowalski': { score: 10, recommendation: 'The kindest team in Berlin.', quote_permission: true },
      'Sophie Martin': { score: 6, improvement: 'Appointments on Saturday mornings, please.' },
      'Elena Rossi': { score: 9, improvement: 'A quieter waiting room.' },
    },
    // The offers that bring patients back: settings, a code word, a punch card, a referral, a VIP.
    loyalty: {
      settings: {
        referral: { reward: { kind: 'points', points: 500 }, cap_per_year: 5 },
        birthday: { reward: { kind: 'points', points: 300 }, days_before: 7 },
        vip: { segment_id: null, gifts_per_year: 4, perk_offer_ids: [] },
      },
      code_words: [
        {
          word: 'SPRING',
          description: 'Spring newsletter: 10% off a facial',
          reward: { kind: 'discount_bps', discount_bps: 1000 },
          days: 60,
          per_patient_limit: 1,
        },
      ],
      visit_rules: [
        {
          name: 'Every 5th visit: 20% off',
          every_visits: 5,
          window_days: 365,
          reward: { kind: 'discount_bps', discount_bps: 2000 },
        },
      ],
      // Registered with a patient's referral code, then a first paid visit: both are rewarded.
      referral: {
        referrer: 'Anna Kowalski',
        patient: {
          first_name: 'Sofia',
          last_name: 'Lange',
          email: 'sofia.lange@example.com',
          phone: '+491701234577',
          consent: { email: true, sms: false, source: 'paper_form' },
        },
        first_visit: 18000,
      },
      vip: ['Anna Kowalski'],
    },
    // Saved segments; those with a description are personas.
    segments: [
      {
        name: 'New parents',
        description:
          'Young parents short of time: a photo shoot with the baby, an hour of massage for themselves.',
        rules: [{ field: 'tag', op: 'has', value: 'new_parent' }],
      },
      { name: 'Massage lovers', rules: [{ field: 'tag', op: 'has', value: 'massage' }] },
      { name: 'Agreed to SMS', rules: [{ field: 'consent', op: 'is', key: 'sms', value: true }] },
    ],
    loyalty_program: {
      accrual_rate_bps: 700,
      expiry_days: 180,
      min_redemption_points: 500,
      max_bill_share_bps: 5000,
      discount_tiers: [
        { min_lifetime_spend: { amount: 3_000_000, currency: 'EUR' }, discount_bps: 500 },
        { min_lifetime_spend: { amount: 4_500_000, currency: 'EUR' }, discount_bps: 1000 },
      ],
    },
    // Paid visits (days ago, amount in cents); Anna's oldest points lapse this month: she is on the call list.
    visits: {
      'Anna Kowalski': [
        [172, 180_000],
        [40, 95_000],
      ],
      'Sophie Martin': [[20, 250_000]],
    },
    patients: [
      {
        first_name: 'Anna',
        last_name: 'Kowalski',
        email: 'anna.kowalski@example.com',
        phone: '+491701234501',
        birth_date: '1984-03-12',
        preferences: {
          tags: ['massage', 'fragrance:Le Labo Santal 33'],
          notes: 'Prefers late-afternoon appointments',
        },
        consent: { email: true, sms: true, source: 'paper_form' },
      },
      {
        first_name: 'Sophie',
        last_name: 'Martin',
        email: 'sophie.martin@example.com',
        phone: '+491701234502',
        preferences: { tags: ['photography', 'young mother'], notes: 'Daughter born in spring' },
        consent: { email: true, sms: false, source: 'front_desk' },
      },
      {
        first_name: 'Elena',
        last_name: 'Rossi',
        phone: '+491701234503',
        preferences: { tags: ['books', 'wellness'] },
        consent: { email: false, sms: true, source: 'phone' },
      },
    ],
  },
  {
    kind: 'clinic',
    name: 'Smile Studio Dental',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    email: 'hello@smilestudio.example',
    phone: '+493012345680',
    address: 'Kastanienallee 7, 10435 Berlin',
    loyalty_program: { accrual_rate_bps: 500, expiry_days: 180, min_redemption_points: 0 },
    visits: { 'Jonas Becker': [[60, 45_000]] },
    patients: [
      {
        first_name: 'Jonas',
        last_name: 'Becker',
        email: 'jonas.becker@example.com',
        phone: '+491701234511',
        preferences: { tags: ['student'], notes: 'Invisalign, monthly check-ins' },
        consent: { email: true, sms: true, source: 'paper_form' },
      },
      {
        first_name: 'Mia',
        last_name: 'Schneider',
        email: 'mia.schneider@example.com',
        preferences: { tags: ['massage', 'pharmacy'] },
        consent: { email: true, sms: false, source: 'web_form' },
      },
    ],
  },
];

export const DEMO_PARTNERS = [
  {
    kind: 'partner',
    name: 'Hands of Grace Massage',
    category: 'massage',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    phone: '+493022233344',
    address: 'Torstraße 88, 10119 Berlin',
    latitude: 52.5293,
    longitude: 13.4011,
    booking_url: 'https://hands-of-grace.example/book',
    offers: [
      {
        title: '60-minute aromatherapy massage',
        category: 'massage',
        price: { amount: 6500, currency: 'EUR' },
        retail_value: { amount: 9000, currency: 'EUR' },
        terms: 'Book 48 h ahead.',
      },
      {
        title: 'Couples massage, 90 minutes',
        category: 'massage',
        price: { amount: 14000, currency: 'EUR' },
        retail_value: { amount: 19000, currency: 'EUR' },
      },
    ],
  },
  {
    kind: 'partner',
    name: 'Lichtblick Photo Studio',
    category: 'photography',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    phone: '+493055566677',
    address: 'Oranienstraße 25, 10999 Berlin',
    latitude: 52.5009,
    longitude: 13.4189,
    booking_url: 'https://lichtblick.example/termin',
    offers: [
      {
        title: 'Lifestyle photo shoot with 10 edited images',
        category: 'photography',
        price: { amount: 12000, currency: 'EUR' },
        retail_value: { amount: 18000, currency: 'EUR' },
      },
    ],
  },
  {
    kind: 'partner',
    name: 'Apotheke am Markt',
    category: 'pharmacy',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    phone: '+493099988877',
    address: 'Marktplatz 3, 10178 Berlin',
    latitude: 52.5186,
    longitude: 13.4081,
    offers: [
      {
        title: 'Santal 33 eau de parfum, 50 ml',
        category: 'pharmacy',
        price: { amount: 15500, currency: 'EUR' },
        retail_value: { amount: 19500, currency: 'EUR' },
      },
      {
        title: 'Premium skincare set',
        category: 'pharmacy',
        price: { amount: 5000, currency: 'EUR' },
        retail_value: { amount: 7500, currency: 'EUR' },
      },
    ],
  },
];
