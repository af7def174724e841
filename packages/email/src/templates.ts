import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoPath } from '@paperboy/runtime';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';

/**
 * Each email is `templates/<name>.mjml` (MJML with Handlebars placeholders; shared pieces
 * come in with <mj-include>, loops sit in <mj-raw>) plus `templates/<name>.txt.hbs`, the
 * plain-text part written for people. MJML runs once per template, at start-up; each
 * recipient costs one Handlebars call, which escapes every value it inserts.
 */
export type TRenderedEmail = { html: string; text: string };
export type TCompiledTemplate<TData> = (data: TData) => TRenderedEmail;

export class TemplateError extends Error {
  constructor(name: string, detail: string) {
    super(`Email template "${name}" is invalid: ${detail}`);
    this.name = 'TemplateError';
  }
}

function createHandlebars() {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('plural', (count: number, singular: string, plural: string) => (count === 1 ? singular : plural));
  handlebars.registerHelper('inc', (value: number) => value + 1);
  return handlebars;
}

export async function compileTemplate<TData>({
  name,
  dir = repoPath('templates'),
}: {
  name: string;
  dir?: string;
}): Promise<TCompiledTemplate<TData>> {
  const filePath = join(dir, `${name}.mjml`);
  const [source, textSource] = await Promise.all([readFile(filePath, 'utf8'), readFile(join(dir, `${name}.txt.hbs`), 'utf8')]);
  // MJML errors are failures: 'strict' makes mjml2html throw instead of warning.
  let html: string;
  try {
    const result = await mjml2html(source, {
      validationLevel: 'strict',
      filePath,
      // MJML 5 ignores <mj-include> unless told otherwise, and reads only under includePath.
      ignoreIncludes: false,
      includePath: dir,
      keepComments: false,
      // No web fonts: they would make every open a request to a third party.
      fonts: {},
    });
    // MJML indents generously; a digest goes to every subscriber, so its size is paid for in
    // every send. Leading white space is never significant in this markup (no <pre>).
    html = result.html.replace(/^[ \t]+/gm, '').replace(/\n{2,}/g, '\n');
  } catch (error) {
    const details = (error as { errors?: { formattedMessage?: string }[] }).errors?.map((issue) => issue.formattedMessage);
    throw new TemplateError(name, details?.length ? details.join('; ') : (error as Error).message);
  }
  const handlebars = createHandlebars();
  const fillHtml = handlebars.compile(html, { strict: true });
  // The text part is not HTML: nothing to escape, but values still come from data only.
  const fillText = handlebars.compile(textSource, { strict: true, noEscape: true });
  return (data) => ({ html: fillHtml(data), text: fillText(data) });
}
