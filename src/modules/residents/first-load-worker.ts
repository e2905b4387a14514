// The preparation worker of a first load (first-load-preparer.ts starts it): turns each validated
// batch it is sent into COPY input (first-load-batch.ts) while the main thread copies the previous
// one into PGlite. It touches no database. The tenant's keys arrive in the first message, from the
// parent thread's memory only, and are zeroed when the load ends. controls: CRY-01, AC-04
import { parentPort } from 'node:worker_threads';
import { tenantCryptoOf, type TenantCrypto, type TenantKeyMaterial } from '../../security/vault.ts';
import { prepareFirstLoadBatch, type FirstLoadContext } from './first-load-batch.ts';
import type { PreparerReply, PreparerRequest } from './first-load-preparer.ts';

const port = parentPort;
if (port === null) throw new Error('first-load-worker.ts runs as a worker thread only');

/** Structured cloning turns a Buffer into a plain Uint8Array; the vault expects a Buffer. */
const asBuffer = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

let keys: TenantKeyMaterial | null = null;
let crypto: TenantCrypto | null = null;
let ctx: FirstLoadContext | null = null;

function reply(message: PreparerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: PreparerRequest) => {
  if (message.kind === 'init') {
    const sent = message.keys;
    keys = { municipalityCode: sent.municipalityCode, data: { ...sent.data, key: asBuffer(sent.data.key) }, index: { ...sent.index, key: asBuffer(sent.index.key) } };
    crypto = tenantCryptoOf(keys);
    ctx = message.context;
    return;
  }
  if (message.kind === 'end') {
    keys?.data.key.fill(0);
    keys?.index.key.fill(0);
    keys = null;
    crypto = null;
    port.close();
    return;
  }
  try {
    if (crypto === null || ctx === null) throw new Error('no keys');
    const prepared = prepareFirstLoadBatch(message.rows, crypto, ctx);
    reply({ kind: 'prepared', batch: prepared }, [prepared.persons.buffer as ArrayBuffer, prepared.history.buffer as ArrayBuffer]);
  } catch (err) {
    // The error's name only: a message could quote a row (AC-04: never a My Number in an error).
    reply({ kind: 'failed', error: err instanceof Error ? err.name : 'unknown' });
  }
});
