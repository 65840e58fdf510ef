export * from './default-questionnaire';
export * from './links';
export * from './questionnaire';
export * from './refresh';
