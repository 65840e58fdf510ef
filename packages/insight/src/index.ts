export * from './links';
export * from './refresh';
export * from './default-questionnaire';
export * from './questionnaire';
