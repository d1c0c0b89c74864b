// Voice of the customer: a community answer is its author's touchpoint, found by its answer id
// when someone votes on it; an answer id names one answer only.
CREATE CONSTRAINT touchpoint_answer_id IF NOT EXISTS FOR (t:Touchpoint) REQUIRE t.answerId IS UNIQUE;
