// Settlement, with no HTTP in it: who owes whom each month.
//
// - lines.ts: the statements that write a line (and its period's running totals) inside the batch of
//   the redemption or reversal it records; used by @gratia/vouchers and @gratia/points.
// - settings.ts: the network's fee and closing grace, versioned (read/set/list).
// - statement.ts: readSettlement (per pair), listPeriods, readLines, readLineOf.
// - close.ts: closeSettlementPeriods, for the cron.
// - receipts.ts: the signed receipt (receipt+jwt) of a line.
// - csv.ts: a period's lines as RFC 4180 CSV, streamed page by page.
// - reconcile.ts: every summary (card balances, settlement totals, voucher remaining values)
//   recomputed from what it summarises, differences recorded as findings; for the cron.

export * from './catch-up';
export * from './close';
export * from './csv';
export * from './lines';
export * from './period';
export * from './receipts';
export * from './reconcile';
export * from './settings';
export * from './statement';
