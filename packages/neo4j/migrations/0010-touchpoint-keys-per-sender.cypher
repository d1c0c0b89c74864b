// Event ids are unique per sender, not across senders: two partners may both send `evt-1`. A
// touchpoint recorded by the intake is keyed `<principal key>:<event id>` (see the intake's
// `scopedEventId`), unique; its `eventId` stays the id as sent, indexed for lookups only.
DROP CONSTRAINT touchpoint_event_id IF EXISTS;
CREATE INDEX touchpoint_event_id_lookup IF NOT EXISTS FOR (t:Touchpoint) ON (t.eventId);
// Every event recorded so far came through the local service key. Only intake touchpoints (they
// carry a payload hash) get a key; outreach, coupons and erased touchpoints stay without one.
MATCH (t:Touchpoint) WHERE t.key IS NULL AND t.payloadHash IS NOT NULL
  AND NOT t.eventId STARTS WITH 'erased:'
SET t.key = 'service:local:' + t.eventId;
// A vote remembers the key of the event that cast it, to tell its resend from a second vote.
MATCH (:Customer)-[v:VOTED]->(:Touchpoint) WHERE v.key IS NULL AND v.eventId IS NOT NULL
SET v.key = 'service:local:' + v.eventId;
CREATE CONSTRAINT touchpoint_key IF NOT EXISTS FOR (t:Touchpoint) REQUIRE t.key IS UNIQUE;
