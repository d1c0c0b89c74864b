import fc from 'fast-check';
import {
  assessSilence,
  evaluate,
  HEALTH_THRESHOLDS,
  MIN_EVIDENCE,
  RECENT_READING_IDS,
  validateReading,
  type DeviceHealthState,
  type HealthChange,
  type HealthEvaluation,
  type TelemetryReading,
} from './device-health';
import { degradingPrinterReadings, mulberry32 } from './fleet-simulation';

const T0 = Date.parse('2026-03-02T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** What a device reports at reading `i` (every 6 hours from T0). */
interface Spec {
  pages: number;
  errors: number;
  jams?: number;
  ink?: number;
}

function readingsOf(specs: Spec[], from = 0, everyHours = 6): TelemetryReading[] {
  return specs.map((spec, n) => {
    const i = from + n;
    return {
      readingId: `r-${i}`,
      serial: 'PRN-1',
      at: iso(T0 + i * everyHours * HOUR),
      pagesPrinted: spec.pages,
      errors: spec.errors,
      paperJams: spec.jams ?? 0,
      inkLevel: spec.ink ?? 80,
    };
  });
}

/** Errors for `pages` at `rate`, carrying the fraction so the long-run rate is exact. */
function errorStream(rate: (i: number) => number, pages: number, count: number): Spec[] {
  let carry = 0;
  return Array.from({ length: count }, (_, i) => {
    carry += pages * rate(i);
    const errors = Math.floor(carry);
    carry -= errors;
    return { pages, errors };
  });
}

/** Evaluates readings a day at a time, at the end of each day, as ingestion would. */
function daily(readings: TelemetryReading[], state: DeviceHealthState | null = null) {
  const results: (HealthEvaluation & { now: string })[] = [];
  const last = Math.max(...readings.map((r) => Date.parse(r.at)));
  const first = Math.min(...readings.map((r) => Date.parse(r.at)));
  for (let end = first - (first % DAY) + DAY; end <= last + DAY; end += DAY) {
    const batch = readings.filter((r) => {
      const at = Date.parse(r.at);
      return at < end && at >= end - DAY;
    });
    const now = iso(end);
    const result = evaluate(state, batch, now);
    state = result.state;
    results.push({ ...result, now });
  }
  return results;
}

const changes = (results: { change: HealthChange | null }[]) =>
  results.map((r) => r.change).filter((c) => c !== null);

/** 25 pages every 6 hours at 0.5% errors. */
const healthy = (count: number) => errorStream(() => 0.005, 25, count);

/** Healthy for `days`, then errors rising exponentially from 0.5% to 12% over 10 days. */
const degrading = (days: number) => [
  ...healthy(days * 4),
  ...errorStream((i) => 0.005 * Math.pow(24, i / 40), 25, 40),
];

describe('device health', () => {
  it('keeps a steady healthy device OK without signalling anything', () => {
    const results = daily(readingsOf(healthy(60 * 4)));
    expect(changes(results)).toEqual([]);
    const last = results.at(-1)!;
    expect(last.assessment).toMatchObject({ level: 'OK', reasons: [], failureHorizonDays: null });
    expect(last.assessment.failureRisk).toBeLessThan(HEALTH_THRESHOLDS.watchRisk);
  });

  it('does not flag a healthy device for one burst of errors or one jam spike', () => {
    const specs = healthy(60 * 4);
    specs[100] = { pages: 25, errors: 30 };
    specs[140] = { pages: 25, errors: 0, jams: 15 };
    const results = daily(readingsOf(specs));
    expect(changes(results)).toEqual([]);
    expect(results.map((r) => r.assessment.level)).not.toContain('AT_RISK');
  });

  it('predicts the failure of a degrading device once, with a horizon and the error rate', () => {
    const results = daily(readingsOf(degrading(30)));
    expect(changes(results)).toEqual(['PREDICTED_FAILURE']);
    const predicted = results.find((r) => r.change === 'PREDICTED_FAILURE')!;
    // Degradation runs from day 30 to day 40; the prediction comes days before its end.
    const day = (Date.parse(predicted.now) - T0) / DAY;
    expect(day).toBeGreaterThan(30);
    expect(day).toBeLessThanOrEqual(38);
    expect(predicted.assessment.level).toBe('AT_RISK');
    expect(predicted.assessment.failureRisk).toBeGreaterThanOrEqual(HEALTH_THRESHOLDS.atRiskEnter);
    expect(predicted.assessment.failureHorizonDays).toBeGreaterThan(0);
    expect(predicted.assessment.reasons).toContainEqual(
      expect.stringMatching(
        /^error rate rising: \d+\.\d% of pages over the last day against \d+\.\d% before$/,
      ),
    );
    expect(predicted.assessment.reasons).toContainEqual(
      expect.stringMatching(/^failure expected in about \d+(\.\d)? days$/),
    );
    expect(results.at(-1)!.assessment.level).toBe('AT_RISK');
  });

  it('signals RECOVERED when a device at risk settles back to its normal rate', () => {
    const specs = [...degrading(30).slice(0, 38 * 4), ...healthy(30 * 4)];
    const results = daily(readingsOf(specs));
    expect(changes(results)).toEqual(['PREDICTED_FAILURE', 'RECOVERED']);
    expect(results.at(-1)!.assessment.level).toBe('OK');
  });

  it('signals FAILED on a hard failure and RECOVERED after the repair', () => {
    const specs = [
      ...healthy(20 * 4),
      ...Array.from({ length: 6 }, () => ({ pages: 10, errors: 7 })),
      ...healthy(10 * 4),
    ];
    const results = daily(readingsOf(specs));
    expect(changes(results)).toEqual(['FAILED', 'RECOVERED']);
    const failed = results.find((r) => r.change === 'FAILED')!;
    expect(failed.assessment).toMatchObject({ level: 'FAILING', failureRisk: 1 });
    expect(failed.assessment.reasons[0]).toMatch(/^failing: errors on \d+\.\d% of pages/);
  });

  it('needs three hard readings in a row, within a day of each other: bursts are not failures', () => {
    const specs = healthy(20 * 4);
    specs[40] = { pages: 10, errors: 9 };
    specs[41] = { pages: 20, errors: 12 };
    expect(changes(daily(readingsOf(specs)))).toEqual([]);
    // A printer that prints little: bursts days apart, with only small readings between.
    const quiet = Array.from({ length: 20 * 4 }, (_, i) =>
      i % 12 === 0 ? { pages: 4, errors: 6 } : { pages: 3, errors: 0 },
    );
    expect(changes(daily(readingsOf(quiet)))).toEqual([]);
  });

  it('needs only two hard readings in a row when the failure was predicted', () => {
    const specs = [
      ...degrading(30).slice(0, 38 * 4),
      { pages: 20, errors: 12 },
      { pages: 20, errors: 12 },
    ];
    expect(changes(daily(readingsOf(specs)))).toEqual(['PREDICTED_FAILURE', 'FAILED']);
  });

  it('gives the same result for duplicated, shuffled readings as for ordered unique ones', () => {
    const readings = readingsOf(degrading(5));
    const now = iso(T0 + 16 * DAY);
    const messy = [...readings, ...readings.slice(3, 30), readings[7]!].reverse();
    messy.push(...messy.splice(0, 17));
    const ordered = evaluate(null, readings, now);
    const result = evaluate(null, messy, now);
    expect(result.state).toEqual(ordered.state);
    expect(result.assessment).toEqual(ordered.assessment);
    expect(result.ignored).toEqual({ invalid: 0, duplicate: 28, late: 0, foreign: 0 });
  });

  it('drops readings older than the newest folded in, and redeliveries of recent ones', () => {
    const readings = readingsOf(healthy(12));
    const now = iso(T0 + 3 * DAY);
    const first = evaluate(null, readings.slice(6), now);
    const again = evaluate(first.state, [...readings.slice(0, 6), readings[8]!], now);
    expect(again.ignored).toEqual({ invalid: 0, duplicate: 1, late: 6, foreign: 0 });
    expect(again.state).toEqual(first.state);
  });

  it('ignores readings of another device', () => {
    const [a, b] = readingsOf(healthy(2));
    const result = evaluate(null, [a!, { ...b!, serial: 'PRN-2' }], iso(T0 + DAY));
    expect(result.ignored.foreign).toBe(1);
    expect(result.state).toMatchObject({ serial: 'PRN-1', readings: 1 });
  });

  it('accepts a state read back without its null fields, as Neo4j stores it', () => {
    const readings = readingsOf(healthy(8));
    const now = iso(T0 + 3 * DAY);
    const fresh = evaluate(null, [], iso(T0)).state;
    const stored = Object.fromEntries(
      Object.entries(fresh).filter(([, value]) => value !== null),
    ) as unknown as DeviceHealthState;
    expect(stored).not.toHaveProperty('lastReadingAt');
    expect(evaluate(stored, readings, now)).toEqual(evaluate(fresh, readings, now));
  });

  it('keeps its state bounded: 10,000 readings take no more room than 100', () => {
    const specs = errorStream((i) => (i % 500 < 50 ? 0.03 : 0.005), 25, 10_000);
    const readings = readingsOf(
      specs.map((s, i) => ({ ...s, ink: 100 - (i % 200) / 2 })),
      0,
      1,
    );
    const size = (count: number) => {
      const result = evaluate(null, readings.slice(0, count), iso(T0 + 10_000 * HOUR));
      expect(result.state.readings).toBe(count);
      return JSON.stringify(result.state).length;
    };
    const small = size(100);
    const large = size(10_000);
    expect(large).toBeLessThan(small + 100);
    expect(large).toBeLessThan(2_500);
    const state = evaluate(null, readings, iso(T0 + 10_000 * HOUR)).state;
    expect(state.recentReadingIds).toHaveLength(RECENT_READING_IDS);
    expect(state.recentReadingIds.at(-1)).toBe('r-9999');
  });

  it('forecasts when the ink runs out on a linear depletion, within 10%', () => {
    // 2 points a day from 80%, reported as whole percents: empty 40 days after the start.
    const specs = Array.from({ length: 10 * 4 }, (_, i) => ({
      pages: 25,
      errors: 0,
      ink: Math.round(80 - i * 0.5),
    }));
    const now = T0 + 10 * DAY;
    const { assessment, change } = evaluate(null, readingsOf(specs), iso(now));
    const expected = 30; // 60% left at 2 points a day
    expect(assessment.inkEmptyInDays).not.toBeNull();
    expect(Math.abs(assessment.inkEmptyInDays! - expected)).toBeLessThanOrEqual(expected * 0.1);
    expect(change).toBeNull();
  });

  it('signals INK_LOW once when the forecast falls within a week, and clears it on refill', () => {
    const ink = (i: number) => (i < 120 ? Math.max(0, Math.round(60 - i * 0.5)) : 100);
    const specs = Array.from({ length: 130 }, (_, i) => ({ pages: 25, errors: 0, ink: ink(i) }));
    const results = daily(readingsOf(specs));
    expect(changes(results)).toEqual(['INK_LOW']);
    const low = results.find((r) => r.change === 'INK_LOW')!;
    // 60% at 2 points a day runs out on day 30; a week ahead is day 23.
    expect((Date.parse(low.now) - T0) / DAY).toBeCloseTo(24, -0.5);
    expect(low.assessment.level).toBe('WATCH');
    expect(low.assessment.reasons).toContainEqual(expect.stringMatching(/^ink low: /));
    expect(results.at(-1)!.state).toMatchObject({ inkLow: false, inkLowSignalled: false });
    expect(results.at(-1)!.assessment.level).toBe('OK');
  });

  it('does not lose an INK_LOW that coincides with a failure signal', () => {
    const specs = [
      ...healthy(8),
      ...Array.from({ length: 3 }, () => ({ pages: 10, errors: 8, ink: 5 })),
    ];
    const first = evaluate(null, readingsOf(specs), iso(T0 + 3 * DAY));
    expect(first.change).toBe('FAILED');
    const second = evaluate(first.state, [], iso(T0 + 3 * DAY + HOUR));
    expect(second.change).toBe('INK_LOW');
    expect(evaluate(second.state, [], iso(T0 + 3 * DAY + 2 * HOUR)).change).toBeNull();
  });

  describe('failure evidence', () => {
    /** Poisson errors at `rate` on `pages` pages per reading, drawn from a seeded generator. */
    function poissonStream(seed: number, rate: number, pages: number, count: number): Spec[] {
      const random = mulberry32(seed);
      return Array.from({ length: count }, () => {
        const limit = Math.exp(-pages * rate);
        let errors = 0;
        for (let p = random(); p > limit; p *= random()) errors += 1;
        return { pages, errors };
      });
    }
    const levels = (results: HealthEvaluation[]) => results.map((r) => r.assessment.level);

    it('compares a printer with its own rate: a steady high rate is no risk, the same rate after a low one is', () => {
      // 100 pages every 6 hours: one printer at 1.2% all along, one at 0.3% that rises to 1.2%.
      const high = errorStream(() => 0.012, 100, 60 * 4);
      const risen = [
        ...errorStream(() => 0.003, 100, 50 * 4),
        ...errorStream(() => 0.012, 100, 40),
      ];
      const steady = daily(readingsOf(high));
      expect(changes(steady)).toEqual([]);
      expect(steady.at(-1)!.assessment.failureRisk).toBe(0);
      const changed = daily(readingsOf(risen));
      expect(changes(changed)).toEqual(['PREDICTED_FAILURE']);
      const predicted = changed.find((r) => r.change === 'PREDICTED_FAILURE')!;
      expect((Date.parse(predicted.now) - T0) / DAY).toBeGreaterThan(50);
    });

    it('counts errors per page, so a printer that prints little is predicted on its few errors', () => {
      // 10 pages every 6 hours: 40 a day, and about one error a day at the end.
      const quiet = [
        ...errorStream(() => 0.005, 10, 30 * 4),
        ...errorStream((i) => 0.005 * Math.pow(24, i / 40), 10, 40),
      ];
      const results = daily(readingsOf(quiet));
      expect(changes(results)).toEqual(['PREDICTED_FAILURE']);
      const predicted = results.find((r) => r.change === 'PREDICTED_FAILURE')!;
      const day = (Date.parse(predicted.now) - T0) / DAY;
      expect(day).toBeGreaterThan(30);
      expect(day).toBeLessThan(40);
    });

    it('does not drift up with age: a year of random errors at a steady rate raises nothing', () => {
      const results = daily(readingsOf(poissonStream(1, 0.008, 30, 365 * 4)));
      expect(changes(results)).toEqual([]);
      expect(levels(results)).not.toContain('AT_RISK');
      const last = results.at(-1)!.state;
      expect(last.evidence).toBeLessThan(0);
      expect(last.shiftStatistics).toHaveLength(HEALTH_THRESHOLDS.shiftMultiples.length);
    });

    it('learns that a printer bursts: two bursts in a row are a risk only on a printer that never had one', () => {
      const withBursts = healthy(60 * 4);
      for (const i of [40, 80, 120, 160, 200]) withBursts[i] = { pages: 25, errors: 20 };
      const quiet = healthy(60 * 4);
      for (const specs of [withBursts, quiet]) {
        specs[220] = { pages: 25, errors: 6 };
        specs[221] = { pages: 25, errors: 6 };
      }
      const now = iso(T0 + 222 * 6 * HOUR);
      const bursty = evaluate(null, readingsOf(withBursts).slice(0, 222), now);
      const trusted = evaluate(null, readingsOf(quiet).slice(0, 222), now);
      // The five earlier bursts were each followed by a normal reading: isolated bursts,
      // counted with the older ones faded (over burstWindowDays).
      expect(bursty.state.burstReadings).toBeGreaterThan(3);
      expect(trusted.state.burstReadings).toBe(0);
      expect(bursty.assessment.level).not.toBe('AT_RISK');
      expect(trusted.assessment.level).toBe('AT_RISK');
      expect(bursty.state.evidence).toBeLessThan(trusted.state.evidence);
    });

    it('weighs a burst far above any plausible rate as evidence of nothing', () => {
      const specs = healthy(30 * 4);
      const before = evaluate(null, readingsOf(specs.slice(0, 100)), iso(T0 + 100 * 6 * HOUR));
      const burst = evaluate(
        before.state,
        readingsOf([{ pages: 25, errors: 30 }], 100),
        iso(T0 + 101 * 6 * HOUR),
      );
      expect(burst.state.evidence).toBeLessThan(HEALTH_THRESHOLDS.evidenceScale * 0.5);
      expect(burst.assessment.level).toBe('OK');
    });

    it('predicts the demo printer with a risk that ships a part, in one batch', () => {
      const end = T0 + 28 * DAY;
      const readings = degradingPrinterReadings('demo', end).map((r) => ({
        ...r,
        serial: 'PRN-1',
      }));
      const { change, assessment } = evaluate(null, readings, iso(end));
      expect(change).toBe('PREDICTED_FAILURE');
      // The lifecycle ships a replacement part from a risk of 0.8 (SHIP_PART_RISK).
      expect(assessment.failureRisk).toBeGreaterThanOrEqual(0.8);
      expect(assessment.failureHorizonDays).toBeGreaterThan(0);
    });

    it('migrates a version 1 state: the baseline carries over and a device at risk stays at risk', () => {
      const now = iso(T0 + 30 * DAY);
      const current = evaluate(null, readingsOf(healthy(29 * 4)), now).state;
      // A version 1 state had none of the fields version 2 added.
      const added = ['shiftStatistics', 'burstWeight', 'burstReadings', 'burstPending'];
      const common = Object.fromEntries(
        Object.entries(current).filter(([key]) => !added.includes(key)),
      );
      const v1 = (evidence: number, condition: 'OK' | 'AT_RISK') =>
        ({
          ...common,
          version: 1,
          evidence,
          condition,
          level: condition,
        }) as unknown as DeviceHealthState;
      const next = readingsOf(healthy(1), 29 * 4);
      const calm = evaluate(v1(0, 'OK'), next, now);
      expect(calm.state).toMatchObject({ version: 2, baselinePages: expect.any(Number) });
      expect(calm.state.shiftStatistics.every((r) => r >= 0 && r < 1)).toBe(true);
      expect(calm.state.baselinePages).toBeGreaterThan(current.baselinePages);
      expect(calm.assessment.level).toBe('OK');
      const atRisk = evaluate(v1(12, 'AT_RISK'), next, now);
      expect(atRisk.state.version).toBe(2);
      expect(atRisk.assessment.level).toBe('AT_RISK');
      expect(atRisk.change).toBeNull();
    });

    it('reseeds its statistics when the thresholds name other multiples', () => {
      const now = iso(T0 + 39 * DAY);
      const { state } = evaluate(null, readingsOf(degrading(30).slice(0, 38 * 4)), now);
      expect(state.condition).toBe('AT_RISK');
      const other = evaluate(state, [], now, { shiftMultiples: [3, 9] });
      expect(other.state.shiftStatistics).toHaveLength(2);
      expect(other.state.evidence).toBeCloseTo(state.evidence, 6);
      expect(other.assessment.level).toBe('AT_RISK');
      const fresh = evaluate(null, [], now).state;
      expect(fresh.evidence).toBe(MIN_EVIDENCE);
    });
  });

  describe('validation', () => {
    const now = iso(T0);
    const valid: TelemetryReading = readingsOf([{ pages: 3, errors: 0 }], -1)[0]!;

    it('accepts a valid reading, and one a few minutes ahead of now (clock skew)', () => {
      expect(validateReading(valid, now)).toBeNull();
      expect(validateReading({ ...valid, at: iso(T0 + 4 * 60_000) }, now)).toBeNull();
      expect(validateReading({ ...valid, at: '2026-03-02T01:00:00+02:00' }, now)).toBeNull();
    });

    it.each([
      [{ at: iso(T0 + 6 * 60_000) }, 'at', 'must not be in the future'],
      [{ at: '2026-03-01' }, 'at', 'must be an ISO-8601 date-time with a time zone'],
      [{ at: '2026-03-01T10:00:00' }, 'at', 'must be an ISO-8601 date-time with a time zone'],
      [{ at: '2026-02-30T10:00:00Z' }, 'at', 'must be an ISO-8601 date-time with a time zone'],
      [{ readingId: '' }, 'readingId', 'must be a non-empty string'],
      [{ serial: ' ' }, 'serial', 'must be a non-empty string'],
      [{ pagesPrinted: -1 }, 'pagesPrinted', 'must be a non-negative integer'],
      [{ errors: 1.5 }, 'errors', 'must be a non-negative integer'],
      [{ paperJams: Number.NaN }, 'paperJams', 'must be a non-negative integer'],
      [{ inkLevel: 100.5 }, 'inkLevel', 'must be a number from 0 to 100'],
      [{ inkLevel: -0.1 }, 'inkLevel', 'must be a number from 0 to 100'],
      [{ inkLevel: '50' }, 'inkLevel', 'must be a number from 0 to 100'],
    ])('rejects %j naming %s', (patch, field, message) => {
      const reading = { ...valid, ...patch } as TelemetryReading;
      expect(validateReading(reading, now)).toEqual({ field, message });
    });

    it('skips invalid readings in a batch and counts them', () => {
      const result = evaluate(null, [valid, { ...valid, readingId: 'x', errors: -2 }], now);
      expect(result.ignored.invalid).toBe(1);
      expect(result.state.readings).toBe(1);
    });

    it('refuses a `now` that is not a date-time', () => {
      expect(() => evaluate(null, [], 'yesterday')).toThrow(RangeError);
    });
  });

  describe('silence', () => {
    const state = evaluate(null, readingsOf(healthy(4)), iso(T0 + DAY)).state;
    const lastAt = T0 + 18 * HOUR;

    it('signals SILENT once no reading arrived for 48 hours, and only once', () => {
      expect(assessSilence(state, iso(lastAt + 47 * HOUR)).change).toBeNull();
      const silent = assessSilence(state, iso(lastAt + 49 * HOUR));
      expect(silent.change).toBe('SILENT');
      expect(silent.assessment.level).toBe('SILENT');
      expect(silent.assessment.reasons[0]).toBe(
        'silent: no reading for 49 hours (expected within 48)',
      );
      expect(assessSilence(silent.state, iso(lastAt + 80 * HOUR)).change).toBeNull();
      const back = evaluate(silent.state, readingsOf(healthy(1), 20), iso(T0 + 5 * DAY + HOUR));
      expect(back.change).toBe('RECOVERED');
      expect(back.assessment.level).toBe('OK');
    });

    it('takes its limit as a parameter, and never calls a device that never reported silent', () => {
      expect(assessSilence(state, iso(lastAt + 13 * HOUR), 12).change).toBe('SILENT');
      const never = evaluate(null, [], iso(T0)).state;
      expect(assessSilence(never, iso(T0 + 100 * DAY)).change).toBeNull();
    });
  });

  describe('properties', () => {
    interface Generated {
      gapMinutes: number;
      pages: number;
      errors: number;
      jams: number;
      ink: number;
    }
    const spec: fc.Arbitrary<Generated> = fc.record({
      gapMinutes: fc.integer({ min: 1, max: 12 * 60 }),
      pages: fc.integer({ min: 0, max: 120 }),
      errors: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 40 }),
      ),
      jams: fc.integer({ min: 0, max: 4 }),
      ink: fc.integer({ min: 0, max: 100 }),
    });
    const toReadings = (specs: Generated[]) => {
      let at = T0;
      return specs.map((s, i): TelemetryReading => {
        at += s.gapMinutes * 60_000;
        return {
          readingId: `p-${i}`,
          serial: 'PRN-1',
          at: iso(at),
          pagesPrinted: s.pages,
          errors: s.errors,
          paperJams: s.jams,
          inkLevel: s.ink,
        };
      });
    };
    const endOf = (readings: TelemetryReading[]) =>
      iso(Date.parse(readings.at(-1)?.at ?? iso(T0)) + HOUR);
    // Which batch INK_LOW was signalled in may differ; everything else must not.
    const comparable = ({ inkLowSignalled: _, ...rest }: DeviceHealthState) => rest;

    it('ends in the same state whether readings come in one batch or several', () => {
      fc.assert(
        fc.property(
          fc.array(spec, { minLength: 1, maxLength: 150 }),
          fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 8 }),
          (specs, cuts) => {
            const readings = toReadings(specs);
            const now = endOf(readings);
            const whole = evaluate(null, readings, now);
            const bounds = [...new Set([0, ...cuts, readings.length])].sort((a, b) => a - b);
            let state: DeviceHealthState | null = null;
            let last: HealthEvaluation | null = null;
            for (let i = 1; i < bounds.length; i += 1) {
              const batch = readings.slice(bounds[i - 1], bounds[i]);
              last = evaluate(state, batch.reverse(), now);
              state = last.state;
            }
            expect(last!.assessment).toEqual(whole.assessment);
            expect(comparable(last!.state)).toEqual(comparable(whole.state));
          },
        ),
      );
    });

    it('ignores the order of a batch and redeliveries within it', () => {
      fc.assert(
        fc.property(
          fc
            .array(spec, { minLength: 1, maxLength: 80 })
            .map(toReadings)
            .chain((readings) =>
              fc.tuple(
                fc.constant(readings),
                fc.shuffledSubarray([...readings, ...readings], {
                  minLength: 2 * readings.length,
                }),
              ),
            ),
          ([readings, shuffled]) => {
            const now = endOf(readings);
            const ordered = evaluate(null, readings, now);
            const messy = evaluate(null, shuffled, now);
            expect(messy.state).toEqual(ordered.state);
            expect(messy.assessment).toEqual(ordered.assessment);
            expect(messy.change).toEqual(ordered.change);
            expect(messy.ignored.duplicate).toBe(readings.length);
          },
        ),
      );
    });

    it('survives a JSON round trip, bounded and within range', () => {
      fc.assert(
        fc.property(
          fc.array(spec, { minLength: 2, maxLength: 120 }),
          fc.integer({ min: 1, max: 119 }),
          (specs, cut) => {
            const readings = toReadings(specs);
            const now = endOf(readings);
            const first = evaluate(null, readings.slice(0, cut), now);
            const stored = JSON.parse(JSON.stringify(first.state)) as DeviceHealthState;
            const direct = evaluate(first.state, readings.slice(cut), now);
            const viaJson = evaluate(stored, readings.slice(cut), now);
            expect(JSON.stringify(viaJson)).toBe(JSON.stringify(direct));
            const { assessment, state } = direct;
            expect(assessment.failureRisk).toBeGreaterThanOrEqual(0);
            expect(assessment.failureRisk).toBeLessThanOrEqual(1);
            expect(assessment.inkEmptyInDays ?? 0).toBeGreaterThanOrEqual(0);
            expect(assessment.failureHorizonDays ?? 0).toBeGreaterThanOrEqual(0);
            expect(state.recentReadingIds.length).toBeLessThanOrEqual(RECENT_READING_IDS);
          },
        ),
      );
    });
  });
});
