// The offers that bring patients back, with no HTTP in it: code words said at the desk, VIP (by hand or
// by segment, with perks and a yearly gift limit), birthdays, and the clinic's loyalty settings. The
// rewards they give are written by @gratia/points' rewardStatements; the rules a paid visit triggers
// (referrals, every Nth visit) live with the visit in @gratia/points.

export * from './birthdays';
export * from './card';
export * from './card-photo';
export * from './code-word-apply';
export * from './code-word-codes';
export * from './code-words';
export * from './referrals';
export * from './rewards-list';
export * from './settings';
export * from './vip';
