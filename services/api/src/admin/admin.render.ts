import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { repoPath } from '@paperboy/runtime';
import Handlebars from 'handlebars';

// Found from the repository root, not from this module: the production bundle lives elsewhere.
const TEMPLATES_DIR = repoPath('services', 'api', 'src', 'admin', 'templates');

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
  | 'message';

export type TRenderAdmin = (name: TAdminPage, data: Record<string, unknown>) => string;

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * The console's templates, compiled once at start-up like the public pages (pages/render.ts):
 * every `{{value}}` is escaped by Handlebars and no template uses a triple-stash. Times are UTC,
 * the zone the schedules run in.
 */
export async function compileAdminPages(): Promise<TRenderAdmin> {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  handlebars.registerHelper('datetime', (value: unknown) => {
    const date = typeof value === 'string' ? new Date(value) : value;
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '—';
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
  });
  handlebars.registerHelper('percent', (value: unknown) => (typeof value === 'number' ? `${Math.round(value * 100)}%` : ''));
  handlebars.registerHelper('percentNumber', (value: unknown) => (typeof value === 'number' ? Math.round(value * 100) : 0));
  handlebars.registerHelper('fixed', (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : ''));
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of (await readdir(TEMPLATES_DIR)).filter((name) => name.endsWith('.hbs'))) {
    const source = await readFile(join(TEMPLATES_DIR, file), 'utf8');
    const name = basename(file, '.hbs');
    // Precompiling parses the whole template now, so a broken one fails at start-up.
    handlebars.precompile(source);
    if (name.startsWith('_')) handlebars.registerPartial(name.slice(1), source);
    // preventIndent: an indented partial call must not indent a <textarea>'s value.
    else pages.set(name, handlebars.compile(source, { preventIndent: true }));
  }
  return (name, data) => {
    const template = pages.get(name);
    if (!template) throw new Error(`No admin template "${name}"`);
    return template(data);
  };
}
