import nodemailer from 'nodemailer';

export type TOutgoingEmail = {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Deterministic per delivery, so a retried send carries the same id. */
  messageId?: string;
  headers?: Record<string, string>;
};

export type TSendResult = { messageId: string; response: string };

export type TMailer = {
  send: (email: TOutgoingEmail) => Promise<TSendResult>;
  verify: () => Promise<void>;
  close: () => void;
};

export class HeaderInjectionError extends Error {
  constructor(field: string) {
    super(`Refusing to send: ${field} contains a line break`);
    this.name = 'HeaderInjectionError';
  }
}

/** No CR or LF from data ever reaches a header: refuse the message rather than clean it silently. */
export function assertSingleLine(field: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new HeaderInjectionError(field);
  return value;
}

/** One pooled transport per process; `rateLimit` caps messages per second across the pool. */
export function createMailer({
  smtpUrl,
  from,
  maxConnections = 5,
  rateLimitPerSecond,
  dkim,
}: {
  smtpUrl: string;
  from: string;
  maxConnections?: number;
  rateLimitPerSecond?: number;
  /** Signs every message (DKIM) when given. */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}): TMailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    maxConnections,
    maxMessages: Infinity,
    ...(rateLimitPerSecond ? { rateDelta: 1_000, rateLimit: rateLimitPerSecond } : {}),
    ...(dkim ? { dkim } : {}),
    // Local catchers and sinks speak plain SMTP; a real relay with STARTTLS is still used when offered.
    tls: { rejectUnauthorized: url.hostname !== '127.0.0.1' && url.hostname !== 'localhost' },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  assertSingleLine('from', from);
  return {
    send: async (email) => {
      assertSingleLine('to', email.to);
      assertSingleLine('subject', email.subject);
      if (email.messageId) assertSingleLine('messageId', email.messageId);
      for (const [name, value] of Object.entries(email.headers ?? {})) {
        assertSingleLine(`header ${name}`, name);
        assertSingleLine(`header ${name}`, value);
      }
      const info = (await transport.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: email.messageId,
        headers: email.headers,
        // Digests carry typographic characters, so they are never 7-bit. Base64 is encoded in
        // native code; quoted-printable (nodemailer's pick) costs most of a sender's CPU.
        textEncoding: 'base64',
      })) as { messageId: string; response: string };
      return { messageId: info.messageId, response: info.response };
    },
    verify: async () => {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}

export type TSmtpFailure = 'transient' | 'permanent';

/**
 * 5xx answers are permanent for that message (a bad address); 4xx answers and dropped or
 * refused connections are transient and worth a retry with backoff.
 */
export function classifySmtpError(error: unknown): TSmtpFailure {
  if (error instanceof HeaderInjectionError) return 'permanent';
  const responseCode = (error as { responseCode?: number }).responseCode;
  if (typeof responseCode === 'number') return responseCode >= 500 ? 'permanent' : 'transient';
  return 'transient';
}
