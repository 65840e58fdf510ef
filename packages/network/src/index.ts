// The network's membership and records, with no HTTP in it: organisations and their API keys (the
// operator), page sessions and staff, the catalogue of partner offers and their photos (and choosing
// a gift from it), each clinic's patients with their consent history and the consent wording the
// console shows, and the audit trail as an organisation reads it.
export * from './audit';
export * from './consent';
export * from './gift-catalogue';
export * from './offer-photos';
export * from './offers';
export * from './organizations';
export * from './patients';
export * from './sessions';
export * from './staff';
