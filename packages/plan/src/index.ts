// The loyalty plan, with no HTTP in it: per segment, how many interactions a year and of which kinds
// (templates); per patient, a dated plan for the next 12 months with an owner, a channel and a purpose
// for each item, adjusted by events; each staff member's agenda and calendar feed; the clinic's
// coverage and the plan's budget.
export * from './agenda';
export * from './budget';
export * from './calendar-feed';
export * from './coverage';
export * from './daily';
export * from './generate';
export * from './items';
export * from './patient-plan';
export * from './plan-csv';
export * from './plan-text';
export * from './templates';
