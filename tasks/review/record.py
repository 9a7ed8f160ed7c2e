"""One quarantined record with everything a reviewer needs: findings and their spans, scores, source, near-duplicate
cluster members and earlier reviews. Each part is one indexed-by-scan DuckDB query over the catalog views.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import duckdb

from tasks.review.queue import LATEST_SQL, PENDING

CLUSTER_LIMIT = 100
REVIEWS_LIMIT = 200

_QUARANTINE_COLS = (
    "run_id", "doc_id", "dataset", "text", "reasons", "source_id", "meta", "source_uri", "source_record",
    "messages", "raw", "raw_encoding",
)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def latest_run_of(con: duckdb.DuckDBPyConnection, doc_id: str) -> str | None:
    """The newest run that quarantined ``doc_id`` (the default when a request names no run)."""
    row = con.execute("SELECT max(run_id) FROM quarantine WHERE doc_id = ?", [doc_id]).fetchall()
    return row[0][0] if row else None


def spans_of(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``spans`` of a finding's evidence as ``{start, end, label}`` with int offsets; malformed items dropped."""
    out = []
    for s in evidence.get("spans") or []:
        try:
            start, end = int(s["start"]), int(s["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end:
            out.append({"start": start, "end": end, "label": str(s.get("label") or "")})
    return out


def evidence_notes(evidence: dict[str, Any], limit: int = 300) -> list[tuple[str, str]]:
    """The parts of a finding's evidence a reviewer reads in a terminal: its explanation or detail (why an input.*
    record is unusable), the meta field it was found in (such a finding has no spans in the text to highlight) and,
    for hidden text (tag characters), the decoded payload, each cut to ``limit`` characters. Callers must still make
    them visible."""
    notes = []
    for key in ("explanation", "detail", "field", "decoded"):  # detail: why input.* (malformed, too long)
        value = evidence.get(key)
        if isinstance(value, str) and value:
            notes.append((key, value if len(value) <= limit else value[:limit] + "..."))
    return notes


def _evidence(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {"unparsed": raw}
    return value if isinstance(value, dict) else {"value": value}


def detail(con: duckdb.DuckDBPyConnection, doc_id: str, run_id: str | None = None) -> dict[str, Any] | None:
    """The record ``doc_id`` as quarantined by ``run_id`` (default: its newest quarantine run), or None if absent."""
    run_id = run_id or latest_run_of(con, doc_id)
    if not run_id:
        return None
    cols = ", ".join(_QUARANTINE_COLS)
    found = _rows(con, f"SELECT {cols} FROM quarantine WHERE run_id = ? AND doc_id = ? LIMIT 1", [run_id, doc_id])
    if not found:
        return None
    rec = found[0]
    key = [run_id, doc_id]
    findings = _rows(
        con,
        "SELECT stage, reason, action, score, evidence, detector_version FROM decisions "
        "WHERE run_id = ? AND doc_id = ? ORDER BY stage, reason",
        key,
    )
    for n, f in enumerate(findings, start=1):
        f["number"] = n
        f["evidence"] = _evidence(f["evidence"])
        f["spans"] = spans_of(f["evidence"])
    rec["findings"] = findings
    rec["scores"] = _rows(
        con, "SELECT stage, name, value FROM scores WHERE run_id = ? AND doc_id = ? ORDER BY stage, name", key
    )
    rec["document"] = (
        _rows(
            con,
            "SELECT content_hash, outcome, output_uri FROM documents WHERE run_id = ? AND doc_id = ? LIMIT 1",
            key,
        )
        or [{}]
    )[0]
    rec["cluster"] = cluster(con, doc_id)
    rec["reviews"] = _rows(
        con,
        "SELECT run_id, reviewer, verdict, note, reviewed_at FROM reviews WHERE doc_id = ? "
        f"ORDER BY reviewed_at DESC, rowid DESC LIMIT {REVIEWS_LIMIT}",
        [doc_id],
    )
    latest = con.execute(f"SELECT verdict, reviewed_at FROM ({LATEST_SQL}) WHERE run_id = ? AND doc_id = ?",
                         key).fetchall()
    rec["status"] = latest[0][0] if latest else PENDING
    # What the reviewer saw: a verdict posted with it is refused if another review came in meanwhile
    rec["seen"] = seen_stamp(latest[0][1] if latest else None)
    rec["released_in"] = released_in(con, doc_id, rec["dataset"])
    newest = con.execute("SELECT max(run_id) FROM quarantine WHERE doc_id = ? AND dataset = ?",
                         [doc_id, rec["dataset"]]).fetchall()[0][0]
    # A newer quarantine of the same record in the dataset: its review, not this copy's, decides a release
    rec["superseded_by"] = newest if newest and newest > run_id else None
    rec["meta"] = _evidence(rec["meta"]) if rec["meta"] else None
    return rec


def seen_stamp(reviewed_at: Any) -> str:
    """The latest review's time as a reviewer's form carries it (``none`` for a record never reviewed)."""
    return reviewed_at.astimezone(UTC).isoformat() if reviewed_at is not None else "none"


def released_in(con: duckdb.DuckDBPyConnection, doc_id: str, dataset: str) -> list[str]:
    """The completed releases of ``dataset`` that published ``doc_id`` into clean (oldest first; at most one unless
    the lake was edited by hand). A later rejection does not take a record back out of clean: this is how the
    review tools say so."""
    return released_in_many(con, [doc_id], dataset).get(doc_id, [])


def released_in_many(con: duckdb.DuckDBPyConnection, doc_ids: list[str], dataset: str) -> dict[str, list[str]]:
    """``released_in`` of each of ``doc_ids`` in one query (ids never released are left out)."""
    rows = con.execute(
        "SELECT d.doc_id, list(DISTINCT d.run_id ORDER BY d.run_id) FROM documents d "
        "JOIN runs r ON r.run_id = d.run_id WHERE d.doc_id IN (SELECT unnest(?)) AND d.released_from IS NOT NULL "
        "AND r.dataset = ? AND r.status = 'completed' GROUP BY 1",
        [doc_ids, dataset],
    ).fetchall()
    return {d: list(runs) for d, runs in rows}


def cluster(con: duckdb.DuckDBPyConnection, doc_id: str) -> list[dict[str, Any]]:
    """Duplicate-cluster members around ``doc_id``: records that duplicate it, and the copy it duplicates, if any.

    A quarantined record is never itself a duplicate of a kept copy in the same run (``duplicate`` wins over
    ``quarantined``), so its cluster is the records that were dropped as duplicates of it.
    """
    return _rows(
        con,
        "SELECT x.run_id, x.doc_id, x.duplicate_of, x.method, x.similarity, d.source_uri, d.source_record "
        "FROM duplicates x LEFT JOIN documents d ON d.run_id = x.run_id AND d.doc_id = x.doc_id "
        f"WHERE x.duplicate_of = ? OR x.doc_id = ? ORDER BY x.similarity DESC, x.doc_id LIMIT {CLUSTER_LIMIT}",
        [doc_id, doc_id],
    )
