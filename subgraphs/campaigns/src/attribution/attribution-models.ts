/**
 * Multi-touch attribution: how one purchase's credit is shared among the touches before it.
 * Pure functions, no I/O: the repository reads the touches, these decide the shares.
 */

export const ATTRIBUTION_MODELS = ['FIRST_TOUCH', 'LAST_TOUCH', 'LINEAR', 'TIME_DECAY'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/** A touch that may get credit: a campaign touchpoint, or the referral that brought the buyer. */
export interface Touch {
  /** A stable id (the touchpoint's or the referral's event id), to break ties in time. */
  id: string;
  /** When it happened, in epoch milliseconds. */
  at: number;
  campaignId: string | null;
  referrerId: string | null;
}

/** One touch's share of a purchase. */
export interface Credit<T extends Touch = Touch> {
  touch: T;
  /** 0 to 1; the shares of one purchase sum to 1. */
  share: number;
}

export interface AttributionOptions {
  /** TIME_DECAY: a touch this many days before the purchase weighs half as much as one at it. */
  halfLifeDays: number;
  /** Touches more than this many days before the purchase get nothing. */
  lookbackDays: number;
}

const DAY_MS = 86_400_000;

/**
 * The touches that may get credit for a purchase at `placedAt`: at or before it; campaign
 * touches no more than the lookback window before it, while the referral that brought the buyer
 * counts however long ago it was. Oldest first (ties by id, so the order is stable).
 */
export function eligibleTouches<T extends Touch>(
  touches: readonly T[],
  placedAt: number,
  lookbackDays: number,
): T[] {
  const from = placedAt - lookbackDays * DAY_MS;
  // A referral is the touch without a campaign; its referrer may have been erased since.
  return touches
    .filter((t) => t.at <= placedAt && (t.at >= from || t.campaignId === null))
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Shares a purchase's credit among its touches under one model. With no eligible touch the
 * purchase is unattributed: the result is empty, and no campaign or referrer gets anything.
 *
 * - FIRST_TOUCH: everything to the oldest touch; LAST_TOUCH: everything to the newest.
 * - LINEAR: equal shares.
 * - TIME_DECAY: weight 2^(−age / half-life), age in days before the purchase, normalised.
 */
export function attribute<T extends Touch>(
  model: AttributionModel,
  touches: readonly T[],
  placedAt: number,
  options: AttributionOptions,
): Array<Credit<T>> {
  const eligible = eligibleTouches(touches, placedAt, options.lookbackDays);
  const first = eligible[0];
  const last = eligible[eligible.length - 1];
  if (!first || !last) return [];
  switch (model) {
    case 'FIRST_TOUCH':
      return [{ touch: first, share: 1 }];
    case 'LAST_TOUCH':
      return [{ touch: last, share: 1 }];
    case 'LINEAR':
      return eligible.map((touch) => ({ touch, share: 1 / eligible.length }));
    case 'TIME_DECAY': {
      // Weights relative to the newest touch, so none underflows to 0 however old the window.
      const weights = eligible.map((t) =>
        Math.pow(2, -(last.at - t.at) / DAY_MS / options.halfLifeDays),
      );
      const total = weights.reduce((sum, w) => sum + w, 0);
      return eligible.map((touch, i) => ({ touch, share: (weights[i] ?? 0) / total }));
    }
  }
}
