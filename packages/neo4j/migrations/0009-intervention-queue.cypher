// Experts and support read interventions as a queue, by status.
CREATE INDEX intervention_status IF NOT EXISTS FOR (i:Intervention) ON (i.status);
