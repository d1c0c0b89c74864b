import type { Graph } from '@experience-graph/neo4j';
import type { ValueConfig } from '@experience-graph/config';
import { customerValueCalls } from '@experience-graph/segments';
import { customerFields, type CustomerRecord } from '../customers/customer-repository';

export interface CustomerValueRecord {
  /** Whose value this is, for the fields resolved from it (the prediction). */
  customerId: string;
  historical: number;
  referral: number;
  helpfulness: number;
  total: number;
  peopleReferred: number;
  peopleReferredDirectly: number;
}

/**
 * The value of customer `c` (`$discount`, `$helpfulVoteValue`) without its id: spent, brought
 * through referrals, helpfulness; for a `CALL (c) { }` returning the column `as`.
 */
export const valueOfCustomer = (as: string, maxHops: number) => `
  ${customerValueCalls(maxHops)}
  WITH historical, referral, helpfulVotes * $helpfulVoteValue AS helpfulness, peopleReferred,
       peopleReferredDirectly
  RETURN {historical: historical, referral: referral, helpfulness: helpfulness,
          total: historical + referral + helpfulness, peopleReferred: peopleReferred,
          peopleReferredDirectly: peopleReferredDirectly} AS ${as}`;

/**
 * The stored prediction of customer `c` (PredictedValueRecord) or null, into the column `as`.
 * Its fit id, horizon and time come from the fit the customer names by number; predictions
 * written before fits had numbers carry their own.
 */
export const predictionOfCustomer = (as: string) => `
  OPTIONAL MATCH (f:ValueModelFit {number: c.valueModelFit})
  RETURN CASE WHEN c.pAlive IS NULL THEN null ELSE {
    probabilityAlive: c.pAlive, expectedPurchases: c.expectedPurchases,
    expectedValue: c.expectedValue, horizonDays: coalesce(f.horizonDays, c.predictionHorizonDays),
    fittedAt: toString(coalesce(f.predictedAt, c.predictedAt)),
    fitId: coalesce(f.id, c.valueModelFitId)} END AS ${as}`;

/** Who referred customer `c` (a CustomerRecord) or null, into the column `as`. */
export const referrerOfCustomer = (as: string) => `
  OPTIONAL MATCH (r:Customer)-[:REFERRED]->(c)
  RETURN head(collect(${customerFields('r')})) AS ${as}`;

/** The people customer `c` referred (CustomerRecords) in the order referred, into `as`. */
export const referralsOfCustomer = (as: string) => `
  MATCH (c)-[r:REFERRED]->(x:Customer)
  WITH x, r ORDER BY r.at, x.id
  RETURN collect(${customerFields('x')}) AS ${as}`;

/** A customer's stored prediction, as the value-model job wrote it. */
export interface PredictedValueRecord {
  probabilityAlive: number;
  expectedPurchases: number;
  expectedValue: number | null;
  horizonDays: number;
  fittedAt: string;
  fitId: string;
}

export type ValueModelFitStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A fit as the API shows it. */
export interface ValueModelFitRecord {
  id: string;
  status: ValueModelFitStatus;
  population: string;
  asOf: string;
  horizonDays: number;
  fittedAt: string | null;
  error: string | null;
  customers: number | null;
  repeatCustomers: number | null;
  bgNbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
  gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number } | null;
  fitMillis: number | null;
  jobMillis: number | null;
}

const PREDICTIONS = `
UNWIND $ids AS id
MATCH (c:Customer {id: id})
CALL (c) { ${predictionOfCustomer('prediction')} }
RETURN id, prediction`;

const FIT_FIELDS = `
f.id AS id, f.status AS status, f.population AS population, toString(f.asOf) AS asOf,
f.horizonDays AS horizonDays, toString(f.fittedAt) AS fittedAt, f.error AS error,
f.customers AS customers, f.repeatCustomers AS repeatCustomers,
CASE WHEN f.r IS NULL THEN null ELSE
  {r: f.r, alpha: f.alpha, a: f.a, b: f.b, logLikelihood: f.bgNbdLogLikelihood} END AS bgNbd,
CASE WHEN f.p IS NULL THEN null ELSE
  {p: f.p, q: f.q, gamma: f.gamma, logLikelihood: f.gammaGammaLogLikelihood} END AS gammaGamma,
f.fitMillis AS fitMillis, f.jobMillis AS jobMillis`;

/** Cypher for customer value and referrals; batched by customer. */
export function createValueRepository(graph: Graph, config: ValueConfig) {
  const values = `
UNWIND $ids AS id
MATCH (c:Customer {id: id})
CALL (c) { ${valueOfCustomer('value', config.referralMaxHops)} }
RETURN id, value`;
  const valueParams = {
    discount: config.referralDiscount,
    helpfulVoteValue: config.helpfulVoteValue,
  };
  return {
    /** The parameters `valueOfCustomer` reads, as configured. */
    valueParams,
    /** The referral hops `valueOfCustomer` follows, as configured. */
    maxHops: config.referralMaxHops,

    async valuesById(ids: readonly string[]): Promise<Map<string, CustomerValueRecord>> {
      const rows = await graph.read<{ id: string; value: Omit<CustomerValueRecord, 'customerId'> }>(
        values,
        { ids, ...valueParams },
      );
      return new Map(rows.map(({ id, value }) => [id, { customerId: id, ...value }]));
    },

    async predictionsById(ids: readonly string[]): Promise<Map<string, PredictedValueRecord>> {
      const rows = await graph.read<{ id: string; prediction: PredictedValueRecord | null }>(
        PREDICTIONS,
        { ids },
      );
      return new Map(
        rows.flatMap(({ id, prediction }) => (prediction ? [[id, prediction] as const] : [])),
      );
    },

    async fitsById(ids: readonly string[]): Promise<Map<string, ValueModelFitRecord>> {
      const rows = await graph.read<ValueModelFitRecord>(
        `UNWIND $ids AS id MATCH (f:ValueModelFit {id: id}) RETURN ${FIT_FIELDS}`,
        { ids },
      );
      return new Map(rows.map((row) => [row.id, row]));
    },

    /** The most recent successful fit of a population (`*` or `prefix*`). */
    async latestFit(population: string): Promise<ValueModelFitRecord | null> {
      const [row] = await graph.read<ValueModelFitRecord>(
        `MATCH (f:ValueModelFit {population: $population}) WHERE f.status = 'SUCCEEDED'
         WITH f ORDER BY f.fittedAt DESC LIMIT 1
         RETURN ${FIT_FIELDS}`,
        { population },
      );
      return row ?? null;
    },

    /** Records a requested fit as RUNNING, before its job starts. */
    async createFit(fit: {
      id: string;
      population: string;
      asOf: string;
      horizonDays: number;
    }): Promise<ValueModelFitRecord> {
      const [row] = await graph.write<ValueModelFitRecord>(
        `CREATE (f:ValueModelFit {id: $id, population: $population, asOf: date($asOf),
                                  horizonDays: $horizonDays, status: 'RUNNING',
                                  requestedAt: datetime()})
         RETURN ${FIT_FIELDS}`,
        fit,
      );
      if (!row) throw new Error(`Fit ${fit.id} was not created`);
      return row;
    },

    /** Removes a requested fit whose job could not be started (nothing else refers to it). */
    async removeFit(id: string): Promise<void> {
      await graph.write(
        `MATCH (f:ValueModelFit {id: $id}) WHERE f.status = 'RUNNING' AND f.startedAt IS NULL
         DELETE f`,
        { id },
      );
    },

    async referrerOf(ids: readonly string[]): Promise<Map<string, string>> {
      const rows = await graph.read<{ id: string; referrer: CustomerRecord | null }>(
        `MATCH (c:Customer) WHERE c.id IN $ids
         CALL (c) { ${referrerOfCustomer('referrer')} }
         RETURN c.id AS id, referrer`,
        { ids },
      );
      return new Map(
        rows.flatMap(({ id, referrer }) => (referrer ? [[id, referrer.id] as const] : [])),
      );
    },

    /** How many people each customer referred directly who were erased since. */
    async erasedReferralsOf(ids: readonly string[]): Promise<Map<string, number>> {
      const rows = await graph.read<{ id: string; erased: number }>(
        `MATCH (c:Customer)-[:REFERRED]->(x:ErasedPerson) WHERE c.id IN $ids
         RETURN c.id AS id, count(x) AS erased`,
        { ids },
      );
      return new Map(rows.map((r) => [r.id, r.erased]));
    },

    async referralsOf(ids: readonly string[]): Promise<Map<string, string[]>> {
      const rows = await graph.read<{ id: string; referred: CustomerRecord[] }>(
        `MATCH (c:Customer) WHERE c.id IN $ids
         CALL (c) { ${referralsOfCustomer('referred')} }
         RETURN c.id AS id, referred`,
        { ids },
      );
      return new Map(rows.map((r) => [r.id, r.referred.map((x) => x.id)]));
    },
  };
}

export type ValueRepository = ReturnType<typeof createValueRepository>;
