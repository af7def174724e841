import { z } from 'zod';

// C0 and C1 control characters (tab, CR and LF included) never belong in a single-line field:
// they are how header injection and log forgery start.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** A single line of text: trimmed, no control characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters');

/** Multi-line text (abstracts): newlines and tabs allowed, other control characters not. */
export const multiLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .refine((value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(value), 'must not contain control characters');

export const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2_000);
