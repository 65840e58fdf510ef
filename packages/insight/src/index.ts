export * from './clinic';
export * from './links';
export * from './refresh';
export * from './settings';
