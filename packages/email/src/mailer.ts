import nodemailer from 'nodemailer';
import type { TComposedMessage } from './message.skeleton.ts';

export type TSendResult = { messageId: string; response: string };

export type TMailer = {
  send: (message: TComposedMessage) => Promise<TSendResult>;
  verify: () => Promise<void>;
  close: () => void;
};

/** One pooled transport per process; `rateLimit` caps messages per second across the pool. */
export function createMailer({
  smtpUrl,
  maxConnections = 5,
  rateLimitPerSecond,
  dkim,
}: {
  smtpUrl: string;
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
  return {
    // The message is already composed (see createMessageSkeleton): nodemailer only streams it
    // and signs it. DKIM applies to raw messages as to any other (a test proves it).
    send: async (message) => {
      const info = (await transport.sendMail({ envelope: message.envelope, raw: message.raw })) as { response: string };
      return { messageId: message.messageId, response: info.response };
    },
    verify: async () => {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}
