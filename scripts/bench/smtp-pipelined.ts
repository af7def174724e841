import { connect, type Socket } from 'node:net';

/**
 * A bare SMTP writer for the benchmark only: plain TCP, EHLO, then each message as one
 * pipelined group (RFC 2920): MAIL, RCPT and DATA together, the body once 354 arrives, and the
 * next message's commands in the same write as the end of this one's data. No TLS, AUTH,
 * retries or error handling: it shows what the wire and the sink allow, not a product path.
 */
export async function sendPipelined({
  port,
  connections,
  messages,
}: {
  port: number;
  connections: number;
  /** Pre-built, dot-stuffed, CRLF-ended messages with their envelopes. */
  messages: { from: string; to: string; data: Buffer }[];
}): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const session = await openSession(port);
      let pendingEnd = false;
      for (let index = next++; index < messages.length; index = next++) {
        const { from, to, data } = messages[index]!;
        session.socket.write(`${pendingEnd ? '.\r\n' : ''}MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
        expectCodes(await session.replies(pendingEnd ? 4 : 3), pendingEnd ? [250, 250, 250, 354] : [250, 250, 354]);
        session.socket.write(data);
        pendingEnd = true;
      }
      if (pendingEnd) {
        session.socket.write('.\r\nQUIT\r\n');
        expectCodes(await session.replies(1), [250]);
      }
      session.socket.destroy();
    }),
  );
}

function expectCodes(codes: number[], wanted: number[]) {
  if (codes.some((code, index) => code !== wanted[index])) throw new Error(`pipelined SMTP: expected ${wanted.join(',')}, got ${codes.join(',')}`);
}

async function openSession(port: number) {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  const codes: number[] = [];
  let buffered = '';
  let waiter: { count: number; resolve: (codes: number[]) => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  socket.on('error', (error) => {
    failure = error;
    waiter?.reject(error);
  });
  const settle = () => {
    if (waiter && codes.length >= waiter.count) {
      const { count, resolve } = waiter;
      waiter = undefined;
      resolve(codes.splice(0, count));
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let end: number;
    while ((end = buffered.indexOf('\r\n')) !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      // A multi-line reply ("250-...") ends at its line with a space after the code.
      if (line[3] !== '-') codes.push(Number(line.slice(0, 3)));
    }
    settle();
  });
  const replies = (count: number) =>
    new Promise<number[]>((resolve, reject) => {
      if (failure) return reject(failure);
      waiter = { count, resolve, reject };
      settle();
    });
  expectCodes(await replies(1), [220]);
  socket.write('EHLO bench.localhost\r\n');
  expectCodes(await replies(1), [250]);
  return { socket, replies };
}
