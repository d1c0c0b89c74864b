import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { refusalOf } from './authorize';
import { mayReadField } from './fields';
import type { Principal } from './principal';
import { mayLinkNamespace, maySendEvent, mayUseRootField, rightsOf } from './rights';

const adPlatform: Principal = {
  kind: 'partner',
  id: 'ads',
  role: 'adPlatform',
  reach: { campaignIds: ['c1'], storeIds: [], skus: [] },
  linkNamespaces: [],
};
const retailer: Principal = {
  kind: 'partner',
  id: 'shop',
  role: 'retailer',
  reach: { campaignIds: [], storeIds: ['s1'], skus: [] },
  linkNamespaces: ['LOYALTY_ID'],
};
const ana: Principal = { kind: 'person', id: 'cust-ana', customerId: 'cust-ana' };
const expert: Principal = { kind: 'employee', id: 'e1', roles: ['expert'] };
const marketer: Principal = { kind: 'employee', id: 'm1', roles: ['marketer'] };
const admin: Principal = { kind: 'employee', id: 'a1', roles: ['admin'] };

describe('the rights table', () => {
  it('gives an ad platform its ad events only', () => {
    expect(maySendEvent(adPlatform, 'adClick')).toBe(true);
    for (const kind of ['purchase', 'delivery', 'telemetry', 'review', 'optOut', 'identify']) {
      expect(maySendEvent(adPlatform, kind)).toBe(false);
    }
    expect(mayUseRootField(adPlatform, 'mutation', 'mergeCustomers')).toBe(false);
    expect(mayUseRootField(adPlatform, 'query', 'customer')).toBe(false);
  });

  it('lets a registration narrow, never widen, the namespaces of its role', () => {
    expect(mayLinkNamespace(retailer, 'LOYALTY_ID')).toBe(true);
    expect(mayLinkNamespace(retailer, 'PHONE')).toBe(false);
    expect(mayLinkNamespace({ ...retailer, linkNamespaces: ['EMAIL'] }, 'EMAIL')).toBe(false);
  });

  it('lets a person say things about themselves only', () => {
    expect(maySendEvent(ana, 'optOut')).toBe(true);
    expect(maySendEvent(ana, 'purchase')).toBe(false);
    expect(mayUseRootField(ana, 'mutation', 'setConsent')).toBe(true);
    expect(mayUseRootField(ana, 'mutation', 'eraseCustomer')).toBe(false);
  });

  it('keeps merging, undoing merges and erasure to admins', () => {
    for (const field of ['mergeCustomers', 'undoMerge', 'eraseCustomer']) {
      expect(mayUseRootField(admin, 'mutation', field)).toBe(true);
      for (const p of [expert, marketer, ana, adPlatform]) {
        expect(mayUseRootField(p, 'mutation', field)).toBe(false);
      }
    }
  });

  it('unites the rights of an employee with several roles', () => {
    const both: Principal = { kind: 'employee', id: 'e2', roles: ['expert', 'marketer'] };
    expect(rightsOf(both).queries).toEqual(expect.arrayContaining(['interventions', 'campaign']));
    expect(rightsOf(both).reach).toBe('all');
  });

  it('shows a device cloud a device’s health but not its owner', () => {
    const cloud: Principal = { ...adPlatform, role: 'deviceCloud' };
    expect(mayReadField(cloud, 'Device', 'health')).toBe(true);
    expect(mayReadField(cloud, 'Device', 'owner')).toBe(false);
    expect(mayReadField(marketer, 'Segment', 'members')).toBe(false);
    expect(mayReadField(marketer, 'Segment', 'memberCount')).toBe(true);
    expect(mayReadField(admin, 'Anything', 'atAll')).toBe(true);
    expect(mayReadField(expert, 'Device', 'notInTheTable')).toBe(false);
  });
});

describe('refusalOf', () => {
  const schema = buildSchema(`
    type Query { device(serial: ID!): Device campaign(id: ID!): Campaign }
    type Mutation { mergeCustomers(a: ID!): Boolean }
    type Device { serial: ID! health: DeviceHealth owner: Customer }
    type DeviceHealth { level: String }
    type Customer { id: ID! displayName: String }
    type Campaign { id: ID! }
  `);
  const refusal = (principal: Principal, source: string) => {
    const document = parse(source);
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    );
    return refusalOf(schema, document, operation as OperationDefinitionNode, principal);
  };
  const cloud: Principal = { ...adPlatform, id: 'cloud', role: 'deviceCloud' };

  it('allows what the tables allow', () => {
    expect(refusal(cloud, '{ device(serial: "1") { serial health { level } } }')).toBeNull();
  });

  it('names the first field refused, through aliases and fragments', () => {
    expect(
      refusal(cloud, '{ d: device(serial: "1") { ...F } } fragment F on Device { owner { id } }'),
    ).toEqual({
      coordinate: 'Device.owner',
      message: 'Partner cloud (deviceCloud) may not read Device.owner',
    });
    expect(refusal(cloud, '{ campaign(id: "c") { id } }')?.coordinate).toBe('Query.campaign');
    expect(refusal(cloud, 'mutation { mergeCustomers(a: "x") }')?.coordinate).toBe(
      'Mutation.mergeCustomers',
    );
  });

  it('judges one parsed operation afresh for each principal', () => {
    // Servers keep parsed documents: the same operation node comes back for every request.
    const document = parse('{ device(serial: "1") { serial owner { displayName } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const admin: Principal = { kind: 'employee', id: 'root', roles: ['admin'] };
    expect(refusalOf(schema, document, operation, cloud)?.coordinate).toBe('Device.owner');
    expect(refusalOf(schema, document, operation, admin)).toBeNull();
    expect(refusalOf(schema, document, operation, { ...cloud, id: 'other' })).toEqual({
      coordinate: 'Device.owner',
      message: 'Partner other (deviceCloud) may not read Device.owner',
    });
  });
});
