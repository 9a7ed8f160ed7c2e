"""Arrow schemas of everything Sieve writes: staged shard files, clean/quarantine data and provenance tables.

Provenance schemas are append-only (the dlt rule): a new column goes at the end, never in the middle, so Parquet
written by an older Sieve still reads with ``union_by_name``. The first columns of each provenance table are the
contract of ../shared/DESIGN.md section 5.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("label", pa.string())])
MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])

# --- staged per shard (the run's private work area) -------------------------------------------------------------
STAGED_DOCS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("ord", pa.int64()),  # global first-seen order within the run: shard index << 32 | position
        ("source_uri", pa.string()),
        ("source_record", pa.int64()),
        ("source_id", pa.string()),
        ("content_hash", pa.string()),
        ("text", pa.string()),  # original text; None for malformed records
        ("messages", pa.list_(MESSAGE)),  # instruction data only
        ("meta", pa.string()),  # JSON of the record's other fields
        ("raw", pa.string()),  # malformed records only: the raw bytes, UTF-8 or base64
        ("raw_encoding", pa.string()),  # "utf-8" | "base64"
        ("chars", pa.int64()),
    ]
)
STAGED_FINDINGS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("score", pa.float64()),
        ("evidence", pa.string()),
        ("spans", pa.list_(SPAN)),
        ("detector_version", pa.string()),
    ]
)
STAGED_SCORES = pa.schema(
    [("doc_id", pa.string()), ("stage", pa.string()), ("name", pa.string()), ("value", pa.float64())]
)
# Corpus stages write these two.
CORPUS_FINDINGS = STAGED_FINDINGS
DUPLICATE_PAIRS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("duplicate_of", pa.string()),
        ("method", pa.string()),
        ("similarity", pa.float64()),
        ("evidence", pa.string()),
    ]
)

# --- outputs users read -----------------------------------------------------------------------------------------
CLEAN = pa.schema(
    [
        ("doc_id", pa.string()),
        ("text", pa.string()),  # PII redacted
        ("source_id", pa.string()),
        ("meta", pa.string()),
        ("source_uri", pa.string()),
        ("source_record", pa.int64()),
        ("run_id", pa.string()),
        ("messages", pa.list_(MESSAGE)),
        ("redactions", pa.int64()),
    ]
)
QUARANTINE = pa.schema(
    [
        ("doc_id", pa.string()),
        ("text", pa.string()),  # original, for review
        ("reasons", pa.list_(pa.string())),
        ("source_id", pa.string()),
        ("meta", pa.string()),
        ("source_uri", pa.string()),
        ("source_record", pa.int64()),
        ("run_id", pa.string()),
        ("messages", pa.list_(MESSAGE)),
        ("raw", pa.string()),
        ("raw_encoding", pa.string()),
    ]
)

# --- provenance (contract columns first, additions at the end) -------------------------------------------------
PROVENANCE: dict[str, pa.Schema] = {
    "runs": pa.schema(
        [
            ("run_id", pa.string()),
            ("dataset", pa.string()),
            ("flow_run_id", pa.string()),
            ("started_at", TS),
            ("finished_at", TS),
            ("status", pa.string()),  # running | completed | failed
            ("config_hash", pa.string()),
            ("config_json", pa.string()),
            ("code_version", pa.string()),
            ("kind", pa.string()),
            ("plan_hash", pa.string()),
            ("counts_json", pa.string()),
            ("error", pa.string()),
            ("stages", pa.string()),
        ]
    ),
    "sources": pa.schema(
        [
            ("run_id", pa.string()),
            ("source_uri", pa.string()),
            ("sha256", pa.string()),
            ("size_bytes", pa.int64()),
            ("records", pa.int64()),
            ("expected_sha256", pa.string()),
            ("integrity", pa.string()),  # ok | mismatch | unlisted | unverified
            ("format", pa.string()),
            ("error", pa.string()),
            # incremental runs (tasks/incremental.py): the run that processed this unchanged content; NULL = read
            ("unchanged_since", pa.string()),
        ]
    ),
    "documents": pa.schema(
        [
            ("run_id", pa.string()),
            ("doc_id", pa.string()),
            ("source_id", pa.string()),
            ("source_uri", pa.string()),
            ("source_record", pa.int64()),
            ("content_hash", pa.string()),
            ("outcome", pa.string()),
            ("output_uri", pa.string()),
            ("reasons", pa.list_(pa.string())),
            ("shard", pa.int64()),
            # release runs (tasks/review/release.py): the run that quarantined this approved record; NULL otherwise
            ("released_from", pa.string()),
        ]
    ),
    "decisions": pa.schema(
        [
            ("run_id", pa.string()),
            ("doc_id", pa.string()),
            ("stage", pa.string()),
            ("reason", pa.string()),
            ("action", pa.string()),
            ("score", pa.float64()),
            ("evidence", pa.string()),
            ("detector_version", pa.string()),
        ]
    ),
    "scores": pa.schema(
        [
            ("run_id", pa.string()),
            ("doc_id", pa.string()),
            ("stage", pa.string()),
            ("name", pa.string()),
            ("value", pa.float64()),
        ]
    ),
    "duplicates": pa.schema(
        [
            ("run_id", pa.string()),
            ("doc_id", pa.string()),
            ("duplicate_of", pa.string()),
            ("method", pa.string()),
            ("similarity", pa.float64()),
            # the run holding the kept copy (doc_ids repeat across runs): documents(run_id, doc_id) =
            # (kept_run_id, duplicate_of) is a record whose outcome is not duplicate
            ("kept_run_id", pa.string()),
        ]
    ),
    "reviews": pa.schema(
        [
            ("run_id", pa.string()),
            ("doc_id", pa.string()),
            ("reviewer", pa.string()),
            ("verdict", pa.string()),
            ("note", pa.string()),
            ("reviewed_at", TS),
        ]
    ),
    "files": pa.schema(
        [
            ("run_id", pa.string()),
            ("role", pa.string()),
            ("uri", pa.string()),
            ("sha256", pa.string()),
            ("rows", pa.int64()),
        ]
    ),
}

# Index of kept content hashes per dataset and run: the persisted exact-dedup key index.
EXACT_INDEX = pa.schema([("content_hash", pa.string()), ("doc_id", pa.string())])


def empty_table(schema: pa.Schema) -> pa.Table:
    """An empty table of ``schema`` (so every shard writes every table, even with no rows)."""
    return schema.empty_table()
