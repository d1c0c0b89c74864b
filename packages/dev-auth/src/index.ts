/**
 * Local development tokens. Real deployments verify tokens from their identity providers (a
 * JWKS URL or a public key in the configuration); on one machine, `npm start` makes a signing
 * key pair under `.data/auth` (never committed), gives the gateway its public key, and
 * `npm run token` signs app tokens for a person and staff tokens for an employee with it. Tests
 * make a pair of their own in memory.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';

export interface DevKeys {
  privateKey: KeyObject;
  /** SPKI PEM, as APP_AUTH_PUBLIC_KEY and STAFF_AUTH_PUBLIC_KEY take it. */
  publicKeyPem: string;
}

const ALGORITHM = 'ES256';

/** A fresh P-256 key pair, in memory. */
export function createDevKeys(): DevKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The file of a data folder's development private key (PKCS#8 PEM). */
export const DEV_SIGNING_KEY_FILE = 'dev-signing-key.pem';

/** The development key pair of a data folder, made on first use (file mode 0600). */
export function loadOrCreateDevKeys(dir: string): DevKeys {
  const file = path.join(dir, DEV_SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = createDevKeys();
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
      mode: 0o600,
    });
  }
  return readDevKeys(file);
}

/** A development key pair from its private key's file, made by {@link loadOrCreateDevKeys}. */
export function readDevKeys(file: string): DevKeys {
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  const publicKeyPem = createPublicKey(privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { privateKey, publicKeyPem };
}

export interface TokenTrustNames {
  issuer: string;
  audience: string;
}

/** A token of a person using the app: its subject is their customer id. */
export function signAppToken(
  keys: DevKeys,
  trust: TokenTrustNames,
  customerId: string,
  expiresIn = '12h',
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(trust.issuer)
    .setAudience(trust.audience)
    .setSubject(customerId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keys.privateKey);
}

/** A token of an employee with roles (expert, support, marketer, admin). */
export function signStaffToken(
  keys: DevKeys,
  trust: TokenTrustNames,
  employeeId: string,
  roles: string[],
  expiresIn = '12h',
): Promise<string> {
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(trust.issuer)
    .setAudience(trust.audience)
    .setSubject(employeeId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keys.privateKey);
}
