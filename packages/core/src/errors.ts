// The closed list of error codes the API can answer with, and the one map from code to HTTP status.
// Codes are part of the public contract (docs/api.md): add freely, never rename or remove.
export const ERROR_STATUS = {
  // request shape
  validation_failed: 400,
  malformed_json: 400,
  invalid_cursor: 400,
  invalid_idempotency_key: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  method_not_allowed: 405,
  // auth
  unauthorized: 401,
  forbidden: 403,
  // idempotency
  idempotency_key_in_use: 409,
  idempotency_key_reused: 422,
  // network
  organization_not_found: 404,
  api_key_not_found: 404,
  // patients
  patient_not_found: 404,
  // catalogue and vouchers
  offer_not_found: 404,
  offer_inactive: 422,
  voucher_not_found: 404,
  voucher_already_redeemed: 409,
  voucher_expired: 410,
  voucher_voided: 410,
  voucher_not_for_this_partner: 403,
  invalid_voucher: 422,
  insufficient_value: 422,
  amount_mismatch: 422,
  currency_mismatch: 422,
  invalid_expiry: 422,
  partner_not_found: 404,
  redemption_not_found: 404,
  redemption_already_reversed: 409,
  reversal_window_closed: 409,
  // points
  card_not_found: 404,
  insufficient_points: 422,
  below_minimum_redemption: 422,
  exceeds_bill_share: 422,
  reference_conflict: 409,
  // anything else is a bug
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  malformed_json: 'The request body is not valid JSON',
  invalid_cursor: 'The cursor is not valid',
  invalid_idempotency_key: 'The Idempotency-Key header is not valid',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'The request body must be application/json',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  unauthorized: 'Missing or invalid credentials',
  forbidden: 'This key may not do that',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still in progress',
  idempotency_key_reused: 'This Idempotency-Key was used with a different request',
  organization_not_found: 'Organization not found',
  api_key_not_found: 'API key not found',
  patient_not_found: 'Patient not found',
  offer_not_found: 'Offer not found',
  offer_inactive: 'The offer is not active',
  voucher_not_found: 'Voucher not found',
  voucher_already_redeemed: 'The voucher has already been redeemed',
  voucher_expired: 'The voucher has expired',
  voucher_voided: 'The voucher has been voided',
  voucher_not_for_this_partner: 'The voucher is not valid at this partner',
  invalid_voucher: 'The voucher is not valid',
  insufficient_value: 'The voucher does not have enough value left',
  currency_mismatch: 'The currency does not match',
  amount_mismatch: 'An offer voucher is redeemed for its whole value only',
  invalid_expiry: 'The expiry is outside what the network allows',
  partner_not_found: 'Partner not found',
  redemption_not_found: 'Redemption not found',
  redemption_already_reversed: 'The redemption has already been reversed',
  reversal_window_closed: 'The redemption can no longer be reversed',
  card_not_found: 'Card not found',
  insufficient_points: 'Not enough points',
  below_minimum_redemption: 'Fewer points than the minimum redemption',
  exceeds_bill_share: 'The points would pay more of the bill than the programme allows',
  reference_conflict: 'This reference was already used for a different request',
  internal_error: 'Internal error',
};

export interface FieldError {
  path: string;
  message: string;
}

/** Thrown where a handler cannot return (middleware, deep helpers); rendered as problem+json. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? ERROR_TITLES[code]);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}
