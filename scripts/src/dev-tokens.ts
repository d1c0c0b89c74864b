/**
 * Local development tokens for `npm start` and `npm run token`: when the configuration names no
 * key for app or staff tokens, the gateway started here trusts the development key pair under
 * `.data/auth`, and `npm run token` signs tokens with it.
 */
import path from 'node:path';
import type { Config } from '@experience-graph/config';
import {
  DEV_SIGNING_KEY_FILE,
  loadOrCreateDevKeys,
  signAppToken,
  signStaffToken,
} from '@experience-graph/dev-auth';
import { DATA_DIR } from './paths';
import { SetupError } from './processes';

const KEY_DIR = path.join(DATA_DIR, 'auth');

/** Whether a kind of token is verified with the development key (nothing else configured). */
const usesDevKey = (trust: Config['gateway']['appTokens']) => !trust.jwksUrl && !trust.publicKey;

/** Environment for the gateway process: the development public key where nothing else is set. */
export function devAuthEnvironment(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  const app = usesDevKey(config.gateway.appTokens);
  const staff = usesDevKey(config.gateway.staffTokens);
  if (!app && !staff) return env;
  const keys = loadOrCreateDevKeys(KEY_DIR);
  if (app) env['APP_AUTH_PUBLIC_KEY'] = keys.publicKeyPem;
  if (staff) env['STAFF_AUTH_PUBLIC_KEY'] = keys.publicKeyPem;
  return env;
}

/**
 * Environment for the console process: in development, where staff tokens are verified with the
 * development key, the console signs in an employee by signing a token with that key. Never in
 * production, nor where a real staff identity provider is configured.
 */
export function consoleDevAuthEnvironment(config: Config): Record<string, string> {
  if (config.gateway.production || !usesDevKey(config.gateway.staffTokens)) return {};
  loadOrCreateDevKeys(KEY_DIR);
  return { CONSOLE_DEV_SIGNING_KEY_FILE: path.join(KEY_DIR, DEV_SIGNING_KEY_FILE) };
}

const USAGE = `Usage:
  npm run token -- person <customer-id>            an app token of a person, e.g. cust-ana
  npm run token -- staff <employee-id> <role,...>  a staff token; roles: expert, support, marketer, admin`;

/** `npm run token`: prints a development token for a person or an employee. */
export async function printToken(config: Config, args: string[]): Promise<void> {
  const [kind, subject, roles] = args;
  const trust = kind === 'person' ? config.gateway.appTokens : config.gateway.staffTokens;
  if ((kind !== 'person' && kind !== 'staff') || !subject || (kind === 'staff' && !roles)) {
    throw new SetupError(USAGE);
  }
  if (!usesDevKey(trust)) {
    throw new SetupError(
      `${kind === 'person' ? 'APP' : 'STAFF'}_AUTH_* names a real key: get tokens from that identity provider`,
    );
  }
  const keys = loadOrCreateDevKeys(KEY_DIR);
  const token =
    kind === 'person'
      ? await signAppToken(keys, trust, subject)
      : await signStaffToken(keys, trust, subject, (roles ?? '').split(','));
  console.log(token);
}
