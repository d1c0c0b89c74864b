import { BoundedLabel, OTHER, principalLabel } from './labels';

describe('bounded labels', () => {
  it('keeps the first values it sees and folds the rest into other', () => {
    const label = new BoundedLabel(2);
    expect(label.value('CustomerView')).toBe('CustomerView');
    expect(label.value('RecordEvents')).toBe('RecordEvents');
    expect(label.value('Third')).toBe(OTHER);
    expect(label.value('CustomerView')).toBe('CustomerView');
    expect(label.size).toBe(2);
  });

  it('folds values too long or with other characters, without keeping them', () => {
    const label = new BoundedLabel(10);
    expect(label.value('x'.repeat(101))).toBe(OTHER);
    expect(label.value('a b')).toBe(OTHER);
    expect(label.value('a"}')).toBe(OTHER);
    expect(label.size).toBe(0);
  });
});

describe('principal labels', () => {
  it('names API-key clients by their registered id', () => {
    expect(principalLabel({ kind: 'service', id: 'local' })).toBe('service:local');
    expect(
      principalLabel({
        kind: 'partner',
        id: 'demo-retailer',
        role: 'retailer',
        reach: { campaignIds: [], storeIds: ['s'], skus: [] },
        linkNamespaces: [],
      }),
    ).toBe('partner:demo-retailer');
  });

  it('names employees by their roles and people only as person, never by who they are', () => {
    expect(principalLabel({ kind: 'employee', id: 'e-17', roles: ['support', 'expert'] })).toBe(
      'employee:expert+support',
    );
    const person = principalLabel({ kind: 'person', id: 'cust-ana', customerId: 'cust-ana' });
    expect(person).toBe('person');
    expect(principalLabel(undefined)).toBe('anonymous');
  });
});
