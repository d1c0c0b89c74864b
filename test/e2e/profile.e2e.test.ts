/**
 * Consent history, volunteered preferences and data quality (issue 4, item 3), through the
 * gateway.
 */
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

interface Profile {
  customer: {
    consents: Array<{
      purpose: string;
      granted: boolean;
      history: Array<{ granted: boolean; source: string; channels: string[] }>;
    }>;
    current: Array<{ key: string; value: string; source: string; current: boolean }>;
    all: Array<{ key: string; value: string; current: boolean }>;
    dataQuality: { score: number; completeness: number; recency: number; missing: string[] };
  };
}

const PROFILE = `query ($id: ID!) {
  customer(id: $id) {
    consents { purpose granted history { granted source channels } }
    current: preferences { key value source current }
    all: preferences(includeSuperseded: true) { key value current }
    dataQuality { score completeness recency missing }
  }
}`;

describe('consent history, preferences and data quality', () => {
  let system: TestSystem;
  const run = uniqueKey('profile');
  const ana = `${run}-ana`;
  const consent = (input: Record<string, unknown>) =>
    system.request(`mutation ($k: SetConsentInput!) { setConsent(input: $k) { granted } }`, {
      k: { customerId: ana, ...input },
    });
  const volunteer = (input: Record<string, unknown>) =>
    system.request(
      `mutation ($p: VolunteerPreferenceInput!) { volunteerPreference(input: $p) { key } }`,
      { p: { customerId: ana, ...input } },
    );
  const profile = async () => (await system.data<Profile>(PROFILE, { id: ana })).customer;

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
      { c: { id: ana, displayName: 'Ana' } },
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('keeps every consent decision with its source, newest first, and applies the last', async () => {
    const before = await profile();
    expect(before.dataQuality).toMatchObject({ completeness: 0.2, recency: 0 });
    expect(before.dataQuality.missing).toContain('CONSENTS_DECIDED');

    for (const decision of [
      { purpose: 'MARKETING_CONTACT', granted: true, channels: ['EMAIL'], source: 'WEB' },
      { purpose: 'MARKETING_CONTACT', granted: false, source: 'SUPPORT' },
      { purpose: 'LOCATION_OFFERS', granted: true },
      { purpose: 'TELEMETRY_USE', granted: true, source: 'APP' },
    ]) {
      expect((await consent(decision)).errors).toBeUndefined();
    }
    const { consents, dataQuality } = await profile();
    expect(consents.find((c) => c.purpose === 'MARKETING_CONTACT')).toEqual({
      purpose: 'MARKETING_CONTACT',
      granted: false,
      history: [
        { granted: false, source: 'SUPPORT', channels: [] },
        { granted: true, source: 'WEB', channels: ['EMAIL'] },
      ],
    });
    expect(consents.find((c) => c.purpose === 'LOCATION_OFFERS')?.history).toEqual([
      { granted: true, source: 'APP', channels: [] },
    ]);
    // Every purpose decided, and decided just now.
    expect(dataQuality.missing).not.toContain('CONSENTS_DECIDED');
    expect(dataQuality.recency).toBeGreaterThan(0.99);
  });

  it('refuses consent for an unknown purpose or customer, and changes nothing', async () => {
    const unknownPurpose = await consent({ purpose: 'MIND_READING', granted: true });
    expect(unknownPurpose.errors?.[0]?.message).toContain('MIND_READING');
    const unknownCustomer = await system.request(
      `mutation ($k: SetConsentInput!) { setConsent(input: $k) { granted } }`,
      { k: { customerId: `${run}-nobody`, purpose: 'TELEMETRY_USE', granted: true } },
    );
    expect(unknownCustomer.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.customerId',
    });
    const { consents } = await profile();
    expect(consents.flatMap((c) => c.history)).toHaveLength(4);
  });

  it('stores volunteered preferences with their source and keeps superseded values', async () => {
    expect(
      (await volunteer({ key: 'PRINT_VOLUME', value: '20 pages a week', source: 'APP' })).errors,
    ).toBeUndefined();
    expect(
      (await volunteer({ key: 'PRINT_VOLUME', value: '100 pages a week', source: 'STORE' })).errors,
    ).toBeUndefined();
    const { current, all, dataQuality } = await profile();
    expect(current).toEqual([
      { key: 'PRINT_VOLUME', value: '100 pages a week', source: 'STORE', current: true },
    ]);
    expect(all.map((p) => [p.value, p.current])).toEqual([
      ['100 pages a week', true],
      ['20 pages a week', false],
    ]);
    expect(dataQuality.missing).not.toContain('PREFERENCES');
    expect(dataQuality.completeness).toBeCloseTo(0.6, 12);

    const empty = await volunteer({ key: 'INTERESTS', value: '   ', source: 'APP' });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ field: 'input.value' });
    expect((await profile()).all).toHaveLength(2);
  });
});
