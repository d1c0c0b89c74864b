import type { Principal } from '@experience-graph/access';
import { forbidden, type FieldGuard } from './subgraph';

/**
 * A person using the app sees only the id of any customer but themselves, wherever that customer
 * is reached (a referral, a referrer): every other field of theirs is personal. Staff and
 * services are not restricted here; the field rules already decide what they read.
 */
export const otherCustomersShowOnlyTheirId: FieldGuard<{ principal: Principal }> = (
  parent,
  { principal },
  field,
) => {
  if (principal.kind !== 'person' || field === 'id') return null;
  if (parent['id'] === principal.customerId) return null;
  return forbidden('A person may read only the id of another customer');
};
