import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { repoPath } from '@paperboy/runtime';
import Handlebars from 'handlebars';

// Found from the repository root, not from this module: the production bundle lives elsewhere.
const TEMPLATES_DIR = repoPath('services', 'api', 'src', 'pages', 'templates');

export type TPageName =
  | 'signup'
  | 'check-inbox'
  | 'confirmed'
  | 'preferences'
  | 'unsubscribe'
  | 'unsubscribed'
  | 'erased'
  | 'message';

export type TRenderPage = (name: TPageName, data: Record<string, unknown>) => string;

/**
 * Page templates are Handlebars files, compiled once when the API starts. Every `{{value}}` is
 * HTML-escaped by Handlebars; the templates use no triple-stash, so nothing reaches a page raw.
 * `_layout.hbs` is the shared frame, used as `{{#> layout title="…"}}…{{/layout}}`.
 */
export async function compilePages(): Promise<TRenderPage> {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  handlebars.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));
  handlebars.registerHelper('date', (value: unknown) =>
    value instanceof Date ? value.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }) : '',
  );
  const files = (await readdir(TEMPLATES_DIR)).filter((file) => file.endsWith('.hbs'));
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of files) {
    const source = await readFile(join(TEMPLATES_DIR, file), 'utf8');
    const name = basename(file, '.hbs');
    // Precompiling parses the whole template now, so a broken one fails at start-up, not on a visitor.
    handlebars.precompile(source);
    if (name.startsWith('_')) handlebars.registerPartial(name.slice(1), source);
    else pages.set(name, handlebars.compile(source));
  }
  return (name, data) => {
    const template = pages.get(name);
    if (!template) throw new Error(`No page template "${name}"`);
    return template(data);
  };
}
