export * from './card-number';
export * from './clock';
export * from './errors';
export * from './hash';
export * from './ids';
export * from './money';
export * from './result';
export * from './reversal';
