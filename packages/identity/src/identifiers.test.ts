import { namespacePriority, parseIdentifier, parseIdentifiers } from './identifiers';

const value = (namespace: string, raw: string) => {
  const parsed = parseIdentifier({ namespace, value: raw });
  return parsed.ok
    ? parsed.identifier.value
    : `! ${parsed.problem.field}: ${parsed.problem.message}`;
};

describe('normalising identifiers', () => {
  it('spells each namespace one way', () => {
    expect(value('EMAIL', '  Ana.Lopez@Example.COM ')).toBe('ana.lopez@example.com');
    expect(value('PHONE', '+1 (555) 010-2030')).toBe('+15550102030');
    expect(value('PHONE', '0044 20 7946 0958')).toBe('+442079460958');
    expect(value('SOCIAL_HANDLE', ' @Ana_Lopez ')).toBe('ana_lopez');
    expect(value('COOKIE', '  ck-AbC  ')).toBe('ck-AbC');
    expect(value('LOYALTY_ID', 'LY-0001')).toBe('LY-0001');
  });

  it('gives the key <NAMESPACE>:<value>', () => {
    expect(parseIdentifier({ namespace: 'EMAIL', value: 'A@B.CO' })).toEqual({
      ok: true,
      identifier: { namespace: 'EMAIL', value: 'a@b.co', key: 'EMAIL:a@b.co' },
    });
  });

  it('refuses malformed values, saying what is expected', () => {
    expect(value('EMAIL', 'ana-at-example')).toMatch(/^! value: must be an e-mail address/);
    expect(value('EMAIL', 'ana@localhost')).toMatch(/^! value: must be an e-mail/);
    expect(value('PHONE', '555-CALL-ME')).toMatch(/^! value: must be a phone number/);
    expect(value('PHONE', '+12345')).toMatch(/7 to 15 digits/);
    expect(value('PHONE', '+1234567890123456')).toMatch(/7 to 15 digits/);
    expect(value('SOCIAL_HANDLE', '@ana lopez')).toMatch(/^! value: must be a handle/);
    expect(value('COOKIE', '   ')).toBe('! value: must not be empty');
    expect(value('LOYALTY_ID', 'x'.repeat(65))).toBe('! value: must be at most 64 characters');
    expect(value('EMAIL', `${'a'.repeat(250)}@b.co`)).toBe(
      '! value: must be at most 254 characters',
    );
  });

  it('names the known namespaces when one is unknown', () => {
    expect(parseIdentifier({ namespace: 'FAX', value: '123' })).toEqual({
      ok: false,
      problem: {
        field: 'namespace',
        message:
          'unknown namespace "FAX"; known namespaces: LOYALTY_ID, EMAIL, PHONE, APP_INSTALL, SOCIAL_HANDLE, COOKIE',
      },
    });
  });

  it('puts loyalty ids first and cookies last', () => {
    const order = [
      'LOYALTY_ID',
      'EMAIL',
      'PHONE',
      'APP_INSTALL',
      'SOCIAL_HANDLE',
      'COOKIE',
    ] as const;
    const priorities = order.map(namespacePriority);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
  });
});

describe('validating the identifiers of an event', () => {
  it('points at the bad identifier and field', () => {
    expect(
      parseIdentifiers([
        { namespace: 'EMAIL', value: 'ana@example.com' },
        { namespace: 'email', value: 'ana@example.com' },
      ]),
    ).toEqual({
      ok: false,
      path: 'identifiers[1].namespace',
      message: expect.stringMatching(/^identifiers\[1\]\.namespace: unknown namespace "email"/),
    });
    expect(parseIdentifiers([{ namespace: 'PHONE', value: 'x' }])).toMatchObject({
      ok: false,
      path: 'identifiers[0].value',
    });
  });

  it('drops duplicates after normalisation and bounds the count', () => {
    expect(
      parseIdentifiers([
        { namespace: 'EMAIL', value: 'Ana@Example.com' },
        { namespace: 'EMAIL', value: 'ana@example.com ' },
      ]),
    ).toEqual({
      ok: true,
      identifiers: [{ namespace: 'EMAIL', value: 'ana@example.com', key: 'EMAIL:ana@example.com' }],
    });
    const many = Array.from({ length: 21 }, (_, i) => ({ namespace: 'COOKIE', value: `c${i}` }));
    expect(parseIdentifiers(many)).toMatchObject({ ok: false, path: 'identifiers' });
    expect(parseIdentifiers(undefined)).toEqual({ ok: true, identifiers: [] });
  });
});
