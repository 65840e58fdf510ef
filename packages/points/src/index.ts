// The coalition card's bonus account, with no HTTP in it.
//
// Use cases (deps, input) -> Result: recordVisit, spendPoints, reversePointSpend, readBalance,
// readStatement, readPatientOverview (each settles the caller inside its own batch: one D1 round
// trip, two for a visit), buildCallList, recordCallOutcome / listCallOutcomes (what came of the
// calls), todayFigures / readToday, readProgram / setProgram / listProgramVersions, bookExpiredPoints
// (the cron), monthlyReport (the clinic's months, from figures kept by triggers; also as CSV) and
// backfillClinicFigures (cron: the report figures of clinics older than their triggers).
// Below them: the rules, each defined once (rules.ts: spendable lot, live balance, programme in force),
// the programme's pure arithmetic (program.ts), the calendar (lot expiry in the clinic's timezone),
// and one D1 batch builder per movement (accrue, spend, reverse, expire) over the ledger (ledger.ts).
export * from './account';
export * from './accrue';
export * from './calendar';
export * from './call-list';
export * from './call-outcomes';
export * from './expire';
export * from './ledger';
export * from './overview';
export * from './program';
export * from './program-store';
export * from './punches';
export * from './referrals';
export * from './report';
export * from './report-csv';
export * from './report-rebuild';
export * from './reverse';
export * from './rewards';
export * from './rules';
export * from './spend';
export * from './spending';
export * from './today';
export * from './visit';
export * from './visit-reversal';
export * from './visit-rewards';
export * from './visit-rules';
