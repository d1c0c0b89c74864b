// Erasure tombstones: one per erased person, keyed by the salted hash of their id, with one
// ErasedKey per hashed key (their id and each identifier) so the intake finds them by index.
// A customer being erased carries the erasure's id until the steps delete them.
CREATE CONSTRAINT erasure_id IF NOT EXISTS FOR (e:Erasure) REQUIRE e.id IS UNIQUE;
CREATE CONSTRAINT erased_key_hash IF NOT EXISTS FOR (k:ErasedKey) REQUIRE k.hash IS UNIQUE;
CREATE INDEX customer_erasure_id IF NOT EXISTS FOR (c:Customer) ON (c.erasureId);
