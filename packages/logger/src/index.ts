import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdSerializers, type Logger, type LoggerOptions } from 'pino';

export type { DestinationStream, Logger } from 'pino';

// Personal data never reaches the logs: addresses and tokens are redacted wherever they
// appear in a logged object, and tokens inside request URLs are cut out by the serializer.
const REDACT_PATHS = [
  'email',
  '*.email',
  '*.*.email',
  'to',
  '*.to',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'password',
  '*.password',
];

const TOKEN_IN_PATH = /\/(confirm|feedback|preferences|unsubscribe)\/[^/?#]+/g;
const EMAIL_IN_TEXT = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[a-z]{2,}/gi;

// Request URLs carry addresses percent-encoded (a console form's ?q=ann%40example.org), which the
// address pattern would not see; a malformed escape still has its encoded @ turned back.
function percentDecoded(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%40/gi, '@');
  }
}

export function redactText(text: string): string {
  return percentDecoded(text).replace(TOKEN_IN_PATH, '/$1/[redacted]').replace(EMAIL_IN_TEXT, '[email]');
}

// Applied to a whole URL, the address pattern would swallow the path and the other parameters
// with it (its local part allows '/', '?', '=' and '&'): each path segment and each query key and
// value is redacted on its own, so the line still says which route was asked.
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const safePath = path.replace(TOKEN_IN_PATH, '/$1/[redacted]').split('/').map(redactText).join('/');
  if (queryAt === -1) return safePath;
  const safeQuery = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equalsAt = pair.indexOf('=');
      return equalsAt === -1 ? redactText(pair) : `${redactText(pair.slice(0, equalsAt))}=${redactText(pair.slice(equalsAt + 1))}`;
    })
    .join('&');
  return `${safePath}?${safeQuery}`;
}

// Fields every line logged inside `withLogFields` carries, whichever logger writes it: a job's
// trace id reaches the lines of the use cases it calls without a logger passed down to them.
const logFields = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `work` with `fields` added to each log line written during it (undefined fields are left out). */
export function withLogFields<T>(fields: Record<string, unknown>, work: () => T): T {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return logFields.run({ ...logFields.getStore(), ...defined }, work);
}

export function loggerOptions({ level, name }: { level: string; name: string }): LoggerOptions {
  return {
    name,
    level,
    mixin: () => logFields.getStore() ?? {},
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: stdSerializers.err,
      req: (req: { method: string; url: string; id?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        id: req.id,
      }),
    },
  };
}

export function createLogger({
  level,
  name,
  destination,
}: {
  level: string;
  name: string;
  destination?: pino.DestinationStream;
}): Logger {
  return destination ? pino(loggerOptions({ level, name }), destination) : pino(loggerOptions({ level, name }));
}
