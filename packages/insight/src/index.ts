export * from './default-questionnaire';
export * from './links';
export * from './nps';
export * from './questionnaire';
export * from './refresh';
export * from './suggestions';
export * from './survey';
