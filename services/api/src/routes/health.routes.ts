import { withTimeout } from '@paperboy/runtime';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const CHECK_TIMEOUT_MS = 2_000;

const ZCheck = z.object({ status: z.enum(['ok', 'error']), error: z.string().optional() });
const ZReadiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: ZCheck, redis: ZCheck }),
});

async function probe(run: () => Promise<unknown>): Promise<z.infer<typeof ZCheck>> {
  try {
    await withTimeout(run(), { timeoutMs: CHECK_TIMEOUT_MS, message: `no answer within ${CHECK_TIMEOUT_MS} ms` });
    return { status: 'ok' };
  } catch (error) {
    return { status: 'error', error: (error as Error).message };
  }
}

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
      logLevel: 'warn',
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'PostgreSQL and Redis answer',
        response: { 200: ZReadiness, 503: ZReadiness },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        probe(() => app.db.execute(sql`select 1`)),
        probe(() => app.redis.ping()),
      ]);
      const isReady = postgres.status === 'ok' && redis.status === 'ok';
      return reply.code(isReady ? 200 : 503).send({ status: isReady ? 'ready' : 'unavailable', checks: { postgres, redis } });
    },
  );
};
