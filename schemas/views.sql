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

-- Records a completed release published whose newest quarantined copy in the dataset has been rejected since (its
-- latest review): a release is never undone, so they stay in clean. `sieve release` reports their count and the
-- first ids (`rejected_after_release` in its summary); this view has every one, however many.
CREATE OR REPLACE VIEW rejected_after_release AS
WITH newest AS (
    SELECT dataset, run_id, doc_id FROM quarantine
    QUALIFY row_number() OVER (PARTITION BY dataset, doc_id ORDER BY run_id DESC) = 1),
latest AS (
    SELECT run_id, doc_id, arg_max({'verdict': verdict, 'reviewer': reviewer, 'note': note}, reviewed_at) AS r,
           max(reviewed_at) AS reviewed_at
    FROM reviews GROUP BY run_id, doc_id),
released AS (
    SELECT r.dataset, d.doc_id, min(d.run_id) AS released_in, arg_min(d.released_from, d.run_id) AS released_from
    FROM documents d JOIN runs r ON r.run_id = d.run_id
    WHERE r.kind = 'release' AND r.status = 'completed' AND d.released_from IS NOT NULL
    GROUP BY r.dataset, d.doc_id)
SELECT n.dataset, n.doc_id, s.released_in, s.released_from, n.run_id AS rejected_copy_run_id,
       l.r.reviewer AS rejected_by, l.reviewed_at AS rejected_at, l.r.note AS note
FROM newest n
JOIN latest l ON l.run_id = n.run_id AND l.doc_id = n.doc_id
JOIN released s ON s.dataset = n.dataset AND s.doc_id = n.doc_id
WHERE l.r.verdict = 'rejected';
