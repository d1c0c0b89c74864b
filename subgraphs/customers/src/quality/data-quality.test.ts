import { dataQuality, type ProfileFacts } from './data-quality';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const complete: ProfileFacts = {
  id: 'ana',
  displayName: 'Ana',
  identifierNamespaces: ['EMAIL', 'LOYALTY_ID'],
  consentPurposesDecided: ['MARKETING_CONTACT', 'LOCATION_OFFERS', 'TELEMETRY_USE'],
  preferencesVolunteered: 1,
  lastActivityAt: '2026-06-01T00:00:00Z',
};

describe('data quality of a profile', () => {
  it('is 100 for a complete profile active now', () => {
    expect(dataQuality(complete, NOW)).toEqual({
      score: 100,
      completeness: 1,
      recency: 1,
      missing: [],
    });
  });

  it('names what is missing and weighs completeness 70%, recency 30%', () => {
    const q = dataQuality(
      {
        ...complete,
        displayName: 'ana',
        identifierNamespaces: ['COOKIE'],
        consentPurposesDecided: [],
      },
      NOW,
    );
    expect(q.missing).toEqual([
      'NAME',
      'CONTACT_IDENTIFIER',
      'ACCOUNT_IDENTIFIER',
      'CONSENTS_DECIDED',
    ]);
    expect(q.completeness).toBeCloseTo(0.2, 12);
    expect(q.score).toBe(Math.round(100 * (0.7 * 0.2 + 0.3)));
  });

  it('halves recency every 90 days and is 0 without any activity', () => {
    expect(
      dataQuality({ ...complete, lastActivityAt: '2026-03-03T00:00:00Z' }, NOW).recency,
    ).toBeCloseTo(0.5, 12);
    expect(dataQuality({ ...complete, lastActivityAt: null }, NOW)).toMatchObject({
      recency: 0,
      score: 70,
    });
  });
});
