import type { FunnelGroup } from './attribution-repository';

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

/** Whether a person is counted at a stage; the stages are those of the decision journey. */
const AT_STAGE: Record<FunnelStage, (p: FunnelGroup) => boolean> = {
  // Everyone read touched the campaign: saw an ad, or clicked one (which implies seeing it).
  SAW: () => true,
  CLICKED: (p) => p.clicked,
  ENGAGED: (p) => p.clicked || p.visitedStore,
  PURCHASED: (p) => p.purchased,
};

const ratio = (n: number, d: number | undefined) => (d === undefined || d === 0 ? null : n / d);

const peopleIn = (groups: readonly FunnelGroup[]) => groups.reduce((n, g) => n + g.people, 0);

/**
 * A campaign's funnel from the people who touched it, in groups that answer the funnel's
 * questions alike. Each stage counts the people it describes (see {@link AT_STAGE}), as the
 * journey defines them: engaged includes everyone who clicked, so CLICKED → ENGAGED never
 * falls, and a person may buy after only seeing an ad.
 */
export function buildFunnel(groups: readonly FunnelGroup[]): Funnel {
  const counts = FUNNEL_STAGES.map((stage) => peopleIn(groups.filter(AT_STAGE[stage])));
  const orders = new Map<string, number>();
  for (const g of groups) for (const o of g.orders) orders.set(o.id, o.amount);
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
