import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@paperboy/logger';
import { isScrapeAllowed, METRICS_CHALLENGE, type TMetrics } from '@paperboy/metrics';

export type TMetricsServer = { port: number; close: () => Promise<void> };

/** The worker's `GET /metrics`: a bare node:http server, since the worker has no HTTP framework to hang it on. */
export async function startMetricsServer({
  metrics,
  host,
  port,
  logger,
  token,
}: {
  metrics: TMetrics;
  host: string;
  port: number;
  logger: Logger;
  /** METRICS_TOKEN: when set, a scrape without it as a bearer token gets 401. */
  token?: string;
}): Promise<TMetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (!isScrapeAllowed({ authorization: request.headers.authorization, token })) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': METRICS_CHALLENGE }).end('Unauthorized\n');
      return;
    }
    metrics.render().then(
      (body) => response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(body),
      (error: Error) => {
        logger.error({ err: error }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  logger.info({ host, port: bound }, 'worker metrics listening');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
