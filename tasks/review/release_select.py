"""Which records a release publishes (``tasks.review.release``), copied out of the catalog into scratch Parquet.

A record is judged by its newest quarantined copy in the dataset: the copy's latest review, pending without one,
and its text (see the release module's docstring). Every part of that is computed once, on narrow columns, into
temporary tables of a read-only catalog connection: the newest copy of each record and its verdict, the records
released before, the content already in clean, and the approved copies with what keeps each out.

Text, meta and findings are then read for the records released only, in pieces of about
``SELECTION_CHUNK_BYTES`` of text and meta, each piece one scratch file sorted in release order, so memory follows
that setting, not the number or length of the records approved: copied out in one statement, 1,500 approved
texts of 150 KB (225 MB) took DuckDB to 930 MiB; in 16 MiB pieces, 360 MiB. A piece is a contiguous range of
(run, source, record number), and joining on those columns too lets DuckDB skip the quarantine files outside it:
each piece then costs a read of its own files, not of the whole quarantine. The scratch's row groups are bounded
in rows (``BATCH_ROWS``) and bytes as well, and the release writes one row group at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemas import reasons
from schemas.config import ResourceConfig, SieveConfig
from tasks import duck
from tasks.catalog import sql_list
from tasks.duck import limit_connection, sql_literal
from tasks.lake import Lake, LakeError
from tasks.review.access import reading
from tasks.review.queue import APPROVED, LATEST_SQL, PENDING, REJECTED

BATCH_ROWS = 10_000  # records per row group of the selection, and per batch the release writes
SELECTION_CHUNK_BYTES = 16 * 2**20  # text and meta per scratch file (and per row group)
WITHDRAWN_SAMPLE = 100  # ids of records rejected after their release that the summary names (first by doc_id)
# where all of them are (schemas/views.sql), for `sieve query` or any DuckDB client on the catalog
WITHDRAWN_QUERY = "SELECT * FROM rejected_after_release WHERE dataset = {dataset} ORDER BY doc_id"


def scratch_parts(folder: Path) -> list[Path]:
    """The scratch files ``select`` wrote into ``folder``, in release order."""
    return sorted(folder.glob("part-*.parquet"))


def dataset_resources(lake: Lake, dataset: str) -> ResourceConfig:
    """The DuckDB bounds (``resources`` of sieve.yaml) of the dataset's newest completed run; the defaults when it
    has none readable. A release has no config of its own: it is bounded as the runs that made its quarantine."""
    files = sorted((lake.root / "provenance" / "runs").glob("run=*/*.parquet"))
    con = duck.connect()
    try:
        row = con.execute(
            "SELECT config_json FROM read_parquet(?, union_by_name=true) WHERE dataset = ? AND status = 'completed' "
            "AND coalesce(kind, '') <> 'release' AND config_json IS NOT NULL ORDER BY started_at DESC, run_id DESC "
            "LIMIT 1", [[str(f) for f in files], dataset]).fetchone() if files else None
    finally:
        con.close()
    try:
        return SieveConfig.from_validated_json(row[0]).resources if row else ResourceConfig()
    except ValueError:  # a config an older Sieve wrote and this one cannot read: the defaults
        return ResourceConfig()


def select(lake: Lake, dataset: str, released_files: list[Path], out: Path,
           resources: ResourceConfig | None = None) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Write the records to release into the folder ``out`` (``part-NNNNN.parquet``, in release order: quarantine
    run, source, record number, doc_id); return counts by status for the report, and the ``config_json`` of each
    run that quarantined a record released (its stages and policy judge it again).

    Counts are of records (``doc_id``), as the release publishes them. Records released before and rejected since
    are counted (``rejected_after_release``) and the first ``WITHDRAWN_SAMPLE`` named
    (``rejected_after_release_ids``, by doc_id); ``rejected_after_release_query`` lists them all from the catalog's
    ``rejected_after_release`` view.

    DuckDB works within ``resources`` (default: ``dataset_resources``): its memory limit and threads, spilling to
    a folder in ``out``. Unbounded, the newest-copy table of a 500k-record quarantine with 1M reviews took the
    process to about 490 MiB, growing with the quarantine (DuckDB's own default limit is 80% of the RAM).
    """
    res = resources or dataset_resources(lake, dataset)
    released = (
        f"SELECT DISTINCT doc_id FROM read_parquet({sql_list(released_files)}, union_by_name=true) "
        "WHERE released_from IS NOT NULL"
        if released_files
        else "SELECT NULL::VARCHAR AS doc_id LIMIT 0"
    )
    args = {"dataset": dataset}
    out.mkdir(parents=True, exist_ok=True)
    with reading(lake) as con:
        limit_connection(con, res.memory_limit, res.threads, out / "spill")  # removed with the scratch
        # has_text and bytes are computed below the window: above it, DuckDB carries every text through the window
        # (a 90k-record quarantine peaked at 550 MiB instead of 170)
        con.execute(f"""CREATE TEMP TABLE release_latest AS
            SELECT q.run_id, q.doc_id, q.source_uri, q.source_record, q.has_text, q.bytes,
                   coalesce(l.verdict, '{PENDING}') AS verdict
            FROM (SELECT run_id, doc_id, source_uri, source_record, text IS NOT NULL AS has_text,
                         coalesce(strlen(text), 0) + coalesce(strlen(meta), 0) AS bytes
                  FROM quarantine WHERE dataset = $dataset) q
            LEFT JOIN ({LATEST_SQL}) l ON l.run_id = q.run_id AND l.doc_id = q.doc_id
            QUALIFY row_number() OVER (PARTITION BY q.doc_id ORDER BY q.run_id DESC) = 1""", args)
        con.execute(f"CREATE TEMP TABLE release_done AS {released}")
        # The same content already in clean (a later run kept a clean copy of it: dedup keeps the copy that
        # reaches clean): releasing the approved copy too would put it in clean twice.
        con.execute(f"""CREATE TEMP TABLE release_approved AS
            WITH in_clean AS (
                SELECT DISTINCT d.content_hash FROM documents d JOIN runs r ON r.run_id = d.run_id
                WHERE r.dataset = $dataset AND r.status = 'completed' AND d.outcome = '{reasons.OUTCOME_CLEAN}'
                  AND d.content_hash IS NOT NULL)
            SELECT a.run_id, a.doc_id, a.source_uri, a.source_record, a.has_text, a.bytes, d.content_hash,
                   a.doc_id IN (SELECT doc_id FROM release_done) AS done,
                   coalesce(d.content_hash IN (SELECT content_hash FROM in_clean), false) AS in_clean
            FROM release_latest a LEFT JOIN documents d ON d.run_id = a.run_id AND d.doc_id = a.doc_id
            WHERE a.verdict = '{APPROVED}'""", args)
        status = dict(con.execute("SELECT verdict, count(*) FROM release_latest GROUP BY 1").fetchall())
        # Counted, and named up to WITHDRAWN_SAMPLE: every id would make the summary (and this process) grow with
        # them (500k ids: a 17 MB --json line); the catalog's view of the same name lists them all
        withdrawn = (f"FROM release_latest WHERE verdict = '{REJECTED}' "
                     "AND doc_id IN (SELECT doc_id FROM release_done)")
        n_withdrawn = con.execute(f"SELECT count(*) {withdrawn}").fetchall()[0][0]
        withdrawn_ids = [d for (d,) in con.execute(
            f"SELECT doc_id {withdrawn} ORDER BY 1 LIMIT {int(WITHDRAWN_SAMPLE)}").fetchall()]
        skipped = con.execute(
            "SELECT count(*) FILTER (WHERE done), count(*) FILTER (WHERE NOT done AND NOT has_text), "
            "count(*) FILTER (WHERE NOT done AND has_text AND in_clean) FROM release_approved"
        ).fetchall()[0]
        # Release order, cut into pieces: a record starts a new piece once the bytes before it pass a multiple
        # of SELECTION_CHUNK_BYTES
        con.execute(f"""CREATE TEMP TABLE release_chosen AS
            SELECT run_id, doc_id, source_uri, source_record, content_hash, row_number() OVER w AS pos,
                   (sum(bytes) OVER w - bytes) // {int(SELECTION_CHUNK_BYTES)} AS piece
            FROM release_approved WHERE has_text AND NOT done AND NOT in_clean
            WINDOW w AS (ORDER BY run_id, source_uri, source_record, doc_id ROWS UNBOUNDED PRECEDING)""")
        pieces = con.execute("SELECT piece, count(*) FROM release_chosen GROUP BY 1 ORDER BY 1").fetchall()
        for n, (piece, expected) in enumerate(pieces):
            _copy_piece(con, dataset, piece, out / f"part-{n:05d}.parquet", expected)
        configs = dict(con.execute("SELECT run_id, config_json FROM runs "
                                   "WHERE run_id IN (SELECT DISTINCT run_id FROM release_chosen)").fetchall())
    return {
        "approved": int(status.get(APPROVED, 0)),
        "rejected": int(status.get(REJECTED, 0)),
        "pending": int(status.get(PENDING, 0)),
        "already_released": int(skipped[0]),
        "no_text": int(skipped[1]),
        "already_in_clean": int(skipped[2]),
        "rejected_after_release": int(n_withdrawn),
        "rejected_after_release_ids": withdrawn_ids,
        "rejected_after_release_query": WITHDRAWN_QUERY.format(dataset=sql_literal(dataset)),
    }, configs


def _copy_piece(con: Any, dataset: str, piece: int, path: Path, expected: int) -> None:
    """Copy one piece of the chosen records, with their text and findings, to ``path`` in release order."""
    # COPY TO a file is allowed on a read-only connection; the catalog is closed again before any writing. The
    # source columns join too (IS NOT DISTINCT FROM: NULL-safe), so the piece's range of them prunes files.
    written = con.execute(
        f"""COPY (
            SELECT q.run_id, q.doc_id, q.text, q.messages, q.source_id, q.meta, q.source_uri, q.source_record,
                   q.reasons, c.content_hash, x.evidence
            FROM (SELECT * FROM release_chosen WHERE piece = $piece) c
            JOIN quarantine q ON q.run_id = c.run_id AND q.doc_id = c.doc_id
                 AND q.source_uri IS NOT DISTINCT FROM c.source_uri
                 AND q.source_record IS NOT DISTINCT FROM c.source_record AND q.dataset = $dataset
            LEFT JOIN (SELECT y.run_id, y.doc_id, list(y.evidence) AS evidence FROM decisions y
                       SEMI JOIN (SELECT * FROM release_chosen WHERE piece = $piece) s
                            ON s.run_id = y.run_id AND s.doc_id = y.doc_id
                       WHERE y.action = '{reasons.ACTION_REDACT}' OR starts_with(y.reason, 'pii.')
                       GROUP BY y.run_id, y.doc_id) x ON x.run_id = q.run_id AND x.doc_id = q.doc_id
            ORDER BY c.pos
        ) TO {sql_literal(path)} (FORMAT parquet, ROW_GROUP_SIZE {BATCH_ROWS},
                                  ROW_GROUP_SIZE_BYTES {int(SELECTION_CHUNK_BYTES)})""",
        {"dataset": dataset, "piece": piece},
    ).fetchall()[0][0]
    if written != expected:  # never a record approved and silently left out
        raise LakeError(f"release selection: {written} of {expected} chosen records were found in the quarantine "
                        "(the lake changed during the release?); nothing was published")
