// The coalition card's bonus account, with no HTTP in it.
//
// - programme rules: defaultRules, rulesFromRow, accrualPoints, normaliseTiers, sameRules
// - calendar: lotExpiry(earnedAt, expiryDays, timeZone) -> end of the expiry day, clinic time
// - accrualStatements / spendStatements / pointReversalStatements / expireLotStatements: one D1 batch
//   each, guarded by the database; bookExpiredPoints(db, money, now) for the cron trigger
// - spendRefusal: why a spend that wrote nothing was refused
export * from './accrue';
export * from './calendar';
export * from './expire';
export * from './ledger';
export * from './program';
export * from './reverse';
export * from './spend';
