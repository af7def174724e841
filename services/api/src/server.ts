import { loadConfigOrExit } from '@paperboy/config';
import { handleShutdown } from '@paperboy/runtime';
import { buildApp } from './app.ts';

const config = loadConfigOrExit();
const app = await buildApp({ config });
handleShutdown({ close: () => app.close(), logger: app.log, timeoutMs: config.server.shutdownTimeoutMs });
await app.listen({ host: config.server.host, port: config.server.port });
