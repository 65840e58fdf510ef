export * from './links';
export * from './refresh';
export * from './segment-csv';
export * from './segment-rules';
export * from './segments';
