import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AppError,
  applyPostmarkWebhook,
  applySesNotification,
  createSnsHttpsGet,
  createSnsVerifier,
  isAllowedSnsUrl,
  ZPostmarkWebhook,
  ZSesNotification,
  ZSnsMessage,
} from '@paperboy/domain';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZErrorBody } from '../plugins/error-handler.plugin.ts';

const ZWebhookAccepted = z.object({ outcomes: z.array(z.string()) });
const errors = { 400: ZErrorBody, 401: ZErrorBody, 403: ZErrorBody, 404: ZErrorBody, 503: ZErrorBody };

const notConfigured = () => new AppError({ code: 'webhooks.not_configured', message: 'This webhook is not configured.', status: 404 });
const unauthorized = () => new AppError({ code: 'webhooks.signature_invalid', message: 'The request is not signed by the provider.', status: 401 });

/** Parses a webhook body (SNS sends JSON as text/plain) with a schema, naming the refused fields. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      throw new AppError({ code: 'webhooks.body_invalid', message: `The ${what} is not JSON.`, status: 400 });
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message }));
  throw new AppError({ code: 'webhooks.body_invalid', message: `Invalid ${what}: ${details.map((detail) => detail.field).join(', ')}`, status: 400, details });
}

/** Bounce and complaint webhooks of Amazon SES (through SNS) and Postmark, each with its own signature check. */
export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ses, postmark, softBounceLimit } = app.config.deliverability;
  const settings = { secretKey: app.config.security.secretKey, softBounceLimit };
  const httpsGet = createSnsHttpsGet({ ca: ses.certCa });
  const verifySns = createSnsVerifier({ certHost: ses.certHost, httpsGet });
  // SNS posts JSON as text/plain; the body is parsed, and checked, by the handler.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 300 * 1024 }, (_request, body, done) => done(null, body));

  app.post(
    '/webhooks/ses',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Amazon SES bounces and complaints, delivered by SNS',
        description:
          'Accepts SNS messages from the topics in SES_SNS_TOPIC_ARNS. The SNS signature is checked against the certificate at ' +
          'SigningCertURL (an https .pem on sns.<region>.amazonaws.com, or on SES_SNS_CERT_HOST when set); 401 without a valid one. A SubscriptionConfirmation is confirmed by ' +
          'visiting its SubscribeURL. 404 while no topic is configured.',
        response: { 200: ZWebhookAccepted, ...errors },
      },
    },
    async (request) => {
      if (ses.topicArns.length === 0) throw notConfigured();
      const message = parseBody(ZSnsMessage, request.body, 'SNS message');
      let isValid: boolean;
      try {
        isValid = await verifySns(message);
      } catch (error) {
        request.log.warn({ err: error }, 'SNS signing certificate could not be fetched');
        throw new AppError({ code: 'webhooks.certificate_unavailable', message: 'The signing certificate could not be fetched.', status: 503 });
      }
      if (!isValid) throw unauthorized();
      if (!ses.topicArns.includes(message.TopicArn)) {
        throw new AppError({ code: 'webhooks.topic_unknown', message: 'Notifications from this topic are not accepted.', status: 403 });
      }
      if (message.Type === 'SubscriptionConfirmation') {
        if (!message.SubscribeURL || !isAllowedSnsUrl(message.SubscribeURL, ses.certHost)) throw unauthorized();
        await httpsGet(message.SubscribeURL);
        return { outcomes: ['subscription-confirmed'] };
      }
      if (message.Type === 'UnsubscribeConfirmation') return { outcomes: [] };
      const notification = parseBody(ZSesNotification, message.Message, 'SES notification');
      return applySesNotification({ db: app.db, settings, notification });
    },
  );

  app.post(
    '/webhooks/postmark',
    {
      onRequest: async (request) => {
        if (!postmark) throw notConfigured();
        if (!hasBasicAuth(request, postmark)) throw unauthorized();
      },
      schema: {
        tags: ['webhooks'],
        summary: 'Postmark bounce and spam complaint webhooks',
        description:
          'Postmark calls this with HTTP basic authentication (POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD in the ' +
          'webhook URL); 401 without it, 404 while they are unset.',
        response: { 200: ZWebhookAccepted, ...errors },
      },
    },
    async (request) => {
      const payload = parseBody(ZPostmarkWebhook, request.body, 'Postmark webhook');
      return applyPostmarkWebhook({ db: app.db, settings, payload });
    },
  );
};

function hasBasicAuth(request: FastifyRequest, expected: { user: string; password: string }): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!match) return false;
  // Compared as digests so the comparison takes the same time whatever the lengths.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(Buffer.from(match[1]!, 'base64').toString('utf8')), digest(`${expected.user}:${expected.password}`));
}
