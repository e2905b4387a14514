// Runs the HTTP server until SIGINT/SIGTERM, then stops taking requests, lets running ones
// finish, and closes the database (which releases the embedded data directory's lock).
import type { FastifyInstance } from 'fastify';
import { localOrigin } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { startDigestTimer } from '../security/access-digest.ts';
import { createLogger } from './logger.ts';
import { buildServer } from './server.ts';

export async function startServer(rt: Runtime, opts: { host?: string; port?: number } = {}): Promise<FastifyInstance> {
  const logger = createLogger(rt.config.logLevel);
  // Unless SESSHU_ORIGIN says otherwise, the WebAuthn origin follows the port actually bound (--port 0).
  const origin = (): string => {
    const address = app.server.address();
    return rt.config.originConfigured || typeof address !== 'object' || !address ? rt.config.origin : localOrigin(address.port);
  };
  const app: FastifyInstance = await buildServer({
    services: rt.services,
    logger,
    secureCookies: rt.config.secureCookies,
    defaultTenant: rt.config.defaultTenant,
    origin,
  });
  await app.listen({ host: opts.host ?? rt.config.host, port: opts.port ?? rt.config.port });
  // LOG-06: each municipality's access digest, checked every minute, made when its interval is up.
  const stopDigests = startDigestTimer(rt.services.db, { onError: (code, err) => logger.error({ err, tenant: code }, 'access digest failed') });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await stopDigests();
      await app.close();
    } finally {
      await rt.close();
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return app;
}
