// The voucher domain, with no HTTP in it.
//
// Use cases (deps, input) -> Result: issueVoucher, readVoucher, listVouchers, voidVoucher,
// recentRedemptions (the issuing clinic); verifyVoucher, redeemVoucher, reverseRedemption,
// readCounterActivity (the partner's counter, one D1 round trip each, settling the caller in the same
// batch); readVoucherLink (the patient's link page).
// Below them: the signing keys and JWKS (keys.ts), the token's pure verification (token.ts), what a
// voucher row says about honouring it (state.ts), and the redeem/reverse batches (redeem.ts).
export * from './activity';
export * from './config';
export * from './counter';
export * from './issue';
export * from './keys';
export * from './link';
export * from './manage';
export * from './recent';
export * from './redeem';
export * from './send';
export * from './state';
export * from './token';
export * from './vip-limit';
