/**
 * Reach: which objects a principal's rights extend to. The subgraphs and the intake load the
 * facts an object is judged on (a device's model and owner, an order's carrier and store) and
 * ask these predicates; an object out of reach is answered exactly like one that does not exist.
 */
import { hasRole, seesEverything, type Principal } from './principal';

/** Staff who may look at any customer or device: support and experts (and admins). */
const caresForEveryone = (p: Principal) =>
  seesEverything(p) || hasRole(p, 'support') || hasRole(p, 'expert');

/** A customer (by canonical id): the person themselves, or staff who care for customers. */
export function reachesCustomer(principal: Principal, customerId: string): boolean {
  if (principal.kind === 'person') return principal.customerId === customerId;
  return caresForEveryone(principal);
}

/** A device, by its model and current owner. */
export function reachesDevice(
  principal: Principal,
  device: { sku: string; ownerId: string | null },
): boolean {
  if (principal.kind === 'person') return device.ownerId === principal.customerId;
  if (principal.kind === 'partner') {
    return principal.role === 'deviceCloud' && principal.reach.skus.includes(device.sku);
  }
  return caresForEveryone(principal);
}

/** A campaign: its ad platform, marketers and support. */
export function reachesCampaign(principal: Principal, campaignId: string): boolean {
  if (principal.kind === 'partner') {
    return principal.role === 'adPlatform' && principal.reach.campaignIds.includes(campaignId);
  }
  if (principal.kind === 'person') return false;
  return (
    seesEverything(principal) || hasRole(principal, 'marketer') || hasRole(principal, 'support')
  );
}

/** A store: its retailer, and staff. */
export function reachesStore(principal: Principal, storeId: string): boolean {
  if (principal.kind === 'partner') {
    return principal.role === 'retailer' && principal.reach.storeIds.includes(storeId);
  }
  return principal.kind === 'employee' || principal.kind === 'service';
}

/** A product model: partners of that model (device cloud, community), and everyone else. */
export function reachesProductModel(principal: Principal, sku: string): boolean {
  if (principal.kind === 'partner') {
    return (
      (principal.role === 'deviceCloud' || principal.role === 'community') &&
      principal.reach.skus.includes(sku)
    );
  }
  return true;
}

/** An order, by its buyer, the store it was bought at and the carrier it was handed to. */
export function reachesOrder(
  principal: Principal,
  order: { buyerId: string | null; storeId: string | null; carrierId: string | null },
): boolean {
  if (principal.kind === 'person') return order.buyerId === principal.customerId;
  if (principal.kind === 'partner') {
    if (principal.role === 'carrier') return order.carrierId === principal.id;
    if (principal.role === 'retailer') {
      return order.storeId !== null && principal.reach.storeIds.includes(order.storeId);
    }
    return false;
  }
  return caresForEveryone(principal);
}

/**
 * An intervention: experts see those escalated to experts or assigned to them; the device's
 * owner and support see their device's.
 */
export function reachesIntervention(
  principal: Principal,
  intervention: { status: string; assigneeId: string | null; ownerId: string | null },
): boolean {
  if (seesEverything(principal) || hasRole(principal, 'support')) return true;
  if (principal.kind === 'person') return intervention.ownerId === principal.customerId;
  if (hasRole(principal, 'expert')) {
    return (
      intervention.assigneeId === principal.id ||
      (intervention.status === 'ESCALATED' && intervention.assigneeId === null)
    );
  }
  return false;
}
