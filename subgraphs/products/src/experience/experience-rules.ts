import type { LifecycleStage } from '@experience-graph/workflows';

export type ActionId =
  | 'LEARN_MORE'
  | 'WHERE_IS_MY_DEVICE'
  | 'TRAINING'
  | 'CONNECT_WIFI'
  | 'CONFIGURE'
  | 'INSTALLATION_HELP'
  | 'ORDER_INK'
  | 'FIX_PAPER_JAM'
  | 'REPORT_PROBLEM'
  | 'TALK_TO_EXPERT';

export interface MenuAction {
  id: ActionId;
  label: string;
  detail: string | null;
}

/** What the menu depends on, read from the graph at the time of the request. */
export interface DeviceContext {
  stage: LifecycleStage | null;
  /** What customers call the product: "printer". */
  noun: string;
  order: {
    carrierStatus: string | null;
    promisedDeliveryAt: string;
    expectedDeliveryAt: string | null;
  } | null;
  installationHelpOffered: boolean;
  /** Ink left, 0 to 100, from the latest telemetry; null without telemetry. */
  inkLevel: number | null;
  /** When the device last reported a paper jam; null if never. */
  lastPaperJamAt: string | null;
  /** The time of the request. */
  now: string;
}

/** Ink at or below this level makes "Order ink" the first entry. */
export const LOW_INK = 20;
/** A jam reported within this window keeps "Fix a paper jam" on the menu. */
export const RECENT_JAM_MS = 48 * 3600_000;

const day = (iso: string) => iso.slice(0, 10);
const expert: MenuAction = { id: 'TALK_TO_EXPERT', label: 'Talk to an expert', detail: null };

/**
 * The menu of a device at its stage and in its state. Pure: the same context always gives the
 * same menu, and "Talk to an expert" is always there.
 */
export function deviceMenu(c: DeviceContext): MenuAction[] {
  const menu: MenuAction[] = [];
  switch (c.stage) {
    case 'PURCHASED':
    case 'DELIVERING': {
      const o = c.order;
      const detail = o
        ? [
            o.carrierStatus ?? 'Not shipped yet',
            `promised ${day(o.promisedDeliveryAt)}`,
            o.expectedDeliveryAt ? `expected ${day(o.expectedDeliveryAt)}` : null,
          ]
            .filter((part) => part !== null)
            .join('; ')
        : null;
      menu.push(
        { id: 'WHERE_IS_MY_DEVICE', label: `Where is my ${c.noun}?`, detail },
        { id: 'TRAINING', label: 'Training before it arrives', detail: null },
      );
      break;
    }
    case 'INSTALLING':
      if (c.installationHelpOffered) {
        menu.push({ id: 'INSTALLATION_HELP', label: 'Get help installing', detail: null });
      }
      menu.push(
        { id: 'CONNECT_WIFI', label: 'Connect to Wi-Fi', detail: null },
        { id: 'CONFIGURE', label: 'Configure', detail: null },
      );
      break;
    case 'SUPPORT':
      if (c.inkLevel !== null && c.inkLevel <= LOW_INK) {
        menu.push({
          id: 'ORDER_INK',
          label: 'Order ink',
          detail: `${Math.round(c.inkLevel)}% left`,
        });
      }
      if (
        c.lastPaperJamAt !== null &&
        Date.parse(c.now) - Date.parse(c.lastPaperJamAt) <= RECENT_JAM_MS
      ) {
        menu.push({ id: 'FIX_PAPER_JAM', label: 'Fix a paper jam', detail: null });
      }
      if (c.inkLevel === null || c.inkLevel > LOW_INK) {
        menu.push({
          id: 'ORDER_INK',
          label: 'Order ink',
          detail: c.inkLevel === null ? null : `${Math.round(c.inkLevel)}% left`,
        });
      }
      menu.push({ id: 'REPORT_PROBLEM', label: 'Report a problem', detail: null });
      break;
    default:
      break;
  }
  return [...menu, expert];
}

/** The menu before the sale: learn about the product, and an expert. */
export function journeyMenu(stage: LifecycleStage | null, productName: string): MenuAction[] {
  const learn: MenuAction = {
    id: 'LEARN_MORE',
    label: `Learn more about ${productName}`,
    detail: null,
  };
  return stage === 'OPTED_OUT' ? [expert] : [learn, expert];
}

/** A valid coupon of the person at a store whose geofence holds where they are. */
export interface OfferCandidate {
  couponCode: string;
  storeId: string;
  /** The product model the coupon is for. */
  sku: string;
  amount: number;
  currency: string;
  expiresAt: string;
  /** How far the person is from the store's centre. */
  meters: number;
}

export type RankedOffer = Omit<OfferCandidate, 'meters'>;

/** Better first: more off, then valid for longer, then the smaller code (a stable order). */
const better = (a: OfferCandidate, b: OfferCandidate) =>
  b.amount - a.amount ||
  Date.parse(b.expiresAt) - Date.parse(a.expiresAt) ||
  (a.couponCode < b.couponCode ? -1 : a.couponCode > b.couponCode ? 1 : 0);

/**
 * The offers to show where the person stands: of every store whose geofence holds them, at
 * most one (its best coupon), ranked by the amount off, then by the nearest store, then by
 * store id. Amounts of different currencies are compared as numbers: stores of one market share
 * a currency. Pure: the candidates are read from the graph at the moment of asking.
 */
export function rankOffers(candidates: readonly OfferCandidate[]): RankedOffer[] {
  const bestPerStore = new Map<string, OfferCandidate>();
  for (const c of candidates) {
    const held = bestPerStore.get(c.storeId);
    if (!held || better(c, held) < 0) bestPerStore.set(c.storeId, c);
  }
  return [...bestPerStore.values()]
    .sort(
      (a, b) =>
        b.amount - a.amount ||
        a.meters - b.meters ||
        (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0),
    )
    .map((c) => ({
      couponCode: c.couponCode,
      storeId: c.storeId,
      sku: c.sku,
      amount: c.amount,
      currency: c.currency,
      expiresAt: c.expiresAt,
    }));
}
