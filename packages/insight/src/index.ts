export * from './links';
export * from './refresh';
