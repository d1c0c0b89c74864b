// Fits of the lifetime-value model are keyed by their id (the workflow's business key); the
// latest fit of a population is found by population and time.
CREATE CONSTRAINT value_model_fit_id IF NOT EXISTS FOR (f:ValueModelFit) REQUIRE f.id IS UNIQUE;
CREATE INDEX value_model_fit_population IF NOT EXISTS FOR (f:ValueModelFit) ON (f.population, f.fittedAt);
