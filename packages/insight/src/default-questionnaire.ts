import {
  type ConsentChannel,
  PARTNER_CATEGORIES,
  type PartnerCategory,
  type PatientLocale,
  type Question,
  type QuestionOption,
} from '@gratia/db';

// The questionnaire every clinic starts from (version 0 until it saves its own): what a personal gift
// needs to know. Question ids are stable: a clinic's later versions keep them, so answers carry over.
// Choices that say something about the patient carry tags (preference tags) or a partner category.

const opt = (value: string, label: string, extra: Omit<QuestionOption, 'value' | 'label'> = {}) => ({
  value,
  label,
  ...extra,
});

/** An interest: its own tag, and the partner category it points to when there is one. */
const interest = (value: string, label: string, category?: PartnerCategory): QuestionOption =>
  opt(value, label, { tags: [value], ...(category ? { category } : {}) });

const CATEGORY_LABEL: Record<PartnerCategory, string> = {
  massage: 'Massage and spa',
  photography: 'Photography',
  pharmacy: 'Pharmacy and care products',
  wellness: 'Wellness and fitness',
  beauty: 'Beauty and cosmetics',
  other: 'Something else',
};

export const DEFAULT_QUESTIONNAIRE_TITLE = 'Help us get to know you';
export const DEFAULT_QUESTIONNAIRE_INTRO =
  'A few questions so that our thank-you gifts suit you. Everything is optional unless marked; you can change your answers at any time.';

export const DEFAULT_QUESTIONS: readonly Question[] = [
  {
    id: 'interests',
    type: 'multiple',
    label: 'What do you enjoy in your free time?',
    required: false,
    role: 'interests',
    options: [
      interest('massage', 'Massage and relaxing', 'massage'),
      interest('photography', 'Photography', 'photography'),
      interest('wellness', 'Wellness and spa days', 'wellness'),
      interest('beauty', 'Beauty and skincare', 'beauty'),
      interest('reading', 'Reading'),
      interest('sport', 'Sport and fitness', 'wellness'),
      interest('travel', 'Travel'),
      interest('cooking', 'Cooking and good food'),
      interest('music', 'Music and concerts'),
      interest('art', 'Art and culture'),
    ],
  },
  {
    id: 'brands',
    type: 'text',
    label: 'Your favourite fragrance or brands',
    help: 'For example a perfume you wear, or a brand you love.',
    required: false,
    role: 'brands',
  },
  {
    id: 'categories',
    type: 'multiple',
    label: 'Which of our partners would you enjoy a gift from?',
    required: false,
    role: 'categories',
    options: PARTNER_CATEGORIES.map((c) => opt(c, CATEGORY_LABEL[c], { category: c })),
  },
  {
    id: 'branch',
    type: 'single',
    label: 'Which of our locations do you prefer?',
    required: false,
    role: 'branch',
    // Filled with the clinic's branches when shown or checked (left out when it has none).
    options: [],
  },
  {
    id: 'contact_channel',
    type: 'single',
    label: 'How do you prefer us to contact you?',
    required: false,
    role: 'contact_channel',
    options: [opt('email', 'E-mail'), opt('sms', 'Text message (SMS)'), opt('phone', 'Phone call')],
  },
  {
    id: 'contact_time',
    type: 'single',
    label: 'When is the best time to reach you?',
    required: false,
    role: 'contact_time',
    options: [opt('morning', 'Morning'), opt('afternoon', 'Afternoon'), opt('evening', 'Evening')],
  },
  {
    id: 'birthday',
    type: 'date',
    label: 'Your birthday',
    help: 'So that we can wish you a happy birthday.',
    required: false,
    role: 'birthday',
  },
  {
    id: 'life_situation',
    type: 'multiple',
    label: 'Does any of this describe you?',
    required: false,
    role: 'life_situation',
    options: [
      opt('new_parent', 'New parent', { tags: ['new_parent'] }),
      opt('student', 'Student', { tags: ['student'] }),
      opt('book_lover', 'Book lover', { tags: ['book_lover', 'reading'] }),
      opt('retired', 'Retired', { tags: ['retired'] }),
      opt('busy_professional', 'Busy professional', { tags: ['busy_professional'] }),
      opt('pet_owner', 'Pet owner', { tags: ['pet_owner'] }),
    ],
  },
  {
    id: 'referral_source',
    type: 'single',
    label: 'How did you hear about us?',
    required: false,
    role: 'referral_source',
    options: [
      opt('friend', 'A friend or family member'),
      opt('search', 'Online search'),
      opt('social', 'Social media'),
      opt('walk_in', 'Walking past'),
      opt('partner', 'One of our partners'),
      opt('other', 'Other'),
    ],
  },
];

// Consent asked on the questionnaire: not a question (it is kept as proof in consent_events, with
// these exact words and their version), shown with a checkbox per channel.

/** Stored with each consent event the questionnaire records: bump it whenever a sentence changes. */
export const QUESTIONNAIRE_CONSENT_VERSION = 'questionnaire-2026-11';

/**
 * The words in each language the page is shown in. An event stores the exact words shown and the
 * version with the language (`questionnaire-2026-11`, `questionnaire-2026-11.es`): see consentVersion.
 */
export const QUESTIONNAIRE_CONSENT_WORDINGS: Readonly<Record<PatientLocale, Record<ConsentChannel, string>>> =
  {
    en: {
      email:
        'Yes, the clinic may e-mail me about my gifts, my bonus points and offers from its partners. I can stop this at any time, on this page or by telling the clinic.',
      sms: 'Yes, the clinic may send me text messages (SMS) about my gifts, my bonus points and offers from its partners. I can stop this at any time, on this page or by telling the clinic.',
    },
    es: {
      email:
        'Sí, la clínica puede enviarme correos electrónicos sobre mis regalos, mis puntos de bonificación y las ofertas de sus socios. Puedo dejar de recibirlos en cualquier momento, en esta página o diciéndoselo a la clínica.',
      sms: 'Sí, la clínica puede enviarme mensajes de texto (SMS) sobre mis regalos, mis puntos de bonificación y las ofertas de sus socios. Puedo dejar de recibirlos en cualquier momento, en esta página o diciéndoselo a la clínica.',
    },
    ru: {
      email:
        'Да, клиника может писать мне по электронной почте о моих подарках, бонусных баллах и предложениях её партнёров. Я могу отказаться от этого в любой момент на этой странице или сообщив клинике.',
      sms: 'Да, клиника может присылать мне SMS о моих подарках, бонусных баллах и предложениях её партнёров. Я могу отказаться от этого в любой момент на этой странице или сообщив клинике.',
    },
  };

/** What a patient taps to withdraw on their link page, stored as the words of the withdrawal. */
export const QUESTIONNAIRE_WITHDRAW_WORDINGS: Readonly<
  Record<PatientLocale, Record<ConsentChannel, string>>
> = {
  en: {
    email: 'Stop e-mails: the clinic will no longer e-mail me.',
    sms: 'Stop SMS: the clinic will no longer send me text messages.',
  },
  es: {
    email: 'Dejar de recibir correos: la clínica ya no me enviará correos electrónicos.',
    sms: 'Dejar de recibir SMS: la clínica ya no me enviará mensajes de texto.',
  },
  ru: {
    email: 'Больше не писать: клиника больше не будет присылать мне письма.',
    sms: 'Больше не присылать SMS: клиника больше не будет присылать мне SMS.',
  },
};

export const QUESTIONNAIRE_CONSENT_WORDING = QUESTIONNAIRE_CONSENT_WORDINGS.en;
export const QUESTIONNAIRE_WITHDRAW_WORDING = QUESTIONNAIRE_WITHDRAW_WORDINGS.en;

/** The version stored with words shown in `locale` (English keeps the plain version). */
export const questionnaireConsentVersion = (locale: PatientLocale) =>
  locale === 'en' ? QUESTIONNAIRE_CONSENT_VERSION : `${QUESTIONNAIRE_CONSENT_VERSION}.${locale}`;
