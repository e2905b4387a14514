// A software WebAuthn authenticator (ES256, "none" attestation) for tests without a browser: it
// answers registration and authentication options as navigator.credentials would, and can be
// told to lie (wrong origin, rewound counter) to test the server's refusals.
import crypto from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export class SoftAuthenticator {
  readonly credentialId = crypto.randomBytes(32).toString('base64url');
  counter = 0;
  private readonly keys = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

  constructor(readonly origin: string) {}

  /** Answers navigator.credentials.create(options). */
  register(options: PublicKeyCredentialCreationOptionsJSON, lie: { origin?: string } = {}): RegistrationResponseJSON {
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, lie.origin);
    const credId = Buffer.from(this.credentialId, 'base64url');
    const attested = Buffer.concat([Buffer.alloc(16), u16(credId.length), credId, Buffer.from(this.cosePublicKey())]);
    const authData = Buffer.concat([this.authDataHead(options.rp.id ?? new URL(this.origin).hostname, FLAG_UP | FLAG_UV | FLAG_AT), attested]);
    const attestation = new Map<string, Parameters<typeof isoCBOR.encode>[0]>();
    attestation.set('fmt', 'none');
    attestation.set('attStmt', new Map());
    attestation.set('authData', new Uint8Array(authData));
    const attestationObject = isoCBOR.encode(attestation);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64(clientDataJSON),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['usb'],
      },
      clientExtensionResults: {},
    };
  }

  /** Answers navigator.credentials.get(options), counting up unless told which counter to report. */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, lie: { origin?: string; counter?: number } = {}): AuthenticationResponseJSON {
    this.counter = lie.counter ?? this.counter + 1;
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, lie.origin);
    const authData = this.authDataHead(options.rpId ?? new URL(this.origin).hostname, FLAG_UP | FLAG_UV);
    const signed = Buffer.concat([authData, crypto.createHash('sha256').update(clientDataJSON).digest()]);
    const signature = crypto.sign('sha256', signed, this.keys.privateKey);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: { clientDataJSON: b64(clientDataJSON), authenticatorData: authData.toString('base64url'), signature: signature.toString('base64url') },
      clientExtensionResults: {},
    };
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private authDataHead(rpId: string, flags: number): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([crypto.createHash('sha256').update(rpId).digest(), Buffer.from([flags]), count]);
  }

  private cosePublicKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, new Uint8Array(Buffer.from(jwk.x as string, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y as string, 'base64url'))],
      ]),
    );
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function b64(b: Buffer): string {
  return b.toString('base64url');
}
