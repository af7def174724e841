import { withTimeout } from '@paperboy/runtime';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type TQueueState = (typeof QUEUE_STATES)[number];
export type TQueueDepth = { queue: string; counts: Record<TQueueState, number> };

/** What a BullMQ Queue offers, structurally: this package stays free of BullMQ. */
export type TCountableQueue = { name: string; getJobCounts: (...states: TQueueState[]) => Promise<Record<string, number>> };

export async function readQueueDepths(queues: TCountableQueue[]): Promise<TQueueDepth[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      return { queue: queue.name, counts: Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as Record<TQueueState, number> };
    }),
  );
}

/** Totals kept in PostgreSQL; read at scrape time so every process reports the same, restart-proof numbers. */
export type TSubscriptionTotals = { signups: number; confirmations: number; subscribersByStatus: Record<string, number> };

export type TMetricsSources = {
  /** Read at scrape time (BullMQ getJobCounts); the services pass it in, so this package needs no BullMQ. */
  queueDepths?: () => Promise<TQueueDepth[]>;
  subscriptionTotals?: () => Promise<TSubscriptionTotals>;
  /** Told when a source fails during a scrape: the scrape still answers, without that source's samples. */
  onSourceError?: (source: string, error: unknown) => void;
};

export type TMetrics = ReturnType<typeof createMetrics>;

const SOURCE_TIMEOUT_MS = 2_000;
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * One registry per app or worker runtime, never prom-client's global default: tests build
 * several apps in one process, and each must count only its own work.
 */
export function createMetrics({ queueDepths, subscriptionTotals, onSourceError }: TMetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // A source that is down or slow costs its own samples, never the whole scrape.
  const safely = async <T>(source: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(read(), { timeoutMs: SOURCE_TIMEOUT_MS, message: `${source} did not answer within ${SOURCE_TIMEOUT_MS} ms` });
    } catch (error) {
      onSourceError?.(source, error);
      return undefined;
    }
  };

  const http = {
    requests: new Counter({
      name: 'paperboy_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'paperboy_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    }),
  };

  const emails = {
    sent: new Counter({ name: 'paperboy_emails_sent_total', help: 'Emails the SMTP server accepted, by kind', labelNames: ['kind'] as const, registers: [registry] }),
    failed: new Counter({ name: 'paperboy_emails_failed_total', help: 'Emails the SMTP server refused or that could not be handed over, by kind', labelNames: ['kind'] as const, registers: [registry] }),
    smtpDuration: new Histogram({
      name: 'paperboy_smtp_send_duration_seconds',
      help: 'Time to hand one message to the SMTP server, by kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    }),
  };

  const jobs = {
    duration: new Histogram({
      name: 'paperboy_job_duration_seconds',
      help: 'Time a job attempt ran, by queue, job name and outcome',
      labelNames: ['queue', 'job', 'outcome'] as const,
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'paperboy_job_failures_total',
      help: 'Failed job attempts, by queue and job name; isFinal says whether BullMQ gave up',
      labelNames: ['queue', 'job', 'isFinal'] as const,
      registers: [registry],
    }),
  };

  if (queueDepths) {
    new Gauge({
      name: 'paperboy_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { queue, counts } of (await safely('queues', queueDepths)) ?? []) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state]);
        }
      },
    });
  }

  if (subscriptionTotals) {
    // One read serves the three metrics of a scrape: the registry starts their collects in the
    // same tick, so they share the read in flight; the next scrape reads afresh.
    let pending: Promise<TSubscriptionTotals | undefined> | undefined;
    const totals = () =>
      (pending ??= safely('subscriptions', subscriptionTotals).finally(() => {
        pending = undefined;
      }));
    new Counter({
      name: 'paperboy_signups_total',
      help: 'Signups and resubscribes recorded in the consent log',
      registers: [registry],
      async collect() {
        const read = await totals();
        this.reset();
        if (read) this.inc(read.signups);
      },
    });
    new Counter({
      name: 'paperboy_confirmations_total',
      help: 'Confirmed addresses recorded in the consent log',
      registers: [registry],
      async collect() {
        const read = await totals();
        this.reset();
        if (read) this.inc(read.confirmations);
      },
    });
    new Gauge({
      name: 'paperboy_subscribers',
      help: 'Subscribers by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const read = await totals();
        this.reset();
        for (const [status, count] of Object.entries(read?.subscribersByStatus ?? {})) this.set({ status }, count);
      },
    });
  }

  return {
    registry,
    http,
    emails,
    jobs,
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
