/**
 * Identifiers: the ways partner systems know a person (an e-mail, a phone, an app install, a
 * cookie, a loyalty card, a social handle), each in a namespace, normalised so that one person's
 * identifier is spelled one way whoever sends it.
 */
import { NAMESPACES } from '@experience-graph/access';

/** The namespaces, strongest first (see the access package, which rights and rules share). */
export const IDENTIFIER_NAMESPACES = NAMESPACES;

export type IdentifierNamespace = (typeof IDENTIFIER_NAMESPACES)[number];

/** The most identifiers one event may carry. */
export const MAX_IDENTIFIERS = 20;

/** Higher is stronger; a `customerId` named on the event outranks every identifier. */
export function namespacePriority(namespace: IdentifierNamespace): number {
  return IDENTIFIER_NAMESPACES.length - IDENTIFIER_NAMESPACES.indexOf(namespace);
}

export const isIdentifierNamespace = (value: unknown): value is IdentifierNamespace =>
  typeof value === 'string' && (IDENTIFIER_NAMESPACES as readonly string[]).includes(value);

/** A normalised identifier. `key` is `<NAMESPACE>:<value>`, the identifier's business key. */
export interface Identifier {
  namespace: IdentifierNamespace;
  value: string;
  key: string;
}

/** What is wrong with a raw identifier, and which of its fields. */
export interface IdentifierProblem {
  field: 'namespace' | 'value';
  message: string;
}

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the sender's
// concern; the shape check only stops obvious garbage from becoming a person.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** The longest value per namespace (e-mail: RFC 5321's 254; E.164 phones: 15 digits). */
const MAX_LENGTH: Record<IdentifierNamespace, number> = {
  LOYALTY_ID: 64,
  EMAIL: 254,
  PHONE: 16,
  APP_INSTALL: 128,
  SOCIAL_HANDLE: 64,
  COOKIE: 256,
};

type Normalised = { ok: true; value: string } | { ok: false; message: string };

function normaliseValue(namespace: IdentifierNamespace, raw: string): Normalised {
  const trimmed = raw.trim();
  if (trimmed.length === 0) return { ok: false, message: 'must not be empty' };
  let value: string;
  switch (namespace) {
    case 'EMAIL':
      value = trimmed.toLowerCase();
      if (!EMAIL_SHAPE.test(value)) {
        return { ok: false, message: `must be an e-mail address such as ana@example.com` };
      }
      break;
    case 'PHONE': {
      // Punctuation people type ((), spaces, dots, dashes) goes; a leading + or 00 is the
      // international prefix; letters or a missing country code are refused.
      const compact = trimmed.replace(/[\s().-]/g, '');
      if (!/^(\+|00)?\d+$/.test(compact)) {
        return { ok: false, message: 'must be a phone number: digits, with a leading +' };
      }
      const digits = compact.replace(/^(\+|00)/, '');
      if (digits.length < 7 || digits.length > 15) {
        return { ok: false, message: 'must have 7 to 15 digits with the country code (E.164)' };
      }
      value = `+${digits}`;
      break;
    }
    case 'SOCIAL_HANDLE':
      value = trimmed.replace(/^@/, '').toLowerCase();
      if (!/^[a-z0-9._-]+$/.test(value)) {
        return { ok: false, message: 'must be a handle of letters, digits, dots, dashes or _' };
      }
      break;
    default:
      value = trimmed;
      if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
        return { ok: false, message: 'must not contain control characters' };
      }
  }
  const max = MAX_LENGTH[namespace];
  if (value.length > max) return { ok: false, message: `must be at most ${max} characters` };
  return { ok: true, value };
}

/**
 * Validates and normalises one raw identifier `{namespace, value}`. The namespace is a string on
 * input so that one bad event is rejected on its own instead of failing the whole batch.
 */
export function parseIdentifier(
  raw: unknown,
): { ok: true; identifier: Identifier } | { ok: false; problem: IdentifierProblem } {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (!isIdentifierNamespace(r['namespace'])) {
    const got = typeof r['namespace'] === 'string' ? `"${r['namespace'].slice(0, 40)}"` : 'nothing';
    return {
      ok: false,
      problem: {
        field: 'namespace',
        message: `unknown namespace ${got}; known namespaces: ${IDENTIFIER_NAMESPACES.join(', ')}`,
      },
    };
  }
  const namespace = r['namespace'];
  if (typeof r['value'] !== 'string') {
    return { ok: false, problem: { field: 'value', message: 'must be a string' } };
  }
  // Bound the work before normalising: nothing legitimate is this long.
  if (r['value'].length > 1000) {
    return { ok: false, problem: { field: 'value', message: 'must be at most 1000 characters' } };
  }
  const normalised = normaliseValue(namespace, r['value']);
  if (!normalised.ok)
    return { ok: false, problem: { field: 'value', message: normalised.message } };
  return {
    ok: true,
    identifier: { namespace, value: normalised.value, key: `${namespace}:${normalised.value}` },
  };
}

/**
 * Validates a list of raw identifiers. Problems name the index and field, such as
 * `identifiers[1].namespace`; duplicates after normalisation are dropped.
 */
export function parseIdentifiers(
  raw: unknown,
  prefix = 'identifiers',
): { ok: true; identifiers: Identifier[] } | { ok: false; path: string; message: string } {
  if (raw === undefined || raw === null) return { ok: true, identifiers: [] };
  if (!Array.isArray(raw)) return { ok: false, path: prefix, message: `${prefix}: must be a list` };
  if (raw.length > MAX_IDENTIFIERS) {
    return {
      ok: false,
      path: prefix,
      message: `${prefix}: at most ${MAX_IDENTIFIERS} identifiers per event, got ${raw.length}`,
    };
  }
  const identifiers: Identifier[] = [];
  for (const [index, item] of raw.entries()) {
    const parsed = parseIdentifier(item);
    if (!parsed.ok) {
      const path = `${prefix}[${index}].${parsed.problem.field}`;
      return { ok: false, path, message: `${path}: ${parsed.problem.message}` };
    }
    if (!identifiers.some((i) => i.key === parsed.identifier.key)) {
      identifiers.push(parsed.identifier);
    }
  }
  return { ok: true, identifiers };
}
