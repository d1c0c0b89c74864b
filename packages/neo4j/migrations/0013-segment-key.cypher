// A segment is found by its id for every membership written and read (`MATCH (s:Segment {id})`)
// and defined with MERGE on it: without a constraint each of those is a scan of every segment.
CREATE CONSTRAINT segment_id IF NOT EXISTS FOR (s:Segment) REQUIRE s.id IS UNIQUE;
