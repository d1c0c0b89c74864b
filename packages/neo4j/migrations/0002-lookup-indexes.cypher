// The stage is how ops and analysts slice devices; campaigns are listed by journey stage.
CREATE INDEX device_stage IF NOT EXISTS FOR (d:Device) ON (d.stage);
CREATE INDEX campaign_journey_stage IF NOT EXISTS FOR (c:Campaign) ON (c.journeyStage);
