import { isAppError, splitLikedPapers, type TFieldError, type TTopicChoice } from '@paperboy/domain';
import { z } from 'zod';

/** What @fastify/formbody hands over: a repeated field (checkboxes) arrives as an array. */
export const ZFormBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type TFormBody = z.infer<typeof ZFormBody>;

export const ZTokenParams = z.object({ token: z.string().min(1).max(200) });

const LABELS: Record<string, string> = {
  email: 'Email address',
  topics: 'Topics',
  keywords: 'Keywords',
  frequency: 'How often',
  digestSize: 'Papers per digest',
  likedPapers: 'Papers you liked',
};

export type TFormValues = { email: string; keywords: string; frequency: string; digestSize: string; topics: string[]; likedPapers: string };
export type TFormErrors = Record<string, string>;

const text = (value: string | string[] | undefined) => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The form's raw values, kept as typed so a re-rendered form shows what the person entered. */
export function formValues(body: TFormBody): TFormValues {
  return {
    email: text(body.email),
    keywords: text(body.keywords),
    frequency: text(body.frequency) || 'weekly',
    digestSize: text(body.digestSize) || '10',
    topics: list(body.topics),
    likedPapers: text(body.likedPapers),
  };
}

/** The form's values in the shape of the JSON API's body, for the same zod schema to judge. */
export function formToInput(values: TFormValues) {
  return {
    email: values.email,
    topics: values.topics,
    // One text box, split on commas (and line breaks, should a browser send any).
    keywords: values.keywords
      .split(/[,\r\n]+/)
      .map((keyword) => keyword.trim())
      .filter((keyword) => keyword.length > 0),
    frequency: values.frequency,
    digestSize: Number(values.digestSize),
    likedPapers: splitLikedPapers(values.likedPapers),
  };
}

/** One message per field, worded for a person; keyword errors say which keyword. */
export function fieldErrors(error: z.ZodError, values: TFormValues): TFormErrors {
  const errors: TFormErrors = {};
  const keywords = formToInput(values).keywords;
  for (const issue of error.issues) {
    const [field, index] = issue.path;
    if (typeof field !== 'string' || errors[field]) continue;
    errors[field] = field === 'keywords' && typeof index === 'number' ? `"${keywords[index]}" ${issue.message}` : issue.message;
  }
  return errors;
}

/** Domain 400s (unknown topics) name their field in `details`; a form shows them beside it. */
export function appFieldErrors(error: unknown): TFormErrors | undefined {
  if (!isAppError(error) || error.status !== 400 || !Array.isArray(error.details)) return undefined;
  const errors: TFormErrors = {};
  for (const detail of error.details as TFieldError[]) errors[detail.field.replace(/^body\./, '')] = detail.message;
  return errors;
}

export function errorList(errors: TFormErrors) {
  return Object.entries(errors).map(([field, message]) => ({ id: field, label: LABELS[field] ?? field, message }));
}

export function topicOptions(topics: TTopicChoice[], chosen: string[]) {
  return topics.map((topic) => ({ ...topic, isChecked: chosen.includes(topic.slug) }));
}
