import { loadConfigOrExit } from '@paperboy/config';
import { handleShutdown } from '@paperboy/runtime';
import { createLogger } from '@paperboy/logger';
import { createWorkerRuntime } from './runtime.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.log.level, name: 'worker' });
const runtime = createWorkerRuntime({ config, logger });
handleShutdown({ close: () => runtime.close(), logger, timeoutMs: config.server.shutdownTimeoutMs });
await runtime.start();
