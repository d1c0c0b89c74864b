// A store-proximity touchpoint carries the StoreProximity label beside Touchpoint (the intake
// writes it), so that the funnel tells a person's store visits from their other touchpoints by
// label, without reading each one's type: labels for those recorded before.
MATCH (t:Touchpoint {type: 'STORE_PROXIMITY'}) WHERE NOT t:StoreProximity
SET t:StoreProximity;
