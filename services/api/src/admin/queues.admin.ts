import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';

const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * The BullMQ dashboard, inside the console's scope so the same session check guards it. Its
 * UI and JSON API are same-origin scripts, so the app's CSP needs no exception. Its own
 * actions (retry, clean, pause a queue) carry no CSRF token: the SameSite=Strict session
 * cookie keeps them same-site, and writes must also come from the app's own origin.
 */
export async function mountQueueBoard(app: FastifyInstance): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: app.queues.all().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Paperboy queues' } },
  });
  const origin = new URL(app.config.server.publicUrl).origin;
  await app.register(async (board) => {
    board.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD' && request.headers.origin !== origin) {
        return reply.code(403).send({ error: { code: 'admin.cross_origin', message: 'Queue actions must come from the console itself.' } });
      }
    });
    await board.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}
