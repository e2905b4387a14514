// SESSHU_ORIGIN: the address staff browse to, which WebAuthn keys are bound to. control: AUTH-02
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { relyingPartyFor } from '../../src/security/webauthn.ts';

describe('SESSHU_ORIGIN', () => {
  it('defaults to http://localhost:<port>, marked as a default that follows the bound port', () => {
    expect(loadConfig({})).toMatchObject({ origin: 'http://localhost:3000', originConfigured: false });
    expect(loadConfig({ SESSHU_PORT: '8080' })).toMatchObject({ origin: 'http://localhost:8080', originConfigured: false });
  });

  it('takes an explicit origin, and its host name is the relying party id', () => {
    const config = loadConfig({ SESSHU_ORIGIN: 'https://sesshu.city.example.lg.jp/' });
    expect(config).toMatchObject({ origin: 'https://sesshu.city.example.lg.jp', originConfigured: true });
    expect(relyingPartyFor(config.origin).id).toBe('sesshu.city.example.lg.jp');
  });

  it('refuses a URL with a path, or no URL at all', () => {
    expect(() => loadConfig({ SESSHU_ORIGIN: 'https://example.lg.jp/sesshu' })).toThrow(/SESSHU_ORIGIN/);
    expect(() => loadConfig({ SESSHU_ORIGIN: 'localhost' })).toThrow(/SESSHU_ORIGIN/);
  });
});
