export * from './links';
export * from './nps';
export * from './refresh';
export * from './suggestions';
export * from './survey';
