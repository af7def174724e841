import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope, type SMTPServerSession } from 'smtp-server';

export type TCaughtMessage = {
  envelope: { from: string | undefined; to: string[] };
  /** The message as it arrived, header lines included. */
  raw: string;
  parsed: ParsedMail;
  /** Header lines exactly as sent, unfolded, for checks that a parser would hide. */
  header: (name: string) => string | undefined;
  /** False when the catcher kept the message but dropped the connection instead of answering 250. */
  isAcknowledged: boolean;
};

/**
 * What the catcher answers after DATA; undefined means 250. Lets tests inject 421/550, or
 * `drop`: keep the message and cut the connection before answering, the one way SMTP itself
 * duplicates (the sender never hears the 250 and tries again).
 */
export type TRespond = (input: { envelope: SMTPServerEnvelope; session: SMTPServerSession; count: number }) =>
  | { code: number; message: string }
  | { drop: true }
  | undefined;

/** An SMTP reply to send instead of accepting; put the RFC 3463 code first in `message` ("5.1.1 ..."). */
type TSmtpReply = { code: number; message: string };

export type TSmtpCatcher = {
  url: string;
  port: number;
  messages: TCaughtMessage[];
  respondWith: (respond: TRespond | undefined) => void;
  /** Answers RCPT TO for chosen recipients (undefined: accept), as a receiving server refuses an address. */
  respondToRecipient: (respond: ((address: string) => TSmtpReply | undefined) | undefined) => void;
  /** Refuses every new connection with this reply at the greeting (undefined: greet normally). */
  refuseGreeting: (reply: TSmtpReply | undefined) => void;
  /** Waits this long before answering each message, to keep senders busy mid-run. */
  slowDown: (delayMs: number) => void;
  waitForMessages: (count: number, options?: { timeoutMs?: number }) => Promise<TCaughtMessage[]>;
  /** Stops listening and cuts every open connection: senders get ECONNREFUSED until `acceptConnections`. */
  refuseConnections: () => Promise<void>;
  /** Listens again on the same port. */
  acceptConnections: () => Promise<void>;
  clear: () => void;
  close: () => Promise<void>;
};

function headerReader(raw: string) {
  const headerBlock = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  return (name: string) => {
    const prefix = `${name.toLowerCase()}:`;
    const line = unfolded.find((candidate) => candidate.toLowerCase().startsWith(prefix));
    return line?.slice(prefix.length).trim();
  };
}

type TConnection = { id: string; _socket: { destroy: () => void } };

/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts. `port` fixes the port
 * (0: any free one); `isParsing: false` skips mailparser, for bulk runs that only count
 * envelopes and headers (reading `parsed` then throws).
 */
export async function startSmtpCatcher({
  port: wantedPort = 0,
  isParsing = true,
  auth,
}: {
  port?: number;
  isParsing?: boolean;
  /** Requires AUTH with these credentials; others get 535 5.7.8, as a relay answers a wrong password. */
  auth?: { user: string; pass: string };
} = {}): Promise<TSmtpCatcher> {
  const messages: TCaughtMessage[] = [];
  let respond: TRespond | undefined;
  let respondToRecipient: ((address: string) => TSmtpReply | undefined) | undefined;
  let greetingRefusal: TSmtpReply | undefined;
  const refuse = (reply: TSmtpReply) => Object.assign(new Error(reply.message), { responseCode: reply.code });
  let delayMs = 0;
  let received = 0;
  const waiters = new Set<() => void>();

  const connections = () => (server as unknown as { connections: Set<TConnection> }).connections;
  const cut = (sessionId?: string) => {
    for (const connection of connections()) {
      if (sessionId === undefined || connection.id === sessionId) connection._socket.destroy();
    }
  };
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });

  const server = new SMTPServer({
    authOptional: !auth,
    // Plain-text AUTH over an unencrypted local socket: the catcher only ever listens on 127.0.0.1.
    allowInsecureAuth: true,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    logger: false,
    size: 25 * 1024 * 1024,
    onConnect(_session, callback) {
      callback(greetingRefusal ? refuse(greetingRefusal) : undefined);
    },
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) return callback(null, { user: auth.user });
      callback(refuse({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(address, _session, callback) {
      const reply = respondToRecipient?.(address.address);
      callback(reply ? refuse(reply) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      const reply = async () => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        received += 1;
        const refusal = respond?.({ envelope: session.envelope, session, count: received });
        if (refusal && 'code' in refusal) {
          callback(refuse(refusal));
          return;
        }
        const isAcknowledged = !refusal;
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = isParsing
          ? await simpleParser(raw)
          : new Proxy({} as ParsedMail, {
              get: () => {
                throw new Error('This catcher was started with isParsing: false');
              },
            });
        messages.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          },
          raw,
          parsed,
          header: headerReader(raw),
          isAcknowledged,
        });
        for (const wake of waiters) wake();
        if (isAcknowledged) callback();
        else cut(session.id);
      };
      stream.on('end', () => {
        reply().catch((error: Error) => callback(error));
      });
    },
  });

  // A sender that dies mid-session resets its connection; that is a test's fault, not the catcher's.
  server.on('error', () => {});
  await listen(wantedPort);
  const { port } = server.server.address() as AddressInfo;

  return {
    url: auth ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    port,
    messages,
    respondWith: (next) => {
      respond = next;
    },
    respondToRecipient: (next) => {
      respondToRecipient = next;
    },
    refuseGreeting: (reply) => {
      greetingRefusal = reply;
    },
    slowDown: (next) => {
      delayMs = next;
    },
    waitForMessages: (count, { timeoutMs = 10_000 } = {}) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} messages within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    refuseConnections: async () => {
      const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
      cut();
      await closed;
    },
    acceptConnections: () => listen(port),
    clear: () => {
      messages.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
