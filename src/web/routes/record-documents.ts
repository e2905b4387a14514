// Documents of the vaccination ledger: GET /records/person/:personId/certificate.pdf — the
// 予防接種済証（接種記録）PDF of a person's confirmed doses (permission 'dose.read', audited as
// 'dose.print'). ?address=1 adds the address. A download, never cached. control: AC-01, LOG-01
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { vaccinationRecordPdf } from '../../documents/vaccination-record.ts';
import { todayInJapan } from '../../modules/schedule/contract.ts';
import { actorOf } from '../request-context.ts';

export function registerRecordDocumentRoutes(app: FastifyInstance, services: Services): void {
  app.get('/records/person/:personId/certificate.pdf', { schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const { personId } = request.params as { personId: string };
    const q = (request.query ?? {}) as Record<string, unknown>;
    const today = todayInJapan();
    const pdf = await vaccinationRecordPdf({ db: services.db, today: () => today }, actor, personId, { includeAddress: q.address === '1' });
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="vaccination-record-${today.replaceAll('-', '')}.pdf"`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });
}
