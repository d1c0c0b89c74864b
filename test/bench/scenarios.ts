import type { SubgraphName } from '@experience-graph/config';
import { postJson } from './http-client';
import type { BenchData } from './seed';
import type { RecordedFetch } from './system';

/**
 * The federated query of test/e2e/federation.e2e.test.ts: customer (customers subgraph) →
 * devices (products) → owner (customers) and model (products) → campaigns (campaigns) →
 * product (products).
 */
export const CUSTOMER_VIEW = `
query CustomerView($id: ID!) {
  customer(id: $id) {
    id
    displayName
    devices {
      serial
      stage
      stageChangedAt
      lifecycleWorkflowId
      owner { id displayName }
      model {
        sku
        name
        campaigns { id name channel journeyStage product { sku name } }
      }
    }
  }
}`;

/** One root field that only the customers subgraph serves: the gateway's fixed cost. */
export const CUSTOMER_ROOT = `
query CustomerRoot($id: ID!) {
  customer(id: $id) { id displayName }
}`;

export interface Scenario {
  key: string;
  title: string;
  /** Sends request number `index`; throws on an HTTP error, a GraphQL error or a wrong answer. */
  send(index: number, signal: AbortSignal): Promise<void>;
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string }>;
}

/** Posts a GraphQL body and returns its data; every kind of failure throws. */
async function post(url: string, body: string, signal: AbortSignal) {
  const { status, text } = await postJson(url, body, signal);
  let answer: GraphQLAnswer;
  try {
    answer = JSON.parse(text) as GraphQLAnswer;
  } catch {
    throw new Error(`HTTP ${status}, not JSON: ${text.slice(0, 200)}`);
  }
  return checkAnswer(answer, status);
}

export function checkAnswer(answer: GraphQLAnswer, status = 200): Record<string, unknown> {
  if (answer.errors?.length) {
    throw new Error(`GraphQL error: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  if (status !== 200) throw new Error(`HTTP ${status}`);
  if (!answer.data) throw new Error('Answer without data');
  return answer.data;
}

/** The objects in a value, itself included: how much graph one answer returns. */
export function countObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countObjects(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Object.values(value).reduce((n: number, v) => n + countObjects(v), 0);
}

/** A CustomerView answer is right when it is this customer's, complete to the last campaign. */
export function checkCustomerView(
  data: Record<string, unknown>,
  customerId: string,
  expectedObjects: number,
): void {
  const customer = data['customer'] as { id?: string } | null | undefined;
  if (customer?.id !== customerId) throw new Error(`Expected customer ${customerId}`);
  const objects = countObjects(customer);
  if (objects !== expectedObjects) {
    throw new Error(`Expected ${expectedObjects} objects for ${customerId}, got ${objects}`);
  }
}

const customerAt = (data: BenchData, index: number) =>
  data.customerIds[index % data.customerIds.length] as string;

/** Request i asks for customer i mod N, in every scenario, so all read the same rows. */
export function gatewayCustomerView(gatewayUrl: string, data: BenchData): Scenario {
  return {
    key: 'gatewayCustomerView',
    title: 'gateway: CustomerView (3 subgraphs)',
    async send(index, signal) {
      const id = customerAt(data, index);
      const body = JSON.stringify({ query: CUSTOMER_VIEW, variables: { id } });
      checkCustomerView(await post(gatewayUrl, body, signal), id, data.nodesPerView);
    },
  };
}

/**
 * The baseline for CustomerView: for customer i, the exact subgraph requests the gateway sent
 * for it (recorded once), posted straight to the subgraphs. Stage by stage, the fetches of one
 * stage in parallel, as the gateway runs its plan; or one after another with `sequential`.
 * What remains between this and the gateway is the gateway itself: one more HTTP hop, parsing,
 * validation and limits, planning (cached), building representations and merging answers.
 */
export function directReplay(
  subgraphUrls: Record<SubgraphName, string>,
  data: BenchData,
  plans: Map<string, RecordedFetch[][]>,
  mode: 'staged' | 'sequential',
): Scenario {
  const fetchOnce = async (fetch: RecordedFetch, signal: AbortSignal) => {
    const answer = await post(subgraphUrls[fetch.subgraph], fetch.body, signal);
    // An entity the subgraph could not resolve comes back as null, not as an error.
    const entities = answer['_entities'];
    if (Array.isArray(entities) && entities.some((e) => e === null)) {
      throw new Error(`${fetch.subgraph} resolved an entity to null`);
    }
  };
  return {
    key: 'directCustomerViewReplay',
    title: `direct: the gateway's fetches, replayed (${mode})`,
    async send(index, signal) {
      const stages = plans.get(customerAt(data, index));
      if (!stages) throw new Error(`No recorded plan for ${customerAt(data, index)}`);
      for (const stage of stages) {
        if (mode === 'staged') {
          await Promise.all(stage.map((f) => fetchOnce(f, signal)));
        } else {
          for (const f of stage) await fetchOnce(f, signal);
        }
      }
    },
  };
}

/** `customer(id) { id displayName }` posted to `url`: the gateway or the customers subgraph. */
export function customerRoot(key: string, title: string, url: string, data: BenchData): Scenario {
  return {
    key,
    title,
    async send(index, signal) {
      const id = customerAt(data, index);
      const body = JSON.stringify({ query: CUSTOMER_ROOT, variables: { id } });
      const answer = await post(url, body, signal);
      const customer = answer['customer'] as { id?: string } | null | undefined;
      if (customer?.id !== id) throw new Error(`Expected customer ${id}`);
    },
  };
}
