export * from './links';
export * from './overview';
export * from './refresh';
export * from './win-back';
