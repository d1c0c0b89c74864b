/** What a profile holds, as far as its quality is concerned. */
export interface ProfileFacts {
  id: string;
  displayName: string;
  identifierNamespaces: string[];
  consentPurposesDecided: string[];
  preferencesVolunteered: number;
  /** The last touchpoint or profile change, ISO-8601; null if there is none. */
  lastActivityAt: string | null;
}

export interface DataQuality {
  /** 0–100: 70% completeness, 30% recency. */
  score: number;
  /** 0–1: the share of the checks below the profile passes. */
  completeness: number;
  /** 0–1: halves every RECENCY_HALF_LIFE_DAYS since the last activity; 0 without any. */
  recency: number;
  /** The checks it fails, for whoever can fill them in. */
  missing: string[];
}

const PURPOSES = ['MARKETING_CONTACT', 'LOCATION_OFFERS', 'TELEMETRY_USE'];
export const RECENCY_HALF_LIFE_DAYS = 90;
const DAY = 86_400_000;

/** The completeness checks, each worth the same. */
const CHECKS: Array<{ name: string; passes: (f: ProfileFacts) => boolean }> = [
  // A name that is more than the id it was created with.
  { name: 'NAME', passes: (f) => f.displayName.trim() !== '' && f.displayName !== f.id },
  {
    name: 'CONTACT_IDENTIFIER',
    passes: (f) => f.identifierNamespaces.some((n) => n === 'EMAIL' || n === 'PHONE'),
  },
  {
    name: 'ACCOUNT_IDENTIFIER',
    passes: (f) => f.identifierNamespaces.some((n) => n === 'LOYALTY_ID' || n === 'APP_INSTALL'),
  },
  {
    name: 'CONSENTS_DECIDED',
    passes: (f) => PURPOSES.every((p) => f.consentPurposesDecided.includes(p)),
  },
  { name: 'PREFERENCES', passes: (f) => f.preferencesVolunteered > 0 },
];

/** The data quality of a profile at a moment. */
export function dataQuality(f: ProfileFacts, now: number): DataQuality {
  const missing = CHECKS.filter((c) => !c.passes(f)).map((c) => c.name);
  const completeness = (CHECKS.length - missing.length) / CHECKS.length;
  const recency =
    f.lastActivityAt === null
      ? 0
      : 0.5 ** (Math.max(0, now - Date.parse(f.lastActivityAt)) / DAY / RECENCY_HALF_LIFE_DAYS);
  return {
    score: Math.round(100 * (0.7 * completeness + 0.3 * recency)),
    completeness,
    recency,
    missing,
  };
}
