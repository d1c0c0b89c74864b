import { defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/client';
import { erasureIdOf } from '@experience-graph/erasure-keys';
import {
  deviceLifecycleWorkflowId,
  journeyWorkflowId,
  searchAttributes,
} from '@experience-graph/workflows';
import { registerErasureFixtures } from '../support/erasure-fixtures';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';
import { findPersonInTemporal } from '../support/temporal-payloads';

const RECORD = `mutation ($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) { accepted rejected results { status error { code path message } } }
}`;
const ERASE = `mutation ($input: EraseCustomerInput!) {
  eraseCustomer(input: $input) { id reason status requestedAt completedAt workflowId }
}`;
/** Temporal's background work (deleting executions), waited for on a loaded machine. */
const TEMPORAL_BACKGROUND_MS = 90_000;
const ERASURE = `query ($id: ID!) { erasure(id: $id) { id status completedAt } }`;
const PERSON = `query ($id: ID!) {
  customer(id: $id) {
    id displayName value { historical referral total peopleReferred peopleReferredDirectly }
    referrals { id } erasedReferrals
  }
}`;

interface Batch {
  recordEvents: {
    accepted: number;
    rejected: number;
    results: Array<{
      status: string;
      error: { code: string; path: string; message: string } | null;
    }>;
  };
}
interface ErasureView {
  id: string;
  reason: string;
  status: string;
  requestedAt: string;
  completedAt: string | null;
  workflowId: string;
}
interface Person {
  customer: {
    id: string;
    displayName: string;
    value: {
      historical: number;
      referral: number;
      total: number;
      peopleReferred: number;
      peopleReferredDirectly: number;
    };
    referrals: Array<{ id: string }>;
    erasedReferrals: number;
  } | null;
}

describe('erasing a customer through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('erase');
  const ids = {
    ana: `${run}-ana`,
    erased: `${run}-ben`,
    sku: `${run}-sku`,
    serial: `${run}-serial`,
    campaign: `${run}-camp`,
    order: `${run}-order`,
  };
  const at = new Date(Date.now() - 60_000).toISOString();
  let n = 0;
  const event = (payload: Record<string, unknown>) => ({
    eventId: `${run}-evt-${(n += 1)}`,
    occurredAt: at,
    ...payload,
  });

  beforeAll(async () => {
    system = await startSystem();
    await registerErasureFixtures(system, {
      kept: { id: ids.ana, displayName: 'Ana Example' },
      erased: { id: ids.erased, displayName: 'Ben Erasable' },
      sku: ids.sku,
      serial: ids.serial,
      campaign: ids.campaign,
    });
    const { recordEvents } = await system.data<Batch>(RECORD, {
      events: [
        event({ adClick: { customerId: ids.erased, campaignId: ids.campaign } }),
        event({
          referral: { referrerId: ids.ana, referredId: ids.erased, sku: ids.sku, code: 'ANA-CODE' },
        }),
        event({
          purchase: {
            customerId: ids.erased,
            serial: ids.serial,
            orderId: ids.order,
            amount: 120,
            currency: 'USD',
            promisedDeliveryAt: at,
          },
        }),
        event({ feedback: { serial: ids.serial, rating: 2, comment: 'Ben here, call me' } }),
      ],
    });
    expect(recordEvents.results).toEqual(
      recordEvents.results.map(() => expect.objectContaining({ status: 'ACCEPTED' })),
    );
    // The device lifecycle records Ben as the owner.
    await eventually(
      () =>
        system.graph.read(
          'MATCH (:Customer {id: $id})-[:OWNS]->(:Device {serial: $serial}) RETURN 1',
          {
            id: ids.erased,
            serial: ids.serial,
          },
        ),
      (rows) => rows.length === 1,
    );
  }, 120_000);

  afterAll(async () => {
    await system.client.workflow
      .getHandle(deviceLifecycleWorkflowId(ids.serial))
      .terminate('test over')
      .catch(() => undefined);
    const erasureId = erasureIdOf(system.config.erasure.salt, ids.erased);
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.graph.write(
      `MATCH (e:Erasure {id: $erasureId}) OPTIONAL MATCH (e)-[:ERASED]->(k:ErasedKey)
       OPTIONAL MATCH (p:ErasedPerson)-[:PLACED]->(:Order {id: $order})
       OPTIONAL MATCH (p)-[:HAD]->(t:Touchpoint)
       DETACH DELETE e, k, p, t`,
      { erasureId, order: ids.order },
    );
    await system.stop();
  });

  it('refuses an unknown customer precisely and records nothing', async () => {
    const response = await system.request(ERASE, {
      input: { customerId: `${run}-nobody`, reason: 'CUSTOMER_REQUEST' },
    });
    expect(response.errors?.[0]).toMatchObject({
      message: `No customer has id ${run}-nobody`,
      extensions: { code: 'NOT_FOUND', field: 'input.customerId' },
    });
    const erasureId = erasureIdOf(system.config.erasure.salt, `${run}-nobody`);
    const [row] = await system.graph.read<{ n: number }>(
      'RETURN COUNT { (:Erasure {id: $erasureId}) } AS n',
      { erasureId },
    );
    expect(row?.n).toBe(0);
  });

  it('erases the person, keeps the other customer and their referral value, drops later events', async () => {
    const before = await system.data<Person>(PERSON, { id: ids.ana });
    expect(before.customer?.value).toMatchObject({
      referral: 60,
      peopleReferred: 1,
      peopleReferredDirectly: 1,
    });
    expect(before.customer?.referrals).toEqual([{ id: ids.erased }]);
    expect(before.customer?.erasedReferrals).toBe(0);

    const { eraseCustomer } = await system.data<{ eraseCustomer: ErasureView }>(ERASE, {
      input: { customerId: ids.erased, reason: 'CUSTOMER_REQUEST' },
    });
    expect(eraseCustomer).toMatchObject({ reason: 'CUSTOMER_REQUEST', status: 'IN_PROGRESS' });
    expect(eraseCustomer.workflowId).toBe(`erasure:${eraseCustomer.id}`);
    expect(eraseCustomer.workflowId).not.toContain(ids.erased);

    const done = await eventually(
      () => system.data<{ erasure: ErasureView | null }>(ERASURE, { id: eraseCustomer.id }),
      (r) => r.erasure?.status === 'COMPLETED',
      60_000,
    );
    expect(done.erasure?.completedAt).not.toBeNull();

    // Gone from GraphQL; the other customer and their value exactly as before.
    expect((await system.data<Person>(PERSON, { id: ids.erased })).customer).toBeNull();
    const after = await system.data<Person>(PERSON, { id: ids.ana });
    expect(after.customer?.displayName).toBe('Ana Example');
    expect(after.customer?.value).toEqual(before.customer?.value);
    // Ben cannot be listed any more, but is counted as the erased referral he now is.
    expect(after.customer?.referrals).toEqual([]);
    expect(after.customer?.erasedReferrals).toBe(1);

    // Nothing in the graph names Ben; the order and touchpoints stay, anonymous.
    const [trace] = await system.graph.read<{ named: number; orders: number; touches: number }>(
      `RETURN
         COUNT { MATCH (n) WHERE any(k IN keys(n) WHERE n[k] IS :: STRING AND (n[k] CONTAINS $id OR n[k] CONTAINS 'Ben Erasable' OR n[k] CONTAINS 'Ben here')) } AS named,
         COUNT { MATCH (o:Order {id: $order})-[:CONTAINS]->(:Device {serial: $serial}) } AS orders,
         COUNT { MATCH (t:Touchpoint)-[:ABOUT]->(:ProductModel {sku: $sku}) WHERE t.eventId STARTS WITH 'erased:' } AS touches`,
      { id: ids.erased, order: ids.order, serial: ids.serial, sku: ids.sku },
    );
    expect(trace).toEqual({ named: 0, orders: 1, touches: 3 });

    // Temporal: the journey is gone, the device lifecycle dropped its owner, and the erasure's
    // own history holds no id of Ben's.
    // Temporal deletes executions asynchronously: the journey is gone soon after.
    await eventually(
      () =>
        system.client.workflow
          .getHandle(journeyWorkflowId(ids.erased, ids.sku))
          .describe()
          .then(
            () => 'still there',
            (error: unknown) => (error instanceof WorkflowNotFoundError ? 'gone' : String(error)),
          ),
      (state) => state === 'gone',
      // Temporal deletes executions in the background; on a loaded two-core machine that has
      // taken more than 30 s.
      TEMPORAL_BACKGROUND_MS,
    );
    await eventually(
      () => system.client.workflow.getHandle(deviceLifecycleWorkflowId(ids.serial)).describe(),
      (d) =>
        d.status.name !== 'RUNNING' &&
        d.typedSearchAttributes.get(searchAttributes.customerId) === undefined,
      TEMPORAL_BACKGROUND_MS,
    );
    // Every payload of every run, decoded: Ben is in none of them, the erasure's own included.
    const ben = {
      customerId: ids.erased,
      name: 'Ben Erasable',
      other: ['Ben here', ids.order],
    };
    const left = await eventually(
      () =>
        findPersonInTemporal(system.client, ben, {
          workflowIds: [
            eraseCustomer.workflowId,
            deviceLifecycleWorkflowId(ids.serial),
            journeyWorkflowId(ids.erased, ids.sku),
          ],
          queries: [`CustomerId = '${ids.erased}'`, `Serial = '${ids.serial}'`],
        }),
      (sightings) => sightings.length === 0,
      TEMPORAL_BACKGROUND_MS,
    );
    expect(left).toEqual([]);
    const history = await system.client.workflow.getHandle(eraseCustomer.workflowId).fetchHistory();
    expect(
      JSON.stringify(
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.map((x) =>
          defaultPayloadConverter.fromPayload(x),
        ),
      ),
    ).toContain(eraseCustomer.id);

    // A later event for Ben is dropped, and nothing is written.
    const firstLate = n + 1;
    const late = await system.data<Batch>(RECORD, {
      events: [event({ adClick: { customerId: ids.erased, campaignId: ids.campaign } })],
    });
    expect(late.recordEvents.results[0]).toEqual({
      status: 'REJECTED',
      error: {
        code: 'ERASED',
        path: 'events[0].adClick.customerId',
        message: 'Dropped: this person was erased',
      },
    });
    const referral = await system.data<Batch>(RECORD, {
      events: [
        event({
          referral: { referrerId: ids.ana, referredId: ids.erased, sku: ids.sku, code: 'AGAIN' },
        }),
      ],
    });
    expect(referral.recordEvents.results[0]?.error).toMatchObject({
      code: 'ERASED',
      path: 'events[0].referral.referredId',
    });
    const [written] = await system.graph.read<{ n: number }>(
      'RETURN COUNT { (t:Touchpoint) WHERE t.eventId IN $late } AS n',
      { late: [`${run}-evt-${firstLate}`, `${run}-evt-${firstLate + 1}`] },
    );
    expect(written?.n).toBe(0);

    // Registering the id again would bring Ben back: refused.
    const again = await system.request(
      `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
      { c: { id: ids.erased, displayName: 'Ben Again' } },
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.id',
    });

    // Erasing again returns the same, completed erasure.
    const repeated = await system.data<{ eraseCustomer: ErasureView }>(ERASE, {
      input: { customerId: ids.erased, reason: 'LEGAL_OBLIGATION' },
    });
    expect(repeated.eraseCustomer).toEqual({
      ...eraseCustomer,
      status: 'COMPLETED',
      completedAt: done.erasure?.completedAt,
    });
  }, 300_000);
});
