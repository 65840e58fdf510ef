// The voucher domain, with no HTTP in it.
//
// - loadVoucherKeys(secret) -> VoucherKeySet; publishedKeys(keys, now, maxLifetimeMs) -> JWKS
// - signVoucherToken(key, claims) -> compact JWS
// - verifyVoucherToken(token, keys, { issuer, now }) -> { ok, claims, kid } | { ok: false, reason }
//   (pure: no I/O, no clock); checkAudience(aud, partner); tokenFailureCode(reason)
// - displayStatus(voucher, now); honourRefusal(voucher, partner, now); redemptionRefusal(...)
// - voucherForLink(db, id): what the patient's link page shows, in one query
// - redeemStatements(db, input) / reverseStatements(db, input): one D1 batch each
export * from './keys';
export * from './link';
export * from './redeem';
export * from './state';
export * from './token';
