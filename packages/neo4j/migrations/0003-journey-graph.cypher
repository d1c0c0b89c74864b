// Stores, offers, coupons, orders and touchpoints: the rest of a customer's journey with a
// product. Each business key is unique; touchpoints are keyed by the event that made them, so
// recording an event twice is impossible.
CREATE CONSTRAINT store_id IF NOT EXISTS FOR (s:Store) REQUIRE s.id IS UNIQUE;
CREATE CONSTRAINT offer_id IF NOT EXISTS FOR (o:Offer) REQUIRE o.id IS UNIQUE;
CREATE CONSTRAINT coupon_code IF NOT EXISTS FOR (c:Coupon) REQUIRE c.code IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (o:Order) REQUIRE o.id IS UNIQUE;
CREATE CONSTRAINT touchpoint_event_id IF NOT EXISTS FOR (t:Touchpoint) REQUIRE t.eventId IS UNIQUE;
CREATE CONSTRAINT consent_key IF NOT EXISTS FOR (c:Consent) REQUIRE (c.customerId, c.purpose) IS UNIQUE;
CREATE INDEX touchpoint_occurred_at IF NOT EXISTS FOR (t:Touchpoint) ON (t.occurredAt);
CREATE INDEX touchpoint_delivery IF NOT EXISTS FOR (t:Touchpoint) ON (t.delivery);
CREATE POINT INDEX store_location IF NOT EXISTS FOR (s:Store) ON (s.location);
