import { z } from 'zod';
import { singleLine } from '../shared/schemas.ts';

export const ZTopicSlug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lowercase words joined by dashes')
  .max(60, 'must be at most 60 characters');

export const ZTopicTerm = z.object({
  term: singleLine(80),
  weight: z.number().min(0.05).max(1),
});

export const ZTopic = z.object({
  slug: ZTopicSlug,
  name: singleLine(120),
  description: singleLine(200),
  terms: z.array(ZTopicTerm).min(1, 'needs at least one term').max(200),
});

export type TTopicInput = z.infer<typeof ZTopic>;
