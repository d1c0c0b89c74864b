// Every business key is unique: MERGE on a key is only safe, and fast, with its constraint.
CREATE CONSTRAINT customer_id IF NOT EXISTS FOR (c:Customer) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT product_model_sku IF NOT EXISTS FOR (m:ProductModel) REQUIRE m.sku IS UNIQUE;
CREATE CONSTRAINT device_serial IF NOT EXISTS FOR (d:Device) REQUIRE d.serial IS UNIQUE;
CREATE CONSTRAINT campaign_id IF NOT EXISTS FOR (c:Campaign) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT lifecycle_event_id IF NOT EXISTS FOR (e:LifecycleEvent) REQUIRE e.eventId IS UNIQUE;
