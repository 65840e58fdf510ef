// The network's membership and records, with no HTTP in it: organisations and their API keys (the
// operator), page sessions, the catalogue of partner offers (and choosing a gift from it), and each
// clinic's patients with their consent history and the consent wording the console shows.
export * from './consent';
export * from './gift-catalogue';
export * from './offers';
export * from './organizations';
export * from './patients';
export * from './sessions';
export * from './staff';
