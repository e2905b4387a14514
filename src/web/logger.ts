// Structured logs with personal data removed by construction (control: AC-04): the redaction
// list lives in security/redaction.ts and is configuration, not something each call remembers.
import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { PINO_REDACTION_OPTIONS, scrubText } from '../security/redaction.ts';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ ...PINO_REDACTION_OPTIONS, level, base: { app: 'sesshu' } }, destination);
}

/**
 * Fastify's request logger, with serializers that scrub what the redaction paths cannot see: a
 * URL or an error message may carry a 12-digit number someone typed (a My Number in a URL).
 */
export function childLoggerFactory(logger: Logger, bindings: Bindings, opts: ChildLoggerOptions): Logger {
  return logger.child(bindings, {
    ...opts,
    serializers: {
      ...opts.serializers,
      req: (req: FastifyRequest) => ({ method: req.method, url: scrubText(req.url), remoteAddress: req.ip }),
      err: (err: Error) => {
        const e = pino.stdSerializers.err(err);
        return { ...e, message: scrubText(e.message), stack: scrubText(e.stack) };
      },
    },
  });
}
