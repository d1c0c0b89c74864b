/**
 * Issue 4, item 5: the CDNOW sample (2,357 real customers, 6,919 purchases) goes into the graph
 * through the public intake only (registerCustomer, then `order` events through recordEvents),
 * the lifetime-value job fits it with the published conventions (calibration to 1997-09-30,
 * weeks, purchase days), and the fitted parameters must match the published tables within 1%:
 * Fader, Hardie & Lee (2005) "Counting your customers the easy way" (BG/NBD) and "RFM and CLV"
 * (gamma-gamma, on the 946 customers with a repeat purchase).
 *
 * The data lives beside the repository, at ../shared/data/cdnow (see its README).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CustomerRfm,
  bgNbdConditionalExpectedPurchases,
  bgNbdProbabilityAlive,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  rfmSummary,
} from '@experience-graph/customer-value';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

/**
 * ../shared/data/cdnow beside the repository; from a git worktree nested one level deeper, the
 * nearest such folder above it.
 */
function sampleFile(): string {
  let dir = path.resolve(__dirname, '..', '..');
  for (let up = 0; up < 3; up++) {
    dir = path.dirname(dir);
    const candidate = path.join(dir, 'shared', 'data', 'cdnow', 'CDNOW_sample.txt');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('CDNOW_sample.txt not found in ../shared/data/cdnow beside the repository');
}
const FILE = sampleFile();
const CALIBRATION_END = '1997-09-30';
const HORIZON_DAYS = 39 * 7; // the hold-out period of the studies: weeks 40 to 78

/** Published estimates (FHL 2005, both papers). */
const PUBLISHED = {
  r: 0.243,
  alpha: 4.414,
  a: 0.793,
  b: 2.426,
  bgNbdLogLikelihood: -9582.4,
  p: 6.25,
  q: 3.74,
  gamma: 15.44,
  repeatCustomers: 946,
};

interface Line {
  index: number;
  sampleId: string;
  day: string;
  amount: number;
  quantity: number;
}

function readSample(): Line[] {
  return readFileSync(FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const [, sampleId, date, cds, dollars] = line.trim().split(/\s+/);
      if (!sampleId || !date || !cds || !dollars) throw new Error(`bad line ${index + 1}`);
      return {
        index,
        sampleId: String(Number(sampleId)),
        day: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
        amount: Number(dollars),
        quantity: Math.max(1, Number(cds)),
      };
    });
}

const within = (actual: number, expected: number, relative: number) =>
  Math.abs(actual - expected) <= relative * Math.abs(expected);

/** Runs `work` over items, `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

interface FitView {
  id: string;
  status: string;
  population: string;
  asOf: string;
  horizonDays: number;
  error: string | null;
  customers: number | null;
  repeatCustomers: number | null;
  bgNbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
  gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number } | null;
  fitMillis: number | null;
  jobMillis: number | null;
}

const FIT_FIELDS = `id status population asOf horizonDays error customers repeatCustomers
  bgNbd { r alpha a b logLikelihood } gammaGamma { p q gamma logLikelihood } fitMillis jobMillis`;

describe('CDNOW through the public intake, fitted by the value-model job', () => {
  let system: TestSystem;
  const run = uniqueKey('cdnow');
  const prefix = `${run}-`;
  const customerId = (sampleId: string) => `${prefix}${sampleId}`;
  const lines = readSample();
  const sampleIds = [...new Set(lines.map((l) => l.sampleId))];
  let fitIds: string[] = [];

  beforeAll(async () => {
    system = await startSystem();
  });

  afterAll(async () => {
    // Everything this test wrote carries the run prefix in its key.
    for (const [label, key] of [
      ['Touchpoint', 'eventId'],
      ['Order', 'id'],
      ['Customer', 'id'],
    ] as const) {
      for (;;) {
        const [row] = await system.graph.write<{ deleted: number }>(
          `MATCH (n:${label}) WHERE n.${key} STARTS WITH $prefix
           WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS deleted`,
          { prefix },
        );
        if (!row || row.deleted === 0) break;
      }
    }
    await system.graph.write(`MATCH (f:ValueModelFit) WHERE f.id IN $fitIds DETACH DELETE f`, {
      fitIds,
    });
    await system.stop();
  });

  it('has the sample the published tables were estimated on', () => {
    expect(lines).toHaveLength(6919);
    expect(sampleIds).toHaveLength(2357);
  });

  it('registers every customer and records every purchase as an order event', async () => {
    // The gateway allows 30 aliases per request: register 30 customers per mutation.
    const groups: string[][] = [];
    for (let i = 0; i < sampleIds.length; i += 30) groups.push(sampleIds.slice(i, i + 30));
    await inParallel(groups, 4, async (group) => {
      const fields = group
        .map(
          (id, i) =>
            `c${i}: registerCustomer(input: {id: "${customerId(id)}", displayName: "CDNOW ${id}"}) { id }`,
        )
        .join('\n');
      const data = await system.data<Record<string, { id: string }>>(`mutation { ${fields} }`);
      expect(Object.keys(data)).toHaveLength(group.length);
    });

    // Same-day purchases stay separate orders; the model's summary counts purchase days.
    const events = lines.map((line) => ({
      eventId: `${prefix}o${line.index}`,
      occurredAt: `${line.day}T00:00:00Z`,
      order: {
        customerId: customerId(line.sampleId),
        orderId: `${prefix}o${line.index}`,
        amount: line.amount,
        currency: 'USD',
        quantity: line.quantity,
      },
    }));
    const batches: (typeof events)[] = [];
    for (let i = 0; i < events.length; i += 500) batches.push(events.slice(i, i + 500));
    let accepted = 0;
    const problems: unknown[] = [];
    await inParallel(batches, 3, async (batch) => {
      const { recordEvents } = await system.data<{
        recordEvents: {
          accepted: number;
          results: Array<{ status: string; error: { code: string; message: string } | null }>;
        };
      }>(
        `mutation ($events: [LifecycleEventInput!]!) {
           recordEvents(events: $events) { accepted results { status error { code message } } }
         }`,
        { events: batch },
      );
      accepted += recordEvents.accepted;
      problems.push(...recordEvents.results.filter((r) => r.status !== 'ACCEPTED').slice(0, 3));
    });
    expect(problems).toEqual([]);
    expect(accepted).toBe(6919);
    // Sized for a loaded two-core machine: thousands of orders through the per-event intake.
  }, 900_000);

  it('refuses a bad refresh with a precise error and starts nothing', async () => {
    const refresh = (input: Record<string, unknown>) =>
      system.request<unknown>(
        `mutation ($input: RefreshValueModelInput!) { refreshValueModel(input: $input) { id } }`,
        { input },
      );
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ asOf: future }, /^input\.asOf: must not be in the future/],
      [{ asOf: '1997-02-30' }, /^input\.asOf: is not a calendar day/],
      [{ asOf: '30/09/1997' }, /^input\.asOf: must be a day written YYYY-MM-DD/],
      [{ horizonDays: 0 }, /^input\.horizonDays: must be at least 1 day/],
      [{ horizonDays: 4000 }, /^input\.horizonDays: must be at most 3650 days/],
      [{ population: { idPrefix: 'no spaces' } }, /^input\.population\.idPrefix: must be 1 to 64/],
    ];
    for (const [input, message] of cases) {
      const response = await refresh({ population: { idPrefix: prefix }, ...input });
      expect(response.errors?.[0]?.message).toMatch(message);
      expect(response.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
    const [row] = await system.graph.read<{ fits: number }>(
      `MATCH (f:ValueModelFit {population: $population}) RETURN count(f) AS fits`,
      { population: `${prefix}*` },
    );
    expect(row?.fits).toBe(0);
  });

  it('fits the published parameters within 1% and predicts each customer as the models say', async () => {
    const before = await system.data<{
      latestValueModel: FitView | null;
      customer: { value: { predicted: unknown } };
    }>(
      `query ($population: ValueModelPopulationInput, $id: ID!) {
         latestValueModel(population: $population) { id }
         customer(id: $id) { value { predicted { probabilityAlive } } }
       }`,
      { population: { idPrefix: prefix }, id: customerId('1') },
    );
    expect(before.latestValueModel).toBeNull();
    expect(before.customer.value.predicted).toBeNull();

    const { refreshValueModel: started } = await system.data<{ refreshValueModel: FitView }>(
      `mutation ($input: RefreshValueModelInput!) { refreshValueModel(input: $input) { ${FIT_FIELDS} } }`,
      {
        input: {
          asOf: CALIBRATION_END,
          horizonDays: HORIZON_DAYS,
          population: { idPrefix: prefix },
        },
      },
    );
    fitIds = [started.id];
    expect(started).toMatchObject({
      status: 'RUNNING',
      population: `${prefix}*`,
      asOf: CALIBRATION_END,
      horizonDays: HORIZON_DAYS,
      bgNbd: null,
    });

    const readFit = async () =>
      (
        await system.data<{ valueModel: FitView }>(
          `query ($id: ID!) { valueModel(id: $id) { ${FIT_FIELDS} } }`,
          { id: started.id },
        )
      ).valueModel;
    const fit = await eventually(readFit, (f) => f.status !== 'RUNNING', 90_000);
    expect(fit.error).toBeNull();
    expect(fit.status).toBe('SUCCEEDED');
    const bg = fit.bgNbd as NonNullable<FitView['bgNbd']>;
    const gg = fit.gammaGamma as NonNullable<FitView['gammaGamma']>;
    console.log(
      `CDNOW through the graph: ${JSON.stringify({ ...fit, bgNbd: bg, gammaGamma: gg })}`,
    );
    expect(fit.customers).toBe(2357);
    expect(fit.repeatCustomers).toBe(PUBLISHED.repeatCustomers);
    for (const [name, value] of Object.entries({
      r: bg.r,
      alpha: bg.alpha,
      a: bg.a,
      b: bg.b,
      bgNbdLogLikelihood: bg.logLikelihood,
      p: gg.p,
      q: gg.q,
      gamma: gg.gamma,
    })) {
      const expected = PUBLISHED[name as keyof typeof PUBLISHED];
      if (!within(value, expected, 0.01)) {
        throw new Error(`${name} = ${value}, published ${expected}: more than 1% apart`);
      }
    }

    // The same data summarised from the file and fitted in memory: the graph job must agree.
    const summaries = rfmSummary(
      lines.map((l) => ({ customerId: l.sampleId, at: l.day, amount: l.amount })),
      { calibrationEnd: CALIBRATION_END },
    );
    const memoryBg = fitBgNbd(summaries);
    const memoryGg = fitGammaGamma(summaries);
    expect(within(bg.logLikelihood, memoryBg.logLikelihood, 1e-6)).toBe(true);
    expect(within(gg.logLikelihood, memoryGg.logLikelihood, 1e-6)).toBe(true);

    const latest = await system.data<{ latestValueModel: { id: string } | null }>(
      `query ($population: ValueModelPopulationInput) { latestValueModel(population: $population) { id } }`,
      { population: { idPrefix: prefix } },
    );
    expect(latest.latestValueModel?.id).toBe(started.id);

    // A few customers: a one-time buyer, heavy and light repeat buyers, a lapsed one.
    const bySample = new Map(summaries.map((s) => [s.customerId, s]));
    const chosen = pickCustomers(summaries);
    const fields = chosen
      .map(
        (s, i) =>
          `c${i}: customer(id: "${customerId(s.customerId)}") { value { historical predicted { probabilityAlive expectedPurchases expectedValue horizonDays fittedAt fitId } } }`,
      )
      .join('\n');
    const data = await system.data<
      Record<
        string,
        {
          value: {
            historical: number;
            predicted: {
              probabilityAlive: number;
              expectedPurchases: number;
              expectedValue: number | null;
              horizonDays: number;
              fittedAt: string;
              fitId: string;
            } | null;
          };
        }
      >
    >(`query { ${fields} }`);
    const bgParams = { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b };
    const ggParams = { p: gg.p, q: gg.q, gamma: gg.gamma };
    chosen.forEach((s, i) => {
      const customer = data[`c${i}`];
      const predicted = customer?.value.predicted;
      if (!predicted) throw new Error(`no prediction for sample customer ${s.customerId}`);
      const rfm = bySample.get(s.customerId) as CustomerRfm;
      const weeks = HORIZON_DAYS / 7;
      const expectedPurchases = bgNbdConditionalExpectedPurchases(bgParams, rfm, weeks);
      const expectedValue = expectedPurchases * gammaGammaExpectedAverageValue(ggParams, rfm);
      expect(predicted.fitId).toBe(started.id);
      expect(predicted.horizonDays).toBe(HORIZON_DAYS);
      expect(predicted.probabilityAlive).toBeCloseTo(bgNbdProbabilityAlive(bgParams, rfm), 9);
      expect(predicted.expectedPurchases).toBeCloseTo(expectedPurchases, 9);
      expect(predicted.expectedValue).toBeCloseTo(expectedValue, 6);
      // Historical value counts every order, also after the calibration end.
      const spent = lines
        .filter((l) => l.sampleId === s.customerId)
        .reduce((sum, l) => sum + l.amount, 0);
      expect(customer.value.historical).toBeCloseTo(spent, 6);
    });
  }, 180_000);
});

/** Customers whose predictions differ in kind, so a mix-up between them shows. */
function pickCustomers(summaries: CustomerRfm[]): CustomerRfm[] {
  const oneTime = summaries.find((s) => s.x === 0);
  const heaviest = [...summaries].sort((a, b) => b.x - a.x)[0];
  const lapsed = summaries.find((s) => s.x >= 2 && s.T - s.tx > 30);
  const recent = summaries.find((s) => s.x >= 3 && s.T - s.tx < 2);
  const light = summaries.find((s) => s.x === 1 && s.monetaryValue > 0);
  const picked = [oneTime, heaviest, lapsed, recent, light].filter(
    (s): s is CustomerRfm => s !== undefined,
  );
  if (picked.length < 5) throw new Error('the sample lacks a kind of customer this test needs');
  return picked;
}
