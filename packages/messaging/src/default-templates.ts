import type { MessageChannel, MessageKind, PatientLocale } from '@gratia/db';

// The words of each message kind when the clinic has not written its own: per channel and language,
// ICU MessageFormat with the kind's variables (MESSAGE_VARIABLES). Every message also has
// {first_name} (the patient's or staff member's) and {clinic_name}. SMS stay short (one GSM-7 segment
// of 160 characters where the link allows); e-mail has a subject.

export interface TemplateText {
  subject: string | null;
  body: string;
}

/** The variables each kind's producer fills, besides first_name and clinic_name (documented in docs/api.md). */
export const MESSAGE_VARIABLES: Readonly<Record<MessageKind, readonly string[]>> = {
  voucher_issued: ['gift', 'url', 'expires_date'],
  points_expiring: ['points', 'expires_date', 'url'],
  survey_request: ['url'],
  questionnaire: ['url'],
  plan_item: ['purpose', 'url'],
  birthday: ['url'],
  referral_reward: ['reward', 'url'],
  card_link: ['url'],
  staff_sign_in: ['url'],
};

type Defaults = Readonly<Record<MessageKind, Readonly<Record<MessageChannel, TemplateText>>>>;

const en: Defaults = {
  voucher_issued: {
    email: {
      subject: 'A gift for you from {clinic_name}',
      body: 'Dear {first_name},\n\n{clinic_name} has a gift for you: {gift}.\n\nShow this link at the counter to use it, until {expires_date}:\n{url}\n\nWith our thanks,\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: a gift for you, {gift}. Valid until {expires_date}: {url}' },
  },
  points_expiring: {
    email: {
      subject: 'Your points expire on {expires_date}',
      body: 'Dear {first_name},\n\n{points, plural, one {# bonus point} other {# bonus points}} on your {clinic_name} card expire on {expires_date}. Use them at any partner of the network before then.\n\nYour card: {url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: {points, plural, one {# point} other {# points}} on your card expire on {expires_date}. Your card: {url}',
    },
  },
  survey_request: {
    email: {
      subject: 'How was your visit to {clinic_name}?',
      body: 'Dear {first_name},\n\nThank you for your visit. Would you tell us how it went? It takes a minute:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: thank you for your visit. How did it go? {url}' },
  },
  questionnaire: {
    email: {
      subject: 'Help {clinic_name} choose your gifts',
      body: 'Dear {first_name},\n\nTell us what you enjoy, and we will choose your gifts with it in mind:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: tell us what you enjoy, for gifts chosen for you: {url}' },
  },
  plan_item: {
    email: {
      subject: 'News from {clinic_name}',
      body: 'Dear {first_name},\n\n{purpose}\n\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: {purpose} {url}' },
  },
  birthday: {
    email: {
      subject: 'Happy birthday, {first_name}!',
      body: 'Dear {first_name},\n\nEveryone at {clinic_name} wishes you a happy birthday.\n\nYour card: {url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: 'Happy birthday, {first_name}! From everyone at {clinic_name}. {url}' },
  },
  referral_reward: {
    email: {
      subject: 'Thank you for your recommendation',
      body: 'Dear {first_name},\n\nThank you for recommending {clinic_name}. Your reward: {reward}.\n\n{url}\n\n{clinic_name}',
    },
    sms: {
      subject: null,
      body: '{clinic_name}: thank you for your recommendation. Your reward: {reward}. {url}',
    },
  },
  card_link: {
    email: {
      subject: 'Your {clinic_name} card',
      body: 'Dear {first_name},\n\nYour card, your points and your gifts are on this page. Keep it on your phone:\n{url}\n\n{clinic_name}',
    },
    sms: { subject: null, body: '{clinic_name}: your card, points and gifts: {url}' },
  },
  staff_sign_in: {
    email: {
      subject: 'Sign in to {clinic_name} on Gratia',
      body: 'Hello {first_name},\n\nUse this link to sign in to the console of {clinic_name}. It works once and expires soon:\n{url}\n\nIf you did not ask for it, ignore this e-mail.',
    },
    sms: { subject: null, body: 'Sign in to {clinic_name} on Gratia: {url}' },
  },
};

/**
 * Defaults per language. Spanish and Russian are filled in by the templates work; until a language has
 * its own, it falls back to English (render.ts).
 */
export const DEFAULT_TEMPLATES: Readonly<Partial<Record<PatientLocale, Defaults>>> = { en };
