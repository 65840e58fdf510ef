export * from './api-keys';
export * from './idempotency';
export * from './offers';
export * from './organizations';
export * from './patients';
export * from './points';
export * from './settlement';
export * from './vouchers';
