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
