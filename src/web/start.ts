// Runs the HTTP server until SIGINT/SIGTERM, then stops taking requests, lets running ones
// finish, and closes the database (which releases the embedded data directory's lock).
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.ts';
import { createLogger } from './logger.ts';
import { buildServer } from './server.ts';

export async function startServer(rt: Runtime, opts: { host?: string; port?: number } = {}): Promise<FastifyInstance> {
  const logger = createLogger(rt.config.logLevel);
  const app = await buildServer({ services: rt.services, logger, secureCookies: rt.config.secureCookies, defaultTenant: rt.config.defaultTenant });
  await app.listen({ host: opts.host ?? rt.config.host, port: opts.port ?? rt.config.port });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
    } finally {
      await rt.close();
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return app;
}
