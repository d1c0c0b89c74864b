import type { FunnelPerson } from './attribution-repository';

export const FUNNEL_STAGES = ['SAW', 'CLICKED', 'ENGAGED', 'PURCHASED'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export interface FunnelStep {
  stage: FunnelStage;
  people: number;
  conversionFromPrevious: number | null;
  conversionFromFirst: number | null;
}

/** A campaign's funnel, with the campaign it belongs to. */
export interface CampaignFunnelRecord extends Funnel {
  campaignId: string;
}

export interface Funnel {
  stages: FunnelStep[];
  purchases: number;
  revenueInfluenced: number;
  /** The influenced orders, for attribution. */
  orderIds: string[];
}

/** The deepest stage a person reached, as an index into {@link FUNNEL_STAGES}. */
function deepestStage(p: FunnelPerson): number {
  if (p.orders.length > 0) return 3;
  if (p.visitedStore) return 2;
  if (p.clicked) return 1;
  return 0;
}

const ratio = (n: number, d: number | undefined) => (d === undefined || d === 0 ? null : n / d);

/**
 * A campaign's funnel from the people who touched it. Each stage counts the people who reached
 * it or a later one, so the funnel never widens and conversions stay within 0..1; a person who
 * clicked counts as engaged.
 */
export function buildFunnel(people: readonly FunnelPerson[]): Funnel {
  const deepest = people.map(deepestStage);
  const counts = FUNNEL_STAGES.map((_, i) => deepest.filter((d) => d >= i).length);
  const orders = new Map<string, number>();
  for (const p of people) for (const o of p.orders) orders.set(o.id, o.amount);
  return {
    stages: FUNNEL_STAGES.map((stage, i) => ({
      stage,
      people: counts[i] ?? 0,
      conversionFromPrevious: i === 0 ? null : ratio(counts[i] ?? 0, counts[i - 1]),
      conversionFromFirst: ratio(counts[i] ?? 0, counts[0]),
    })),
    purchases: orders.size,
    revenueInfluenced: [...orders.values()].reduce((s, a) => s + a, 0),
    orderIds: [...orders.keys()].sort(),
  };
}
