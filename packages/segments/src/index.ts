export * from './segment-rules';
export * from './features';
export * from './segment-repository';
