import { REVERSAL_WINDOW_TEXT } from './reversal';

// The closed vocabulary of refusals: every code the API can answer with, its HTTP status, the title of
// the problem, and the sentence a page shows a person (partner staff at the counter, a patient on a
// link). Codes are part of the public contract (docs/api.md): add freely, never rename or remove. The
// API, the pages and the use cases all speak these codes; nothing else invents one.
export const ERRORS = {
  // request shape
  validation_failed: {
    status: 400,
    title: 'The request is not valid',
    text: 'Some of what was entered is not valid.',
  },
  malformed_json: {
    status: 400,
    title: 'The request body is not valid JSON',
    text: 'The request could not be read.',
  },
  invalid_cursor: {
    status: 400,
    title: 'The cursor is not valid',
    text: 'That page of the list is not available.',
  },
  invalid_idempotency_key: {
    status: 400,
    title: 'The Idempotency-Key header is not valid',
    text: 'The form could not be sent. Please reload the page and try again.',
  },
  payload_too_large: {
    status: 413,
    title: 'The request body is too large',
    text: 'That request was too large.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'The request body must be application/json',
    text: 'The request could not be read.',
  },
  not_found: { status: 404, title: 'Not found', text: 'That page does not exist.' },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    text: 'That action is not available here.',
  },
  // auth
  unauthorized: {
    status: 401,
    title: 'Missing or invalid credentials',
    text: 'Your session has ended. Please sign in again.',
  },
  forbidden: {
    status: 403,
    title: 'This key may not do that',
    text: 'You may not do that with this account.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many failed attempts',
    text: 'Too many failed attempts. Please wait, then try again.',
  },
  // idempotency
  idempotency_key_committed: {
    status: 409,
    title: 'The request under this Idempotency-Key took effect, but its answer was lost',
    text: 'That was done, but the page could not show it. Reload the page to see the result.',
  },
  idempotency_key_in_use: {
    status: 409,
    title: 'A request with this Idempotency-Key is still in progress',
    text: 'That is still being processed. Wait a moment, then reload the page.',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'This Idempotency-Key was used with a different request',
    text: 'That form was already sent with other values. Start again from the counter page.',
  },
  // network
  organization_not_found: {
    status: 404,
    title: 'Organization not found',
    text: 'That organisation was not found.',
  },
  api_key_not_found: { status: 404, title: 'API key not found', text: 'That key was not found.' },
  // patients
  patient_not_found: { status: 404, title: 'Patient not found', text: 'That patient was not found.' },
  // staff
  staff_not_found: {
    status: 404,
    title: 'Staff member not found',
    text: 'That staff member was not found.',
  },
  invitation_not_found: {
    status: 404,
    title: 'Invitation not found',
    text: 'This invitation link is not valid: it was used already, withdrawn, or it expired. Ask for a new one.',
  },
  last_owner: {
    status: 409,
    title: 'An organization keeps at least one owner',
    text: 'Every organisation keeps at least one owner: make someone else an owner first.',
  },
  // what the clinic knows of each patient (questionnaires, surveys, segments)
  link_not_found: {
    status: 404,
    title: 'Link not found',
    text: 'This link is not valid any more: it expired or was replaced. Ask the clinic for a new one.',
  },
  survey_already_answered: {
    status: 409,
    title: 'The survey has already been answered',
    text: 'Thank you: this survey has already been answered.',
  },
  invalid_answers: {
    status: 422,
    title: 'The answers do not fit the questionnaire',
    text: 'Some answers are missing or not among the choices.',
  },
  questionnaire_not_found: {
    status: 404,
    title: 'Questionnaire not found',
    text: 'That questionnaire version was not found.',
  },
  suggestion_not_found: {
    status: 404,
    title: 'Suggestion not found',
    text: 'That suggestion was not found.',
  },
  invalid_transition: {
    status: 409,
    title: 'The record cannot move to that state from the one it is in',
    text: 'That change is not possible any more: the suggestion was already implemented or declined.',
  },
  segment_not_found: { status: 404, title: 'Segment not found', text: 'That segment was not found.' },
  branch_not_found: { status: 404, title: 'Branch not found', text: 'That branch was not found.' },
  concurrent_update: {
    status: 409,
    title: 'The record was changed by another request at the same moment',
    text: 'Someone else changed this at the same moment. Please try again.',
  },
  // catalogue and vouchers
  offer_not_found: { status: 404, title: 'Offer not found', text: 'That offer was not found.' },
  offer_inactive: {
    status: 422,
    title: 'The offer is not active',
    text: 'That offer is no longer available.',
  },
  photo_not_found: { status: 404, title: 'Photo not found', text: 'That offer has no photo.' },
  unsupported_image: {
    status: 415,
    title: 'The photo must be a JPEG, PNG or WebP image',
    text: 'The photo must be a JPEG, PNG or WebP image.',
  },
  photo_too_large: {
    status: 413,
    title: 'The photo is larger than 2 MB',
    text: 'The photo is too large: it may be 2 MB at most.',
  },
  voucher_not_found: { status: 404, title: 'Voucher not found', text: 'That voucher was not found.' },
  voucher_already_redeemed: {
    status: 409,
    title: 'The voucher has already been redeemed',
    text: 'This voucher has already been redeemed.',
  },
  voucher_expired: { status: 410, title: 'The voucher has expired', text: 'This voucher has expired.' },
  voucher_voided: {
    status: 410,
    title: 'The voucher has been voided',
    text: 'The clinic has withdrawn this voucher.',
  },
  voucher_not_for_this_partner: {
    status: 403,
    title: 'The voucher is not valid at this partner',
    text: 'This voucher is for another partner of the network.',
  },
  invalid_voucher: {
    status: 422,
    title: 'The voucher is not valid',
    text: 'This is not a valid voucher of the network. Do not accept it.',
  },
  insufficient_value: {
    status: 422,
    title: 'The voucher does not have enough value left',
    text: 'The voucher does not have that much value left.',
  },
  amount_mismatch: {
    status: 422,
    title: 'An offer voucher is redeemed for its whole value only',
    text: 'A gift voucher is redeemed whole; leave the amount empty.',
  },
  currency_mismatch: {
    status: 422,
    title: 'The currency does not match',
    text: 'The amount is in another currency than the voucher.',
  },
  invalid_expiry: {
    status: 422,
    title: 'The expiry is outside what the network allows',
    text: 'Choose an expiry date within what the network allows.',
  },
  partner_not_found: { status: 404, title: 'Partner not found', text: 'That partner was not found.' },
  redemption_not_found: {
    status: 404,
    title: 'Redemption not found',
    text: 'That redemption was not found.',
  },
  redemption_already_reversed: {
    status: 409,
    title: 'The redemption has already been reversed',
    text: 'That redemption was already reversed.',
  },
  reversal_window_closed: {
    status: 409,
    title: 'The redemption can no longer be reversed',
    text: `Redemptions can only be reversed within ${REVERSAL_WINDOW_TEXT}.`,
  },
  // points
  card_not_found: {
    status: 404,
    title: 'Card not found',
    text: 'No card of the network has that number. Check the 16 digits.',
  },
  insufficient_points: {
    status: 422,
    title: 'Not enough points',
    text: 'The card does not have that many points to spend.',
  },
  below_minimum_redemption: {
    status: 422,
    title: 'Fewer points than the minimum redemption',
    text: "That is fewer points than the card's programme accepts at a time.",
  },
  exceeds_bill_share: {
    status: 422,
    title: 'The points would pay more of the bill than the programme allows',
    text: 'Points may pay only part of this bill. Take fewer points.',
  },
  reference_conflict: {
    status: 409,
    title: 'This reference was already used for a different request',
    text: 'That sale was already recorded with other points.',
  },
  // referrals (issue 12: referrals)
  referral_code_unknown: {
    status: 422,
    title: 'No patient of this clinic has that referral code',
    text: 'No patient of this clinic has that referral code. Check the code and try again.',
  },
  self_referral: {
    status: 422,
    title: 'A patient cannot be referred by themselves',
    text: 'That code belongs to the same person (same phone or e-mail): a patient cannot refer themselves.',
  },
  referral_too_late: {
    status: 409,
    title: 'The patient has already had a paid visit',
    text: 'A referral can only be added before the patient’s first paid visit.',
  },
  already_referred: {
    status: 409,
    title: 'The patient was already referred by someone else',
    text: 'This patient is already linked to another referrer.',
  },
  // Code words (issue 12): campaign words and per-patient codes said at the desk
  code_word_not_found: {
    status: 404,
    title: 'Code word not found',
    text: 'That code word campaign was not found.',
  },
  code_word_taken: {
    status: 409,
    title: 'The clinic already has this code word',
    text: 'That word is already a code word of this clinic. Choose another word.',
  },
  code_word_unknown: {
    status: 404,
    title: 'Unknown code word',
    text: 'That code word is not one of this clinic’s. Check the spelling.',
  },
  code_word_not_started: {
    status: 409,
    title: 'The code word is not valid yet',
    text: 'That code word is not valid yet: its campaign has not started.',
  },
  code_word_expired: {
    status: 409,
    title: 'The code word has expired',
    text: 'That code word has expired: its campaign is over.',
  },
  code_word_ended: {
    status: 409,
    title: 'The code word was ended',
    text: 'That code word was ended by the clinic and no longer applies.',
  },
  code_word_used_up: {
    status: 409,
    title: 'The code word is used up',
    text: 'That code word has been used as many times as the campaign allows.',
  },
  code_word_already_used: {
    status: 409,
    title: 'The patient has already used this code word',
    text: 'This patient has already used that code word as often as allowed.',
  },
  code_word_not_eligible: {
    status: 422,
    title: 'The patient is not in the code word’s segment',
    text: 'That code word is only for patients of a segment this patient is not in.',
  },
  code_word_not_yours: {
    status: 422,
    title: 'The code is another patient’s',
    text: 'That code belongs to another patient (this campaign takes each patient’s own code).',
  },
  code_word_not_per_patient: {
    status: 409,
    title: 'The campaign has no codes per patient',
    text: 'That campaign takes the word itself: it has no codes per patient.',
  },
  // The outbox, delivery settings, callbacks and opt-outs (issue 13)
  message_not_found: { status: 404, title: 'Message not found', text: 'That message does not exist.' },
  message_not_retryable: {
    status: 409,
    title: 'Only a dead or failed message can be retried',
    text: 'That message is not dead or failed, so there is nothing to retry.',
  },
  invalid_signature: {
    status: 401,
    title: 'The callback’s signature is missing, stale or wrong',
    text: 'That request could not be verified.',
  },
  // Templates and languages (issue 13)
  template_invalid: {
    status: 422,
    title: 'The message template is not valid',
    text: 'The template could not be saved: check its wording and variables.',
  },
  message_template_not_found: {
    status: 404,
    title: 'The clinic has no template of its own for this message',
    text: 'This message already uses the default wording.',
  },
  // The card page (issue 13)
  // Sending: gifts, scheduled messages and events (issue 13)
  no_consent: {
    status: 409,
    title: 'The patient has not agreed to messages on this channel',
    text: 'The patient has not agreed to be contacted this way. Record their consent first.',
  },
  no_address: {
    status: 422,
    title: 'The patient has no address for this channel',
    text: 'The patient has no e-mail address or phone number for this channel (or it no longer works).',
  },
  voucher_not_active: {
    status: 409,
    title: 'The voucher is no longer active',
    text: 'This voucher has been redeemed, voided or has expired: there is nothing to send.',
  },
  // VIP, birthdays and rewards (issue 12)
  gift_limit_reached: {
    status: 409,
    title: 'The patient has had the gifts a VIP may be given this year',
    text: 'This patient has had all the gifts a VIP may be given this year.',
  },
  not_a_vip_perk: {
    status: 422,
    title: 'That offer is not a VIP perk for this patient',
    text: 'That offer is not one of the VIP perks, or the patient is not a VIP.',
  },
  unknown_reference: {
    status: 422,
    title: 'A record the request names does not exist or cannot be used',
    text: 'Something chosen is not available any more: choose again.',
  },
  reward_not_found: { status: 404, title: 'Reward not found', text: 'That reward was not found.' },
  reward_not_available: {
    status: 409,
    title: 'The reward is not available to use',
    text: 'That reward was used already, or it is not a discount waiting to be used.',
    // the plan's agenda, items and calendar feeds (issue 12: agenda, coverage, budget, CSV, iCalendar)
  },
  plan_item_not_found: {
    status: 404,
    title: 'Plan item not found',
    text: 'That item of the plan was not found.',
  },
  calendar_feed_not_found: {
    status: 404,
    title: 'Calendar feed not found',
    text: 'That calendar link does not exist or was replaced by a newer one.',
  },
  // every-Nth-visit rules and visit reversals (issue 12)
  visit_rule_not_found: {
    status: 404,
    title: 'Visit rule not found',
    text: 'That visit offer was not found.',
  },
  visit_rule_limit: {
    status: 409,
    title: 'The clinic has as many active visit rules as it may have',
    text: 'A clinic may run at most 5 visit offers at once: deactivate one first.',
  },
  visit_not_found: { status: 404, title: 'Visit not found', text: 'That visit was not found.' },
  visit_already_reversed: {
    status: 409,
    title: 'The visit has already been reversed',
    text: 'That visit was already reversed.',
  },
  visit_reversal_window_closed: {
    status: 409,
    title: 'The visit can no longer be reversed',
    text: `A visit can only be reversed within ${REVERSAL_WINDOW_TEXT} of recording it.`,
  },
  // the loyalty plan: templates, dated items, regeneration (issue 12)
  plan_template_not_found: {
    status: 404,
    title: 'The clinic has no template of its own for this segment',
    text: 'This segment already follows the default plan.',
  },
  plan_not_found: {
    status: 404,
    title: 'The patient has no plan yet',
    text: 'This patient has no plan yet: generate one first.',
  },
  // anything else is a bug
  internal_error: {
    status: 500,
    title: 'Internal error',
    text: 'Something went wrong on our side. Please try again.',
  },
} as const satisfies Record<string, { status: number; title: string; text: string }>;

export type ErrorCode = keyof typeof ERRORS;

const mapCodes = <V>(f: (e: (typeof ERRORS)[ErrorCode]) => V) =>
  Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, f(e)])) as Record<ErrorCode, V>;

/** The one map from code to HTTP status. */
export const ERROR_STATUS: { readonly [C in ErrorCode]: (typeof ERRORS)[C]['status'] } = mapCodes(
  (e) => e.status,
) as never;
export const ERROR_TITLES: Record<ErrorCode, string> = mapCodes((e) => e.title);
/** The sentence a page shows a person for a refusal. */
export const ERROR_TEXT: Record<ErrorCode, string> = mapCodes((e) => e.text);

export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.hasOwn(ERRORS, code);

export interface FieldError {
  path: string;
  message: string;
}

/** A refusal as a use case returns it: the code, and a detail for the problem's `detail`. */
export interface Refusal<C extends ErrorCode = ErrorCode> {
  code: C;
  detail?: string;
  errors?: FieldError[];
  /** When a refused caller may try again (epoch ms): sent as Retry-After. */
  retryAt?: number;
}

/** Thrown where a handler cannot return (middleware, deep helpers); rendered as problem+json. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly errors?: FieldError[],
    /** When the caller may try again (epoch ms): sent as Retry-After. */
    readonly retryAt?: number,
  ) {
    super(detail ?? ERROR_TITLES[code]);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}
