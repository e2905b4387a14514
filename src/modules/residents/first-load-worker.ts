// The worker of a first load (first-load-worker-client.ts starts it). Each slice of the upload it is
// sent goes through FirstLoadFile (first-load-file.ts: reading, checks, COPY input). After the last
// slice it reports the file as a whole, with the complete error report if any row anywhere was bad.
// It touches no database. The tenant's keys arrive in the first message, from the parent thread's
// memory only, and are zeroed when the load ends.
// controls: DATA-01, CRY-01, AC-04
import { parentPort } from 'node:worker_threads';
import { tenantCryptoOf, type TenantKeyMaterial } from '../../security/vault.ts';
import { asBuffer, FirstLoadFile } from './first-load-file.ts';
import type { PreparerReply, PreparerRequest } from './first-load-worker-client.ts';

const port = parentPort;
if (port === null) throw new Error('first-load-worker.ts runs as a worker thread only');

let keys: TenantKeyMaterial | null = null;
let file: FirstLoadFile | null = null;

function reply(message: PreparerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: PreparerRequest) => {
  if (message.kind === 'init') {
    const sent = message.keys;
    keys = { municipalityCode: sent.municipalityCode, data: { ...sent.data, key: asBuffer(sent.data.key) }, index: { ...sent.index, key: asBuffer(sent.index.key) } };
    file = new FirstLoadFile(tenantCryptoOf(keys), message.context);
    return;
  }
  if (message.kind === 'end') {
    keys?.data.key.fill(0);
    keys?.index.key.fill(0);
    keys = null;
    file = null;
    port.close();
    return;
  }
  try {
    if (file === null) throw new Error('no keys');
    if (message.kind === 'finish') {
      reply({ kind: 'file', outcome: file.finish(message.encoding) });
      return;
    }
    const outcome = file.slice(message.bytes, message.slice);
    const p = outcome.prepared;
    reply({ kind: 'slice', outcome }, p === null ? [] : [p.persons.buffer as ArrayBuffer, p.history.buffer as ArrayBuffer]);
  } catch (err) {
    // The error's name only: a message could quote a row (AC-04: never a My Number in an error).
    reply({ kind: 'failed', error: err instanceof Error ? err.name : 'unknown' });
  }
});
