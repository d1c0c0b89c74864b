/**
 * The salted keys of erasure, shared by the erasure workflow's activities, the event intake
 * (which refuses events naming an erased person) and the customers subgraph.
 */
export { anonymousEventId, erasedKeyHash, erasureIdOf } from './erasure-keys';
