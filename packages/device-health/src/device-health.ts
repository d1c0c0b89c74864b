/**
 * Device health from printer telemetry, as a pure fold over readings. Telemetry arrives in
 * batches and is far too frequent to be one workflow task per reading; this module condenses a
 * device's readings into a small summary that lives on the Device node between batches, and
 * says when something changed that the device's lifecycle workflow should hear about.
 *
 * No I/O, no clock and no Node built-ins: the caller passes `now`, so the same inputs always
 * give the same answer, and the module can run inside Temporal's workflow sandbox.
 *
 * How a failure is predicted: printers that are about to fail usually show it first as a
 * rising share of pages that end in an error. Evidence is counted per page, never per day, so
 * a printer that prints little is judged on what it printed:
 *
 * - Each device learns its own baseline error rate, a slow time-decayed average of errors per
 *   page, shrunk towards the fleet's typical rate while its history is short. The baseline
 *   learns only while the device is OK, so a degradation does not become the new normal. A
 *   printer with a high error rate of its own is not at risk for it: only a change is.
 * - The evidence is a Shiryaev-Roberts statistic: the likelihood ratio of "the error rate rose
 *   to k times the baseline at some point in the last weeks" against "it is the baseline",
 *   summed over where the change began (recent starts weigh more) and averaged over several
 *   multiples k (2, 4, 8, 16). One multiple suits one stage of a degradation: a printer at
 *   twice its rate is judged against k = 2, one a day from failing against k = 16, so both an
 *   early small excess and a late large one count at their worth. Averaging over where the
 *   change began, rather than taking the best start (CUSUM), does not reward the luckiest
 *   window of a healthy printer; and as older starts fade, the statistic of a printer that
 *   does not change stays around 1 or below however long its history.
 * - Each reading's likelihood allows for a burst: with a small probability, a reading's errors
 *   have nothing to do with the printer's rate (a bad ream, a user fighting a tray). Under
 *   both hypotheses, so a burst far above any plausible rate is evidence of nothing, while a
 *   reading a degradation explains still counts. How often a device bursts is learnt from its
 *   own history: a reading far above the baseline followed by a normal one is an isolated
 *   burst. A printer known for bursts needs more than a burst or two to be at risk; a printer
 *   that never had one is trusted when its errors climb.
 *
 * The evidence (the logarithm of that statistic) becomes a failure risk from 0 to 1, with
 * hysteresis between entering and leaving AT_RISK so a device near the line does not flap. A
 * hard failure is simpler: several readings in a row with errors on a large share of their
 * pages. Every step is a handful of arithmetic per reading, and the state stays a few numbers.
 *
 * The thresholds were chosen on `fleet-simulation.ts` (seeds 1 to 40) and checked on seeds 41
 * to 120; run `simulate.ts` to see the figures, and see its notes for what limits them.
 */

/** One telemetry reading, as a connected printer reports it. */
export interface TelemetryReading {
  /** Unique per reading: redeliveries carry the same id and are dropped. */
  readingId: string;
  serial: string;
  /** ISO-8601 date-time with a time zone, e.g. `2026-03-01T06:00:00Z`. */
  at: string;
  /** Pages printed since the previous reading; a non-negative integer. */
  pagesPrinted: number;
  /** Error events since the previous reading; a non-negative integer. */
  errors: number;
  /** Paper jams since the previous reading; a non-negative integer. */
  paperJams: number;
  /** Ink remaining, in percent from 0 to 100. */
  inkLevel: number;
}

/** Health levels, from best to worst; SILENT means no reading arrived for too long. */
export const HEALTH_LEVELS = ['OK', 'WATCH', 'AT_RISK', 'FAILING', 'SILENT'] as const;
export type HealthLevel = (typeof HEALTH_LEVELS)[number];

/** The changes signalled to the lifecycle workflow; nothing else is worth a signal. */
export const HEALTH_CHANGES = [
  'PREDICTED_FAILURE',
  'FAILED',
  'SILENT',
  'INK_LOW',
  'RECOVERED',
] as const;
export type HealthChange = (typeof HEALTH_CHANGES)[number];

/** What the device's health looks like at `now`. */
export interface HealthAssessment {
  level: HealthLevel;
  /** From 0 (no sign of trouble) to 1 (failing now). */
  failureRisk: number;
  /** Why the level is what it is, one readable sentence each; empty when all is well. */
  reasons: string[];
  /** Predicted days from `now` until a hard failure, when AT_RISK (0 when FAILING). */
  failureHorizonDays: number | null;
  /** Days from `now` until the ink runs out at the recent pace, when it is being used. */
  inkEmptyInDays: number | null;
}

/**
 * Every threshold of the evaluation, in one place. The defaults were tuned on the fleet
 * simulation (`fleet-simulation.ts`, see its notes); pass a partial override to `evaluate` to
 * try others.
 */
export interface HealthThresholds {
  /** Time constant, in days, of the short error-rate average that reasons and horizons quote. */
  shortWindowDays: number;
  /** Time constant, in days, of a device's own baseline error rate. A long one: the longer
   * the history, the better a device's own rate is known, and the less a cluster of errors
   * on a printer that prints little looks like a change. */
  baselineWindowDays: number;
  /** Error rate assumed for a device with no history yet, weighted as if seen on
   * `priorPages` pages: a new device's first few errors are judged against the fleet's
   * typical rate, not against an empty history. */
  priorErrorRate: number;
  priorPages: number;
  /** The baseline never counts as lower than this, or a device with almost no errors would
   * sound an alarm at its first few. */
  minBaselineErrorRate: number;
  /** The evidence is for "the error rate is now one of these multiples of the baseline",
   * each weighed equally. */
  shiftMultiples: readonly number[];
  /** Time constant, in days, of the prior on when a change began: a start this much further
   * back weighs e times less. A degradation shows in its last week or two; older starts
   * would only let a long quiet history dilute the evidence. */
  changeWindowDays: number;
  /** Evidence scale: failure risk is `1 − exp(−evidence / evidenceScale)` for an evidence
   * (the logarithm of the statistic, in nats) above 0. At 4.64, entering AT_RISK (0.6) takes
   * an evidence of 4.25, odds of about 70 to 1 for a raised rate against the baseline, and
   * leaving it (0.4) takes the evidence back under 2.4; WATCH (0.3) starts at 1.65. */
  evidenceScale: number;
  /** The evidence is capped at this many scales, so a device that settles down leaves
   * AT_RISK in bounded time. */
  maxEvidenceScales: number;
  /** A reading's errors count in the averages (the baseline and the recent rate) up to
   * `ceil(pages × max(burstBaselineMultiple × baseline, burstRecentMultiple × recent rate))
   * + burstSlack`, so one burst does not move them. The evidence is not capped so: it allows
   * for bursts through their probability, below. */
  burstBaselineMultiple: number;
  burstRecentMultiple: number;
  burstSlack: number;
  /** Share of readings assumed to be bursts on a device with no history, weighted as if seen
   * on `burstPriorReadings` readings; a device's own share is learnt over `burstWindowDays`.
   * A burst's errors are spread evenly: each count from 1 up has a probability of
   * 1 / `burstMaxErrors`. */
  burstShare: number;
  burstPriorReadings: number;
  burstWindowDays: number;
  burstMaxErrors: number;
  /** A reading is burst-like when it has at least `burstMinErrors` errors and at most a
   * `burstTailProbability` chance at twice the baseline; it is an isolated burst, counted in
   * the device's share, when the next reading is back to normal (at most a few times the
   * baseline). */
  burstMinErrors: number;
  burstTailProbability: number;
  /** Risk at which a device becomes AT_RISK... */
  atRiskEnter: number;
  /** ...and below which it stops being AT_RISK (hysteresis). */
  atRiskLeave: number;
  /** Risk from which the level is WATCH (no signal, an early sign on dashboards). */
  watchRisk: number;
  /** A reading with errors on at least this share of its pages, and at least
   * `failingMinErrors` errors, is a hard-failure reading... */
  failingErrorRate: number;
  failingMinErrors: number;
  /** ...and this many in a row make the device FAILING. Two are not enough: error bursts on a
   * healthy printer look like hard readings, and two in a row are not rare in a fleet. A
   * device already AT_RISK needs only `failingReadingsAtRisk`: the failure was expected. */
  failingReadings: number;
  failingReadingsAtRisk: number;
  /** Hard readings more than this many hours apart do not make a streak. */
  failingWithinHours: number;
  /** A FAILING device recovers after this many readings in a row with at least
   * `recoveredMinPages` pages and errors on fewer than `recoveredErrorRate` of them. (A
   * reading of two pages without errors says little about a printer failing half its pages.) */
  recoveredErrorRate: number;
  recoveredMinPages: number;
  recoveredReadings: number;
  /** No reading for this long makes a device SILENT. */
  silenceAfterHours: number;
  /** Ink is low below this level... */
  inkLowPercent: number;
  /** ...or when the forecast says it runs out within this many days. */
  inkLowDays: number;
  /** Ink stops being low at this level or more with more than `inkClearDays` left. */
  inkClearPercent: number;
  inkClearDays: number;
  /** Time constant, in days, of the ink depletion fit. */
  inkWindowDays: number;
  /** Ink samples must span about this many days before a forecast is made. */
  inkMinSpanDays: number;
  /** A rise of at least this many points is a refill: the depletion fit starts again. */
  inkRefillJump: number;
  /** Paper jams per 100 pages over the short window (and at least 3 jams) from which the
   * level is WATCH. Jams are not a failure signal: a bad ream jams a healthy printer. */
  jamWatchPer100Pages: number;
  /** Readings stamped later than `now` plus this are rejected: the device clock is wrong. */
  futureToleranceMinutes: number;
}

export const HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  shortWindowDays: 1,
  baselineWindowDays: 90,
  priorErrorRate: 0.008,
  priorPages: 1000,
  minBaselineErrorRate: 0.002,
  shiftMultiples: Object.freeze([2, 4, 8, 16]),
  changeWindowDays: 14,
  evidenceScale: 4.64,
  maxEvidenceScales: 3,
  burstBaselineMultiple: 3,
  burstRecentMultiple: 3,
  burstSlack: 1,
  burstShare: 0.01,
  burstPriorReadings: 40,
  burstWindowDays: 60,
  burstMaxErrors: 40,
  burstMinErrors: 4,
  burstTailProbability: 0.001,
  atRiskEnter: 0.6,
  atRiskLeave: 0.4,
  watchRisk: 0.3,
  failingErrorRate: 0.2,
  failingMinErrors: 3,
  failingReadings: 3,
  failingReadingsAtRisk: 2,
  failingWithinHours: 24,
  recoveredErrorRate: 0.1,
  recoveredMinPages: 10,
  recoveredReadings: 2,
  silenceAfterHours: 48,
  inkLowPercent: 10,
  inkLowDays: 7,
  inkClearPercent: 15,
  inkClearDays: 10,
  inkWindowDays: 7,
  inkMinSpanDays: 1,
  inkRefillJump: 5,
  jamWatchPer100Pages: 5,
  futureToleranceMinutes: 5,
});

/** How many reading ids a state remembers to drop redeliveries. Older ones are late anyway. */
export const RECENT_READING_IDS = 32;

/**
 * What a device's health remembers between batches: a flat record of numbers, strings and two
 * bounded arrays, so it can be stored as properties of the Device node as it is. Its size does
 * not depend on how many readings were folded in. Version 1 (a single CUSUM) is migrated when
 * read: its baseline, averages and streaks carry over, its evidence seeds the new one.
 */
export interface DeviceHealthState {
  version: 2;
  /** The device's serial; null until its first reading. */
  serial: string | null;
  /** Readings folded in so far. */
  readings: number;
  /** Time of the newest reading folded in (normalised ISO-8601, UTC). */
  lastReadingAt: string | null;
  /** Ids of the last readings folded in, oldest first, at most `RECENT_READING_IDS`. */
  recentReadingIds: string[];
  /** Time-decayed pages, errors as reported, and errors with bursts counted only up to the
   * burst bound, over the short window. */
  shortPages: number;
  shortErrors: number;
  shortCountedErrors: number;
  /** Time-decayed paper jams over the short window. */
  shortJams: number;
  /** Time-decayed errors (capped per reading) and pages behind the baseline error rate. */
  baselineErrors: number;
  baselinePages: number;
  /** The Shiryaev-Roberts statistic for each of `shiftMultiples`, in order: a likelihood
   * ratio, 0 before the first reading. */
  shiftStatistics: number[];
  /** The evidence that the error rate has risen above the baseline: the logarithm of the
   * mean of `shiftStatistics`, in nats, floored at `MIN_EVIDENCE`. */
  evidence: number;
  /** Time of the reading at which the evidence last rose above 0: the change point. */
  evidenceSince: string | null;
  /** Time-decayed count of readings, and of isolated bursts among them, over
   * `burstWindowDays`; and whether the last reading was burst-like (judged by the next). */
  burstWeight: number;
  burstReadings: number;
  burstPending: boolean;
  /** Consecutive hard-failure readings, the time of the last one, and consecutive calm
   * readings. */
  hardStreak: number;
  lastHardAt: string | null;
  calmStreak: number;
  /** The failure condition with hysteresis applied, reading by reading. */
  condition: 'OK' | 'AT_RISK' | 'FAILING';
  /** Last reported ink level, and the time-decayed least-squares sums of the depletion fit
   * since the last refill, with time in days relative to `lastReadingAt`. */
  inkLevel: number | null;
  inkW: number;
  inkT: number;
  inkY: number;
  inkTT: number;
  inkTY: number;
  inkLow: boolean;
  /** Whether INK_LOW was signalled for the current low-ink episode. */
  inkLowSignalled: boolean;
  /** The level last reported, against which the next change is judged. */
  level: HealthLevel;
}

/** What is wrong with a reading, naming the field. */
export interface ReadingProblem {
  field: keyof TelemetryReading;
  message: string;
}

/** Readings of a batch that were not folded in, by why. */
export interface IgnoredReadings {
  /** Failed `validateReading`. */
  invalid: number;
  /** Same id as a reading already folded in or earlier in the batch. */
  duplicate: number;
  /** Older than the newest reading already folded in; see `evaluate`. */
  late: number;
  /** For another device than the state's. */
  foreign: number;
}

export interface HealthEvaluation {
  state: DeviceHealthState;
  assessment: HealthAssessment;
  /** The change to signal to the lifecycle workflow, if any. */
  change: HealthChange | null;
  ignored: IgnoredReadings;
}

const DAY_MS = 86_400_000;
/** The evidence of a device with no sign of a change is at least this (a statistic of 0 has
 * no logarithm, and a state must survive JSON). */
export const MIN_EVIDENCE = -20;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The state of a device before its first reading. */
export function initialHealthState(): DeviceHealthState {
  return {
    version: 2,
    serial: null,
    readings: 0,
    lastReadingAt: null,
    recentReadingIds: [],
    shortPages: 0,
    shortErrors: 0,
    shortCountedErrors: 0,
    shortJams: 0,
    baselineErrors: 0,
    baselinePages: 0,
    shiftStatistics: HEALTH_THRESHOLDS.shiftMultiples.map(() => 0),
    evidence: MIN_EVIDENCE,
    evidenceSince: null,
    burstWeight: 0,
    burstReadings: 0,
    burstPending: false,
    hardStreak: 0,
    lastHardAt: null,
    calmStreak: 0,
    condition: 'OK',
    inkLevel: null,
    inkW: 0,
    inkT: 0,
    inkY: 0,
    inkTT: 0,
    inkTY: 0,
    inkLow: false,
    inkLowSignalled: false,
    level: 'OK',
  };
}

function parseTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = ISO_DATE_TIME.exec(value);
  if (match === null) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  // Date.parse rolls 30 February over into March; a device that sends it has a broken clock.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function parseNow(now: string): number {
  const ms = parseTime(now);
  if (ms === null) throw new RangeError(`now must be an ISO-8601 date-time, got ${now}`);
  return ms;
}

const isCount = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/**
 * Checks one reading against `now`; returns the first problem found, or null. Readings come
 * from devices over the network, so every field is checked at run time, types included.
 * Throws a RangeError when `now` itself is not an ISO-8601 date-time: that is a caller's bug.
 */
export function validateReading(
  reading: TelemetryReading,
  now: string,
  options: Partial<HealthThresholds> = {},
): ReadingProblem | null {
  return readingValidator(now, options)(reading);
}

/**
 * `validateReading` for many readings against one `now`: the instant and the tolerance are
 * read once, not once per reading.
 */
export function readingValidator(
  now: string,
  options: Partial<HealthThresholds> = {},
): (reading: TelemetryReading) => ReadingProblem | null {
  const latest = latestReadingMs(now, options);
  return (reading) => {
    const checked = checkReading(reading, latest);
    return typeof checked === 'number' ? null : checked;
  };
}

/** The latest instant a reading may carry, in ms: `now` plus the clock tolerance. */
function latestReadingMs(now: string, options: Partial<HealthThresholds>): number {
  const minutes = options.futureToleranceMinutes ?? HEALTH_THRESHOLDS.futureToleranceMinutes;
  return parseNow(now) + minutes * 60_000;
}

/** The reading's instant in ms when it is valid, else its first problem. */
function checkReading(reading: TelemetryReading, latestMs: number): number | ReadingProblem {
  if (typeof reading !== 'object' || reading === null) {
    return { field: 'readingId', message: 'the reading must be an object' };
  }
  if (typeof reading.readingId !== 'string' || reading.readingId.trim() === '') {
    return { field: 'readingId', message: 'must be a non-empty string' };
  }
  if (typeof reading.serial !== 'string' || reading.serial.trim() === '') {
    return { field: 'serial', message: 'must be a non-empty string' };
  }
  const at = parseTime(reading.at);
  if (at === null) {
    return { field: 'at', message: 'must be an ISO-8601 date-time with a time zone' };
  }
  if (at > latestMs) {
    return { field: 'at', message: 'must not be in the future' };
  }
  for (const field of ['pagesPrinted', 'errors', 'paperJams'] as const) {
    if (!isCount(reading[field])) return { field, message: 'must be a non-negative integer' };
  }
  const ink = reading.inkLevel;
  if (typeof ink !== 'number' || !Number.isFinite(ink) || ink < 0 || ink > 100) {
    return { field: 'inkLevel', message: 'must be a number from 0 to 100' };
  }
  return at;
}

/** Orders readings by time, then by id and content, so any input order gives one order. */
function compareReadings(
  a: { reading: TelemetryReading; at: number },
  b: { reading: TelemetryReading; at: number },
): number {
  if (a.at !== b.at) return a.at - b.at;
  const x = a.reading;
  const y = b.reading;
  if (x.readingId !== y.readingId) return x.readingId < y.readingId ? -1 : 1;
  return (
    x.pagesPrinted - y.pagesPrinted ||
    x.errors - y.errors ||
    x.paperJams - y.paperJams ||
    x.inkLevel - y.inkLevel ||
    (x.serial === y.serial ? 0 : x.serial < y.serial ? -1 : 1)
  );
}

/** The baseline error rate: the device's own history, shrunk towards the prior while short. */
function baselineRate(s: DeviceHealthState, t: HealthThresholds): number {
  const rate =
    (s.baselineErrors + t.priorErrorRate * t.priorPages) / (s.baselinePages + t.priorPages);
  return Math.max(rate, t.minBaselineErrorRate);
}

const riskOf = (evidence: number, t: HealthThresholds) =>
  1 - Math.exp(-Math.max(0, evidence) / t.evidenceScale);

/** ln(n!), exact for small n and by Stirling's series beyond (errors are unbounded counts). */
function logFactorial(n: number): number {
  if (n < 2) return 0;
  if (n <= 30) {
    let sum = 0;
    for (let i = 2; i <= n; i += 1) sum += Math.log(i);
    return sum;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/** ln P(X = k) for X ~ Poisson(mean). */
function logPoisson(k: number, mean: number, lnKFactorial: number): number {
  if (mean <= 0) return k === 0 ? 0 : -Infinity;
  return -mean + k * Math.log(mean) - lnKFactorial;
}

/** P(X ≥ k) for X ~ Poisson(mean), for small k (the sum stops when it can no longer matter). */
function poissonTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (k > mean + 12 * Math.sqrt(mean) + 30) return 0;
  let term = Math.exp(-mean);
  let below = 0;
  for (let i = 0; i < k; i += 1) {
    below += term;
    term *= mean / (i + 1);
  }
  return Math.max(0, 1 - below);
}

/** ln(e^a + e^b), for a or b possibly −∞. */
function logAddExp(a: number, b: number): number {
  const high = Math.max(a, b);
  if (high === -Infinity) return -Infinity;
  return high + Math.log(Math.exp(a - high) + Math.exp(b - high));
}

/** The share of this device's readings that are bursts, its own history shrunk to the prior
 * (and at most a half: a burst is told by the normal reading after it). */
function burstShareOf(s: DeviceHealthState, t: HealthThresholds): number {
  const share =
    (s.burstReadings + t.burstShare * t.burstPriorReadings) /
    (s.burstWeight + t.burstPriorReadings);
  return Math.min(Math.max(share, 1e-9), 0.5);
}

/** The evidence from the statistics: the logarithm of their mean, floored. */
function evidenceOf(statistics: readonly number[]): number {
  if (statistics.length === 0) return MIN_EVIDENCE;
  const mean = statistics.reduce((sum, r) => sum + r, 0) / statistics.length;
  return mean > 0 ? Math.max(MIN_EVIDENCE, Math.log(mean)) : MIN_EVIDENCE;
}

/** The depletion fit: level at the last reading and depletion in points per day, if any. */
function inkFit(
  s: DeviceHealthState,
  t: HealthThresholds,
): { level: number; perDay: number } | null {
  if (s.inkW <= 0) return null;
  const meanT = s.inkT / s.inkW;
  const varT = s.inkTT / s.inkW - meanT * meanT;
  // The spread of a uniform sample over a span D is D/√12.
  if (varT < (t.inkMinSpanDays * t.inkMinSpanDays) / 12) return null;
  const slope = (s.inkW * s.inkTY - s.inkT * s.inkY) / (s.inkW * s.inkTT - s.inkT * s.inkT);
  const level = (s.inkY - slope * s.inkT) / s.inkW;
  return { level, perDay: -slope };
}

/** Days from the last reading until the ink runs out, or null when it is not being used. */
function inkDaysFromLast(s: DeviceHealthState, t: HealthThresholds): number | null {
  const fit = inkFit(s, t);
  // Less than 0.05 points a day is an idle printer or rounding, not a trend.
  if (fit === null || fit.perDay < 0.05) return null;
  return Math.max(0, fit.level) / fit.perDay;
}

/** Pages of baseline blended into the recent rate, so a quiet short window reads as normal. */
const RECENT_PRIOR_PAGES = 20;

/**
 * Folds one valid, new reading into the state (mutating the copy `evaluate` made); `lastMs` is
 * the instant of the reading folded before it. `evaluate` sets the last reading's time and the
 * recent ids once the batch is folded, so they are not formatted and copied per reading.
 */
function fold(
  s: DeviceHealthState,
  r: TelemetryReading,
  at: number,
  lastMs: number,
  t: HealthThresholds,
): void {
  const dtDays = (at - lastMs) / DAY_MS;
  const { pagesPrinted: pages, errors, paperJams } = r;
  const short = Math.exp(-dtDays / t.shortWindowDays);
  const baseline = baselineRate(s, t);

  // Bursts: judged against the baseline and the recent rate before this reading.
  const recent =
    (s.shortCountedErrors * short + baseline * RECENT_PRIOR_PAGES) /
    (s.shortPages * short + RECENT_PRIOR_PAGES);
  const bound =
    Math.ceil(
      pages * Math.max(baseline * t.burstBaselineMultiple, recent * t.burstRecentMultiple),
    ) + t.burstSlack;
  const counted = Math.min(errors, bound);

  s.shortErrors = s.shortErrors * short + errors;
  s.shortCountedErrors = s.shortCountedErrors * short + counted;
  s.shortPages = s.shortPages * short + pages;
  s.shortJams = s.shortJams * short + paperJams;

  // Evidence. Each reading's likelihood is a mixture: Poisson at the rate, or (with the
  // device's burst share) a burst with any number of errors up to burstMaxErrors. For each
  // multiple k, the Shiryaev-Roberts recursion R ← (w + δ·R) × LR(k) sums the likelihood
  // ratios since every possible change point: w is the prior weight of a change starting in
  // the time since the last reading, δ how much less an older start weighs.
  const share = burstShareOf(s, t);
  const lnFactorial = logFactorial(errors);
  const burstLog = errors === 0 ? -Infinity : Math.log(share / t.burstMaxErrors);
  const keepLog = Math.log(1 - share);
  const expected = pages * baseline;
  const normalLog = logAddExp(keepLog + logPoisson(errors, expected, lnFactorial), burstLog);
  const w = Math.max(dtDays, 1 / 24) / t.changeWindowDays;
  const delta = Math.exp(-dtDays / t.changeWindowDays);
  const maxStatistic = Math.exp(t.maxEvidenceScales * t.evidenceScale);
  s.shiftStatistics = t.shiftMultiples.map((k, i) => {
    const raisedLog = logAddExp(keepLog + logPoisson(errors, expected * k, lnFactorial), burstLog);
    const previous = s.shiftStatistics[i] ?? 0;
    const next = (w + delta * previous) * Math.exp(raisedLog - normalLog);
    return Number.isNaN(next) ? previous : Math.min(next, maxStatistic);
  });
  const before = s.evidence;
  s.evidence = evidenceOf(s.shiftStatistics);
  // The change point the horizon extrapolates from: where the evidence last rose above 0.
  if ((before <= 0 && s.evidence > 0) || s.evidenceSince === null) {
    s.evidenceSince = new Date(at).toISOString();
  }

  // Burstiness: a burst-like reading followed by a normal one was an isolated burst. Judged
  // only while OK, so a failing printer's errors do not teach it that errors are bursts.
  const decay = Math.exp(-dtDays / t.burstWindowDays);
  s.burstWeight = s.burstWeight * decay + 1;
  s.burstReadings *= decay;
  if (s.burstPending && errors <= Math.max(1, 3 * expected)) s.burstReadings += 1;
  s.burstPending =
    s.condition === 'OK' &&
    errors >= t.burstMinErrors &&
    poissonTail(errors, 2 * expected) < t.burstTailProbability;

  // The baseline learns while the device is OK and is frozen (not decayed) otherwise, so a
  // degradation does not become the new normal. Gating it earlier, on the risk, biases it
  // low (it would learn only from quiet stretches); in the simulation that made ordinary
  // clusters of errors look alarming and multiplied the false alarms.
  if (s.condition === 'OK') {
    const long = Math.exp(-dtDays / t.baselineWindowDays);
    s.baselineErrors = s.baselineErrors * long + counted;
    s.baselinePages = s.baselinePages * long + pages;
  }

  // Hard failure: consecutive readings with errors on a large share of pages. Readings that
  // are neither hard nor calm (a night with a few pages) leave both streaks alone, but hard
  // readings further apart than `failingWithinHours` do not make a streak: on a printer that
  // prints little, bursts days apart would otherwise add up to a failure.
  const hard = errors >= t.failingMinErrors && errors >= pages * t.failingErrorRate;
  const calm = pages >= t.recoveredMinPages && errors < pages * t.recoveredErrorRate;
  if (hard) {
    const gapHours =
      s.lastHardAt === null ? Infinity : (at - Date.parse(s.lastHardAt)) / (DAY_MS / 24);
    s.hardStreak = gapHours <= t.failingWithinHours ? s.hardStreak + 1 : 1;
    s.lastHardAt = new Date(at).toISOString();
    s.calmStreak = 0;
  } else if (calm) {
    s.calmStreak += 1;
    s.hardStreak = 0;
  }

  const failingAfter = s.condition === 'AT_RISK' ? t.failingReadingsAtRisk : t.failingReadings;
  if (s.condition !== 'FAILING' && s.hardStreak >= failingAfter) {
    s.condition = 'FAILING';
  } else if (s.condition === 'FAILING' && s.calmStreak >= t.recoveredReadings) {
    // A failure that clears was a repair: the evidence gathered against the old parts says
    // nothing about the new ones.
    s.condition = 'OK';
    s.shiftStatistics = t.shiftMultiples.map(() => 0);
    s.evidence = MIN_EVIDENCE;
    s.evidenceSince = new Date(at).toISOString();
  }
  if (s.condition !== 'FAILING') {
    const risk = riskOf(s.evidence, t);
    if (s.condition === 'AT_RISK' && risk < t.atRiskLeave) s.condition = 'OK';
    else if (s.condition === 'OK' && risk >= t.atRiskEnter) s.condition = 'AT_RISK';
  }

  foldInk(s, r.inkLevel, dtDays, t);

  s.readings += 1;
  if (s.serial === null) s.serial = r.serial;
}

function foldInk(s: DeviceHealthState, level: number, dtDays: number, t: HealthThresholds): void {
  if (s.inkLevel === null || level - s.inkLevel >= t.inkRefillJump) {
    s.inkW = s.inkT = s.inkY = s.inkTT = s.inkTY = 0;
  } else {
    // Move the time origin to this reading (keeps the sums small and well conditioned), then
    // let older samples fade.
    const d = dtDays;
    s.inkTT = s.inkTT - 2 * d * s.inkT + d * d * s.inkW;
    s.inkTY = s.inkTY - d * s.inkY;
    s.inkT = s.inkT - d * s.inkW;
    const w = Math.exp(-d / t.inkWindowDays);
    s.inkW *= w;
    s.inkT *= w;
    s.inkY *= w;
    s.inkTT *= w;
    s.inkTY *= w;
  }
  s.inkW += 1;
  s.inkY += level;
  s.inkLevel = level;

  const days = inkDaysFromLast(s, t);
  if (!s.inkLow && (level < t.inkLowPercent || (days !== null && days <= t.inkLowDays))) {
    s.inkLow = true;
  } else if (s.inkLow && level >= t.inkClearPercent && (days === null || days > t.inkClearDays)) {
    s.inkLow = false;
    s.inkLowSignalled = false;
  }
}

/** Days until the error rate reaches the hard-failure rate, if it keeps growing as it has. */
function failureHorizon(s: DeviceHealthState, t: HealthThresholds): number | null {
  if (s.lastReadingAt === null || s.evidenceSince === null || s.shortPages <= 0) return null;
  const current = s.shortCountedErrors / s.shortPages;
  if (current >= t.failingErrorRate) return 0;
  const baseline = baselineRate(s, t);
  if (current <= baseline) return null;
  // Exponential growth from the baseline at the change point to the current rate; at least
  // half a day, so a sudden jump does not extrapolate to an instant failure.
  const elapsed = Math.max(
    0.5,
    (Date.parse(s.lastReadingAt) - Date.parse(s.evidenceSince)) / DAY_MS,
  );
  const growthPerDay = Math.log(current / baseline) / elapsed;
  return Math.min(90, Math.log(t.failingErrorRate / current) / growthPerDay);
}

const MIN_JAMS_FOR_WATCH = 3;
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const round1 = (value: number) => Math.round(value * 10) / 10;

/** Reads the state at `now`: the level, risk, horizons and the reasons for them. */
function assess(s: DeviceHealthState, nowMs: number, t: HealthThresholds): HealthAssessment {
  const reasons: string[] = [];
  const sinceLastDays =
    s.lastReadingAt === null ? 0 : (nowMs - Date.parse(s.lastReadingAt)) / DAY_MS;
  const silentHours = sinceLastDays * 24;
  const silent = s.lastReadingAt !== null && silentHours > t.silenceAfterHours;
  const risk = s.condition === 'FAILING' ? 1 : riskOf(s.evidence, t);
  const rate = (errors: number) => (s.shortPages > 0 ? errors / s.shortPages : 0);

  if (silent) {
    reasons.push(
      `silent: no reading for ${Math.floor(silentHours)} hours (expected within ${t.silenceAfterHours})`,
    );
  }
  if (s.condition === 'FAILING') {
    reasons.push(`failing: errors on ${percent(rate(s.shortErrors))} of pages over the last day`);
  } else if (risk >= t.watchRisk) {
    reasons.push(
      `error rate rising: ${percent(rate(s.shortCountedErrors))} of pages over the last day against ${percent(baselineRate(s, t))} before`,
    );
  }

  let failureHorizonDays: number | null = null;
  if (s.condition === 'FAILING') failureHorizonDays = 0;
  else if (s.condition === 'AT_RISK') {
    const fromLast = failureHorizon(s, t);
    if (fromLast !== null) {
      failureHorizonDays = round1(Math.max(0, fromLast - sinceLastDays));
      reasons.push(`failure expected in about ${failureHorizonDays} days`);
    }
  }

  const inkFromLast = inkDaysFromLast(s, t);
  const inkEmptyInDays =
    inkFromLast === null ? null : round1(Math.max(0, inkFromLast - sinceLastDays));
  if (s.inkLow && s.inkLevel !== null) {
    reasons.push(
      inkEmptyInDays === null
        ? `ink low: ${round1(s.inkLevel)}% left`
        : `ink low: ${round1(s.inkLevel)}% left, empty in about ${inkEmptyInDays} days`,
    );
  }

  const jamsPer100 = s.shortPages > 0 ? (100 * s.shortJams) / s.shortPages : 0;
  const jammed = s.shortJams >= MIN_JAMS_FOR_WATCH && jamsPer100 >= t.jamWatchPer100Pages;
  if (jammed) {
    reasons.push(`paper jams: ${jamsPer100.toFixed(1)} per 100 pages over the last day`);
  }

  let level: HealthLevel;
  if (silent) level = 'SILENT';
  else if (s.condition !== 'OK') level = s.condition;
  else if (risk >= t.watchRisk || s.inkLow || jammed) level = 'WATCH';
  else level = 'OK';

  return { level, failureRisk: round3(risk), reasons, failureHorizonDays, inkEmptyInDays };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** The one change worth signalling when the level goes from `previous` to `next`. */
function changeOf(previous: HealthLevel, next: HealthLevel): HealthChange | null {
  if (next === previous) return null;
  if (next === 'FAILING') return 'FAILED';
  // After SILENT, readings re-announce a device that is still at risk.
  if (next === 'AT_RISK' && previous !== 'FAILING') return 'PREDICTED_FAILURE';
  if (next === 'SILENT') return 'SILENT';
  if (
    (next === 'OK' || next === 'WATCH') &&
    (previous === 'AT_RISK' || previous === 'FAILING' || previous === 'SILENT')
  ) {
    return 'RECOVERED';
  }
  // FAILING to AT_RISK is a partial recovery: the open intervention stays open.
  return null;
}

/**
 * The state to fold into: spread over the initial state, because Neo4j drops properties set
 * to null and a state read back from the Device node lacks its null fields; and migrated
 * from version 1, whose one CUSUM evidence (in nats, 0 when calm) seeds every statistic, so
 * a device at risk stays at risk. Statistics kept for other multiples than `t`'s are seeded
 * the same way from the evidence.
 */
function readState(state: DeviceHealthState | null, t: HealthThresholds): DeviceHealthState {
  const merged = { ...initialHealthState(), ...state } as Omit<DeviceHealthState, 'version'> & {
    version: number;
  };
  const cap = t.maxEvidenceScales * t.evidenceScale;
  const seeded = (evidence: number) =>
    t.shiftMultiples.map(() => (evidence > MIN_EVIDENCE ? Math.exp(Math.min(evidence, cap)) : 0));
  if (merged.version !== 2) {
    const old = typeof merged.evidence === 'number' && merged.evidence > 0 ? merged.evidence : 0;
    merged.shiftStatistics = old > 0 ? seeded(old) : t.shiftMultiples.map(() => 0);
    merged.evidence = evidenceOf(merged.shiftStatistics);
  } else if (merged.shiftStatistics.length !== t.shiftMultiples.length) {
    merged.shiftStatistics = seeded(merged.evidence);
  }
  return { ...merged, version: 2 };
}

/**
 * Folds a batch of readings into a device's health and says what changed.
 *
 * - Invalid readings (see `validateReading`) and readings of another device are skipped.
 * - The batch is put in time order first, so the order it arrived in does not matter, and
 *   readings with an id already seen are dropped.
 * - Readings older than the newest one already folded in are dropped as late: the averages
 *   are a fold in time order, and re-folding would need the history this state deliberately
 *   does not keep. A reading at exactly that time is still accepted.
 * - The level is tracked reading by reading with hysteresis, so a batch folded whole or in
 *   several parts ends in the same state.
 * - At most one change is returned: the level change, else INK_LOW. An INK_LOW that
 *   coincides with a level change is not lost; it is returned by the next evaluation.
 *
 * `now` is when the batch is evaluated: it decides silence, the horizons quoted and which
 * readings are in the future. A state read back without its null fields (Neo4j drops them)
 * is accepted as it is.
 */
export function evaluate(
  state: DeviceHealthState | null,
  readings: readonly TelemetryReading[],
  now: string,
  options: Partial<HealthThresholds> = {},
): HealthEvaluation {
  const t: HealthThresholds = { ...HEALTH_THRESHOLDS, ...options };
  const nowMs = parseNow(now);
  const previous = readState(state, t);
  const s: DeviceHealthState = {
    ...previous,
    shiftStatistics: [...previous.shiftStatistics],
    recentReadingIds: [...previous.recentReadingIds],
  };
  const ignored: IgnoredReadings = { invalid: 0, duplicate: 0, late: 0, foreign: 0 };

  const valid: { reading: TelemetryReading; at: number }[] = [];
  const latest = latestReadingMs(now, t);
  for (const reading of readings) {
    const at = checkReading(reading, latest);
    if (typeof at === 'number') valid.push({ reading, at });
    else ignored.invalid += 1;
  }
  valid.sort(compareReadings);

  const serial = s.serial ?? valid[0]?.reading.serial ?? null;
  const seen = new Set(s.recentReadingIds);
  const lastMs = s.lastReadingAt === null ? -Infinity : Date.parse(s.lastReadingAt);
  // The instant of the reading folded last, this evaluation's or the state's (none at first).
  let foldedMs: number | null = s.lastReadingAt === null ? null : lastMs;
  const foldedIds: string[] = [];
  for (const { reading, at } of valid) {
    if (reading.serial !== serial) ignored.foreign += 1;
    else if (seen.has(reading.readingId)) ignored.duplicate += 1;
    else if (at < lastMs) ignored.late += 1;
    else {
      seen.add(reading.readingId);
      fold(s, reading, at, foldedMs ?? at, t);
      foldedMs = at;
      foldedIds.push(reading.readingId);
    }
  }
  if (foldedIds.length > 0) {
    s.lastReadingAt = new Date(foldedMs ?? lastMs).toISOString();
    s.recentReadingIds = [...s.recentReadingIds, ...foldedIds].slice(-RECENT_READING_IDS);
  }

  const assessment = assess(s, nowMs, t);
  let change = changeOf(previous.level, assessment.level);
  if (change === null && s.inkLow && !s.inkLowSignalled) {
    change = 'INK_LOW';
    s.inkLowSignalled = true;
  }
  s.level = assessment.level;
  return { state: s, assessment, change, ignored };
}

/**
 * Re-assesses a device that sent nothing, for the timer that checks for silence: returns the
 * SILENT change once no reading arrived for `silenceAfterHours`, and the state to keep so it
 * is not signalled again. A device that never reported is not silent.
 */
export function assessSilence(
  state: DeviceHealthState,
  now: string,
  silenceAfterHours: number = HEALTH_THRESHOLDS.silenceAfterHours,
  options: Partial<HealthThresholds> = {},
): HealthEvaluation {
  return evaluate(state, [], now, { ...options, silenceAfterHours });
}
