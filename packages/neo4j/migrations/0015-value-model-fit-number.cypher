// A customer's prediction names its fit by the fit's number (48 bits of the SHA-256 of its id,
// see fitNumber in workflows/src/value-model-activities.ts): unique, and how the prediction
// finds the fit's id, horizon and time. Predictions written before keep their own.
CREATE CONSTRAINT value_model_fit_number IF NOT EXISTS FOR (f:ValueModelFit) REQUIRE f.number IS UNIQUE;
