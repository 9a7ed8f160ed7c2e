-- Convenience views over the provenance tables (created after the base views by tasks/catalog.py).

-- Every finding with its record's final outcome: "why was this document removed?"
CREATE OR REPLACE VIEW why AS
SELECT d.run_id, d.doc_id, d.source_uri, d.source_record, d.outcome, x.stage, x.reason, x.action, x.score,
       x.evidence
FROM documents d LEFT JOIN decisions x ON x.run_id = d.run_id AND x.doc_id = d.doc_id;

-- One row per run with its outcome counts (the conservation check: input records = sum of outcomes).
CREATE OR REPLACE VIEW run_summary AS
SELECT r.run_id, r.dataset, r.status, r.started_at, r.finished_at,
       count(d.doc_id) AS records,
       count(d.doc_id) FILTER (WHERE d.outcome = 'clean') AS clean,
       count(d.doc_id) FILTER (WHERE d.outcome = 'quarantined') AS quarantined,
       count(d.doc_id) FILTER (WHERE d.outcome = 'duplicate') AS duplicate,
       count(d.doc_id) FILTER (WHERE d.outcome = 'dropped') AS dropped
FROM runs r LEFT JOIN documents d USING (run_id)
GROUP BY ALL;
