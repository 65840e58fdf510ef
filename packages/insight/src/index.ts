export * from './branches';
export * from './gifts';
export * from './goals';
export * from './links';
export * from './location';
export * from './places';
export * from './refresh';
