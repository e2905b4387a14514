// Structured logs with personal data removed by construction (control: AC-04): the redaction
// list lives in security/redaction.ts and is configuration, not something each call remembers.
import pino from 'pino';
import type { Logger } from 'pino';
import { PINO_REDACTION_OPTIONS } from '../security/redaction.ts';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ ...PINO_REDACTION_OPTIONS, level, base: { app: 'sesshu' } }, destination);
}
