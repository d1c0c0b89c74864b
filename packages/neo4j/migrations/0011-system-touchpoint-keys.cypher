// Touchpoints the lifecycles make themselves (coupons offered, outreach, intervention steps) are
// keyed `system:<reference>`, so that their MERGE is backed by the touchpoint key's uniqueness
// like the intake's: keys for those recorded before.
MATCH (t:Touchpoint) WHERE t.key IS NULL AND t.payloadHash IS NULL
  AND NOT t.eventId STARTS WITH 'erased:'
SET t.key = 'system:' + t.eventId;
