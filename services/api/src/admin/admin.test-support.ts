// Shared by the console tests: sign in through the real form and post forms with their CSRF token.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export type TCookieJar = Map<string, string>;

export function keepCookies(jar: TCookieJar, response: LightMyRequestResponse): void {
  for (const cookie of response.cookies) {
    if (cookie.value === '' || (cookie.maxAge !== undefined && cookie.maxAge <= 0)) jar.delete(cookie.name);
    else jar.set(cookie.name, cookie.value);
  }
}

export const cookieHeader = (jar: TCookieJar) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

/** The `_csrf` value of the first form on a console page. */
export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** Signs in as a browser would: GET the form, POST the token with the form's CSRF token. */
export async function signIn(app: FastifyInstance, token: string): Promise<TCookieJar> {
  const jar: TCookieJar = new Map();
  const form = await app.inject({ method: 'GET', url: '/admin/login' });
  keepCookies(jar, form);
  const response = await app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { cookie: cookieHeader(jar) },
    payload: { token, _csrf: csrfIn(form.body), next: '/admin' },
  });
  if (response.statusCode !== 303) throw new Error(`sign-in answered ${response.statusCode}`);
  keepCookies(jar, response);
  return jar;
}

/** GETs a console page, then posts `fields` (plus its CSRF token) to `action`. */
export async function postForm(app: FastifyInstance, jar: TCookieJar, { page, action, fields = {} }: { page: string; action: string; fields?: Record<string, string> }) {
  const shown = await app.inject({ method: 'GET', url: page, headers: { cookie: cookieHeader(jar) } });
  keepCookies(jar, shown);
  return app.inject({ method: 'POST', url: action, headers: { cookie: cookieHeader(jar) }, payload: { ...fields, _csrf: csrfIn(shown.body) } });
}
