// Identity: identifiers are keyed "<NAMESPACE>:<value>"; merges are records with ids; a merged
// (absorbed) person keeps its node under another label, still found by its id.
CREATE CONSTRAINT identifier_key IF NOT EXISTS FOR (i:Identifier) REQUIRE i.key IS UNIQUE;
CREATE CONSTRAINT merge_id IF NOT EXISTS FOR (m:Merge) REQUIRE m.id IS UNIQUE;
CREATE INDEX merged_customer_id IF NOT EXISTS FOR (c:MergedCustomer) ON (c.id);
CREATE INDEX merge_survivor IF NOT EXISTS FOR (m:Merge) ON (m.survivorId);
CREATE INDEX merge_absorbed IF NOT EXISTS FOR (m:Merge) ON (m.absorbedId);
