// Reaching the patient (issue 13): the outbox every message is written to in its event's batch, the
// queue consumer that sends each once with consent, in quiet hours' respect and under the monthly cap,
// the providers (the dev outbox, e-mail over HTTP, Twilio SMS), their callbacks and opt-outs, the
// templates in the patient's language, and the scheduled messages.
export * from './callbacks';
export * from './card';
export * from './catalogs/card';
export * from './catalogs/common-page';
export * from './catalogs/questionnaire-page';
export * from './catalogs/survey-page';
export * from './catalogs/voucher-page';
export * from './consumer';
export * from './default-templates';
export * from './enqueue';
export * from './i18n';
export * from './links';
export * from './opt-out';
export * from './outbox';
export * from './producers';
export * from './providers';
export * from './render';
export * from './scheduled';
export * from './sms-segments';
export * from './sweep';
export * from './templates';
