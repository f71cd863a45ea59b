export * from './errors.ts';
export * from './entities.ts';
export * from './text-rules.ts';
export * from './ws.ts';
export * from './http.ts';
export * from './provider.ts';
export * from './admin.ts';
