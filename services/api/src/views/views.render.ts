import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { repoPath } from '@paperboy/runtime';
import Handlebars from 'handlebars';

/** The public pages, under services/api/src/pages/templates. */
export type TPageName =
  | 'signup'
  | 'check-inbox'
  | 'confirm'
  | 'confirmed'
  | 'preferences'
  | 'unsubscribe'
  | 'unsubscribed'
  | 'erased'
  | 'feedback'
  | 'feedback-done'
  | 'message';

/** The admin console, under services/api/src/admin/templates. */
export type TAdminPage =
  | 'login'
  | 'dashboard'
  | 'papers'
  | 'subscribers'
  | 'subscriber'
  | 'digests'
  | 'dry-run'
  | 'run'
  | 'preview'
  | 'topics'
  | 'topic'
  | 'suppressions'
  | 'message';

export type TRender<TName extends string> = (name: TName, data: Record<string, unknown>) => string;
type TRenderPage = TRender<TPageName>;
export type TRenderAdmin = TRender<TAdminPage>;

const pad = (value: number) => String(value).padStart(2, '0');

// Times are UTC, the zone the schedules run in.
const HELPERS: Record<string, Handlebars.HelperDelegate> = {
  eq: (left: unknown, right: unknown) => left === right,
  includes: (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value),
  date: (value: unknown) =>
    value instanceof Date ? value.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }) : '',
  datetime: (value: unknown) => {
    const date = typeof value === 'string' ? new Date(value) : value;
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '—';
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
  },
  percent: (value: unknown) => (typeof value === 'number' ? `${Math.round(value * 100)}%` : ''),
  // Bounce and complaint rates matter in tenths of a percent (0.3% is a complaint limit).
  percentTenths: (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : ''),
  percentNumber: (value: unknown) => (typeof value === 'number' ? Math.round(value * 100) : 0),
  fixed: (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : ''),
};

/**
 * Page templates are Handlebars files, compiled once when the API starts. Every `{{value}}` is
 * HTML-escaped by Handlebars; the templates use no triple-stash, so nothing reaches a page raw.
 * `_name.hbs` files are partials (`_layout.hbs` is the frame, `{{#> layout title="…"}}`). The
 * folder is found from the repository root, not from this module: the production bundle lives
 * elsewhere.
 */
export async function compileTemplates<TName extends string>(...folder: string[]): Promise<TRender<TName>> {
  const dir = repoPath(...folder);
  const handlebars = Handlebars.create();
  for (const [name, helper] of Object.entries(HELPERS)) handlebars.registerHelper(name, helper);
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.hbs'))) {
    const source = await readFile(join(dir, file), 'utf8');
    const name = basename(file, '.hbs');
    // Precompiling parses the whole template now, so a broken one fails at start-up, not on a visitor.
    handlebars.precompile(source);
    if (name.startsWith('_')) handlebars.registerPartial(name.slice(1), source);
    // preventIndent: an indented partial call must not indent a <textarea>'s value.
    else pages.set(name, handlebars.compile(source, { preventIndent: true }));
  }
  return (name, data) => {
    const template = pages.get(name);
    if (!template) throw new Error(`No template "${name}" in ${folder.join('/')}`);
    return template(data);
  };
}

/** What every public page plugin is given. */
export type TPageOptions = { render: TRenderPage };
