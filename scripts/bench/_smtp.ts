import { createMailer } from '@paperboy/email';
import { startSink } from './processes.ts';
const html = '<p>' + 'hello world '.repeat(2500) + '</p>';
for (const connections of [8, 32]) {
  const sink = await startSink();
  const mailer = createMailer({ smtpUrl: sink.url, from: 'a@b.c', maxConnections: connections });
  const n = 3000; let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => { while (next < n) { const i = next++; await mailer.send({ to: `u${i}@x.test`, subject: 's', text: 'hi', html, messageId: `<m${i}@x>` }); } }));
  console.log(connections, 'connections:', Math.round(n / ((performance.now() - t) / 1000)), 'msg/s');
  mailer.close(); await sink.stop();
}
