import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TConfig } from '@paperboy/config';
import { loadTopicModel, rateLimitedError, type TTopicModel } from '@paperboy/domain';
import { loggerOptions, type DestinationStream } from '@paperboy/logger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { adminAuthPlugin } from './plugins/admin-auth.plugin.ts';
import { databasePlugin } from './plugins/database.plugin.ts';
import { errorHandlerPlugin } from './plugins/error-handler.plugin.ts';
import { queuesPlugin } from './plugins/queues.plugin.ts';
import { servicesPlugin } from './plugins/services.plugin.ts';
import { adminConsole } from './admin/admin.plugin.ts';
import { metricsPlugin } from './metrics/metrics.plugin.ts';
import { adminDigestsRoutes } from './routes/digests.routes.ts';
import { pageRoutes } from './pages/pages.plugin.ts';
import { adminSubscriberRoutes } from './routes/subscribers.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { papersRoutes } from './routes/papers.routes.ts';
import { topicsRoutes } from './routes/topics.routes.ts';
import { deliverabilityRoutes } from './routes/deliverability.routes.ts';
import { subscriptionRoutes } from './routes/subscriptions.routes.ts';
import { createRequestIdGenerator } from './security/security.request-id.ts';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyInstance {
    config: TConfig;
    /** The trained topic matcher: re-scores recent papers when an admin adds or edits a topic. */
    topicModel: TTopicModel;
  }
}

export type TBuildAppOptions = {
  config: TConfig;
  /** Tests pass `false` (or a level) to keep output quiet. */
  logger?: boolean;
  /** Where log lines go instead of stdout: tests capture them to check what the API writes. */
  logDestination?: DestinationStream;
};

// Fastify honours a hop count at run time but does not type it; a hop test says the same thing.
function trustProxyOption(trustProxy: TConfig['security']['trustProxy']) {
  return typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy;
}

/** The API's composition root: external plugins, then app plugins, then routes. Nothing connects before this is called. */
export async function buildApp({ config, logger = true, logDestination }: TBuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? { ...loggerOptions({ level: config.log.level, name: 'api' }), ...(logDestination && { stream: logDestination }) } : false,
    // Off unless TRUST_PROXY names the proxies: request.ip is the signup limit's key and the consent log's ip.
    trustProxy: trustProxyOption(config.security.trustProxy),
    bodyLimit: 1024 * 1024,
    // The id is chosen by createRequestIdGenerator, not copied from any client's header.
    requestIdHeader: false,
    genReqId: createRequestIdGenerator(config.security.trustProxy),
  }).withTypeProvider<ZodTypeProvider>();

  app.decorate('config', config);
  app.decorate('topicModel', await loadTopicModel());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Paperboy API', version: '0.1.0', description: 'Subscriptions, papers and digests.' },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' }, metrics: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(errorHandlerPlugin);
  await app.register(databasePlugin, config.database);
  await app.register(queuesPlugin, { url: config.redis.url, prefix: config.redis.queuePrefix });
  await app.register(servicesPlugin);
  await app.register(metricsPlugin, { token: config.security.metricsToken });
  await app.register(adminAuthPlugin, { adminToken: config.security.adminToken });

  await app.register(healthRoutes);
  await app.register(papersRoutes);
  await app.register(topicsRoutes);
  // Subscriptions: form bodies, the CSRF cookie, and signup limits counted in Redis.
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    redis: app.redis,
    nameSpace: `${config.redis.queuePrefix}:rate-limit:`,
    // Redis down: let the request through; the signup then answers 503 when it cannot queue its email.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => rateLimitedError({ retryAfter: context.after }),
  });
  await app.register(subscriptionRoutes);
  await app.register(adminSubscriberRoutes);
  await app.register(pageRoutes);
  await app.register(adminDigestsRoutes);
  await app.register(adminConsole);
  await app.register(deliverabilityRoutes);
  return app;
}
