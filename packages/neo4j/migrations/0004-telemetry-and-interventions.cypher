// Telemetry readings are kept once each (devices resend them); interventions are cases keyed
// by their workflow id.
CREATE CONSTRAINT telemetry_reading_id IF NOT EXISTS FOR (r:TelemetryReading) REQUIRE r.readingId IS UNIQUE;
CREATE CONSTRAINT intervention_id IF NOT EXISTS FOR (i:Intervention) REQUIRE i.id IS UNIQUE;
CREATE INDEX device_health_level IF NOT EXISTS FOR (d:Device) ON (d.healthLevel);
