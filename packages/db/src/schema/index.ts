export * from './subscribers.table.ts';
export * from './topics.table.ts';
export * from './papers.table.ts';
export * from './digests.table.ts';
export * from './feedback.table.ts';
export * from './deliverability.table.ts';
