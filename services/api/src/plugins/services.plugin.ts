import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createDigestService, type TDigestService } from '../services/digests.service.ts';
import { createPaperService, type TPaperService } from '../services/papers.service.ts';
import { createSignupService, type TSignupService } from '../services/signups.service.ts';
import { createSubscriberService, type TSubscriberService } from '../services/subscribers.service.ts';
import { createSuppressionService, type TSuppressionService } from '../services/suppressions.service.ts';
import { createTopicService, type TTopicService } from '../services/topics.service.ts';

type TServices = {
  digests: TDigestService;
  papers: TPaperService;
  signups: TSignupService;
  subscribers: TSubscriberService;
  suppressions: TSuppressionService;
  topics: TTopicService;
};

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyInstance {
    /** Built once here; the JSON API and the console call the same objects. */
    services: TServices;
  }
}

export const servicesPlugin = fp(
  (app: FastifyInstance) => {
    app.decorate('services', {
      digests: createDigestService({ db: app.db, queues: app.queues, config: app.config }),
      papers: createPaperService({ db: app.db, queues: app.queues }),
      signups: createSignupService({ db: app.db, queues: app.queues, config: app.config, log: app.log }),
      subscribers: createSubscriberService({ db: app.db, secretKey: app.config.security.secretKey }),
      suppressions: createSuppressionService({ db: app.db, secretKey: app.config.security.secretKey }),
      topics: createTopicService({ db: app.db, model: app.topicModel }),
    } satisfies TServices);
  },
  { name: 'services', dependencies: ['database', 'queues'], decorators: { fastify: ['config', 'topicModel'] } },
);
