// Entry of the first-load preparation worker: a worker thread does not inherit the TypeScript loader
// that bin/sesshu.mjs registers in the main thread, so it registers tsx itself (as bin/sesshu.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./first-load-worker.ts');
