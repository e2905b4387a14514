// The static files the UI needs, read once at start-up and served from memory.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

export interface Asset {
  body: Buffer;
  type: string;
}

export function loadAssets(): Map<string, Asset> {
  const tokens = require.resolve('@digital-go-jp/design-tokens/dist/tokens.css');
  const htmx = require.resolve('htmx.org/dist/htmx.min.js');
  // The package's exports map hides its browser bundle; it sits beside the CommonJS entry point.
  const webauthnBundle = path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');
  return new Map([
    ['tokens.css', { body: fs.readFileSync(tokens), type: 'text/css; charset=utf-8' }],
    ['app.css', { body: fs.readFileSync(path.join(here, 'assets', 'app.css')), type: 'text/css; charset=utf-8' }],
    ['htmx.min.js', { body: fs.readFileSync(htmx), type: 'text/javascript; charset=utf-8' }],
    ['simplewebauthn-browser.js', { body: fs.readFileSync(webauthnBundle), type: 'text/javascript; charset=utf-8' }],
    ['webauthn.js', { body: fs.readFileSync(path.join(here, 'assets', 'webauthn.js')), type: 'text/javascript; charset=utf-8' }],
  ]);
}
