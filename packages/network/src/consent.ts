import type { ConsentChannel } from '@gratia/db';

// The words a patient agrees to when they let the clinic contact them: shown next to each consent
// checkbox and stored with the consent event the console records, so the history says exactly what
// was agreed. Changing a sentence changes what new events store; past events keep their own words.

/** Stored with each consent event that showed CONSENT_WORDING: bump it whenever a sentence changes. */
export const CONSENT_WORDING_VERSION = 'console-2026-11';

export const CONSENT_WORDING: Readonly<Record<ConsentChannel, string>> = {
  email:
    'I agree that this clinic may e-mail me about my gift vouchers, my bonus points and offers from its partner network. I can withdraw this consent at any time by telling the clinic.',
  sms: 'I agree that this clinic may send me text messages (SMS) about my gift vouchers, my bonus points and offers from its partner network. I can withdraw this consent at any time by telling the clinic.',
};

/**
 * Issue 13: the narrower consent a patient gives when they ask for one link now ("send me my gift by
 * SMS"): service messages only (their vouchers, points and sign-in links), never marketing. Stored with
 * consent events of scope `service`.
 */
export const CONSENT_WORDING_SERVICE_VERSION = 'console-service-2026-12';

export const CONSENT_WORDING_SERVICE: Readonly<Record<ConsentChannel, string>> = {
  email:
    'I agree that this clinic may e-mail me my gift vouchers and messages about my bonus points (no offers or advertising). I can withdraw this consent at any time by telling the clinic.',
  sms: 'I agree that this clinic may send me text messages (SMS) with my gift vouchers and messages about my bonus points (no offers or advertising). I can withdraw this consent at any time by telling the clinic.',
};
