"""Appending reviews: the ``reviews`` table of the catalog plus a Parquet journal under ``provenance/reviews``.

Reviews are append-only: a verdict is never updated, a new row supersedes it (latest ``reviewed_at`` wins). Every
action is written twice, in one step: as Parquet under ``provenance/reviews/run=<run_id>/`` (one small file per
action and run) and as rows of the catalog's ``reviews`` table. The catalog is otherwise all views over Parquet and
can be rebuilt from the lake; the journal makes that true of reviews too (``restore_reviews``), and it lets lineage
tools read reviews with the rest of the provenance. The journal file is written first and removed again if the
table insert fails, so the two agree.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from schemas import arrow
from tasks.lake import Lake, write_parquet_atomic
from tasks.review.access import WRITE_WAIT_SECONDS, writing
from tasks.review.queue import VERDICTS, QueueFilter

MAX_NOTE_CHARS = 4000
JOURNAL = "reviews"
_ALIASES = {"approve": "approved", "reject": "rejected"}


class ReviewError(ValueError):
    """A review cannot be recorded (unknown record, bad verdict, bulk count changed); the message says why."""


class ReviewConflict(ReviewError):
    """Another review of the record came in since the reviewer opened it (HTTP 409); nothing was recorded."""


def normalise_verdict(verdict: str) -> str:
    """``approve``/``approved`` -> ``approved``; ``reject``/``rejected`` -> ``rejected``; else ``ReviewError``."""
    v = _ALIASES.get(verdict, verdict)
    if v not in VERDICTS:
        raise ReviewError(f"verdict: invalid value {verdict!r}; valid values: approve, reject")
    return v


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"note: at most {MAX_NOTE_CHARS} characters")
    return note


def _review_time(con: duckdb.DuckDBPyConnection) -> datetime:
    # Strictly after every earlier review (under the catalog lock), so "latest wins" never meets a tie.
    last = con.execute("SELECT max(reviewed_at) FROM reviews").fetchall()[0][0]
    now = datetime.now(UTC)
    if last is not None and now <= last:
        now = last + timedelta(microseconds=1)
    return now


def _journal(lake: Lake, rows: pa.Table, stamp: datetime) -> list[Path]:
    written: list[Path] = []
    name = f"part-{stamp:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.parquet"
    try:
        for run_id in sorted(set(rows.column("run_id").to_pylist())):
            part = rows.filter(pc.equal(rows.column("run_id"), run_id))
            path = lake.provenance_dir(JOURNAL, run_id) / name
            write_parquet_atomic(part, path)
            written.append(path)
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return written


def _append(con: duckdb.DuckDBPyConnection, lake: Lake, selection_sql: str, args: list[Any], reviewer: str,
            verdict: str, note: str) -> pa.Table:
    """Insert one review row per ``(run_id, doc_id)`` that ``selection_sql`` yields; return the rows."""
    stamp = _review_time(con)
    rows = con.sql(
        f"SELECT run_id, doc_id, ?::VARCHAR AS reviewer, ?::VARCHAR AS verdict, ?::VARCHAR AS note, "
        f"?::TIMESTAMPTZ AS reviewed_at FROM ({selection_sql})",
        params=[reviewer, verdict, note, stamp, *args],
    ).to_arrow_table()
    rows = rows.cast(arrow.PROVENANCE["reviews"])
    if rows.num_rows == 0:
        return rows
    con.execute("BEGIN TRANSACTION")
    journal: list[Path] = []
    try:
        con.register("new_reviews", rows)
        con.execute("INSERT INTO reviews SELECT * FROM new_reviews")
        con.unregister("new_reviews")
        journal = _journal(lake, rows, stamp)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        for p in journal:
            p.unlink(missing_ok=True)
        raise
    return rows


def append_review(lake: Lake, doc_id: str, reviewer: str, verdict: str, note: str | None = None,
                  run_id: str | None = None, wait: float = WRITE_WAIT_SECONDS, *,
                  dataset: str | None = None, seen: str | None = None) -> dict[str, Any]:
    """Record one verdict on ``doc_id`` as quarantined by ``run_id`` (default: its newest quarantine run).

    The same file in two datasets gives its records the same ``doc_id``; without ``run_id`` (or ``dataset``) such
    a record is refused rather than reviewed in whichever dataset ran last. The row returned has the ``dataset``,
    and ``superseded_by``: the newer run that quarantined the record again in that dataset, whose copy's review a
    release follows (None when this copy is the newest).

    ``seen`` (``tasks.review.record.seen_stamp``: the copy's latest review time when the reviewer opened it, or
    ``none``): when given, nothing is written if another review of the copy came in since (two reviewers on one
    record: the second would otherwise overrule a verdict they never saw); a ``ReviewConflict`` names it.
    """
    return append_reviews(lake, [doc_id], reviewer, verdict, note, run_id, wait, dataset=dataset, seen=seen)[0]


def append_reviews(lake: Lake, doc_ids: list[str], reviewer: str, verdict: str, note: str | None = None,
                   run_id: str | None = None, wait: float = WRITE_WAIT_SECONDS, *,
                   dataset: str | None = None, seen: str | None = None) -> list[dict[str, Any]]:
    """Record one verdict on each of ``doc_ids`` (as ``append_review`` describes), all in one catalog transaction
    and one journal file per run; return the rows in the order given (a repeated id once).

    Nothing is written unless every id names a quarantined record (in ``run_id``/``dataset`` when given, else its
    newest copy, refused if in more than one dataset): a list of ids is reviewed whole or not at all. One at a
    time, each id cost a catalog connection, two quarantine scans and a journal file (200 ids: 43 s, 200 files).
    ``seen`` applies to every id (the app sends one).
    """
    verdict, note = normalise_verdict(verdict), _clean_note(note)
    ids = list(dict.fromkeys(doc_ids))
    scope = " AND ".join((["run_id = ?"] if run_id else []) + (["dataset = ?"] if dataset else [])) or "true"
    extra = [*([run_id] if run_id else []), *([dataset] if dataset else [])]
    with writing(lake, wait) as con:
        # per dataset of each id: the copy to review (the newest in scope) and the newest copy of all
        found: dict[str, list[tuple[str, str, str]]] = {}
        for doc_id, ds, run, newest in con.execute(
            f"SELECT doc_id, dataset, max(run_id) FILTER (WHERE {scope}) AS chosen, max(run_id) FROM quarantine "
            "WHERE doc_id IN (SELECT unnest(?)) GROUP BY 1, 2 HAVING chosen IS NOT NULL ORDER BY 1, 2",
            [*extra, ids]).fetchall():
            found.setdefault(doc_id, []).append((ds, run, newest))
        for doc_id in ids:
            copies = found.get(doc_id, [])
            if not copies:
                where = (f" in run {run_id}" if run_id else "") + (f" of dataset {dataset}" if dataset else "")
                raise ReviewError(f"no quarantined record {doc_id}{where}; nothing was recorded")
            if len(copies) > 1:
                where = ", ".join(f"{d} (run {r})" for d, r, _ in copies)
                raise ReviewError(f"record {doc_id} is quarantined in more than one dataset: {where}; say which "
                                  "with --dataset or --run (run_id in the API); nothing was recorded")
            if seen is not None:
                _check_seen(con, "SELECT ?::VARCHAR AS run_id, ?::VARCHAR AS doc_id", [copies[0][1], doc_id], seen)
        targets = pa.table({"run_id": [found[d][0][1] for d in ids], "doc_id": ids})
        con.register("review_targets", targets)
        rows = _append(con, lake, "SELECT run_id, doc_id FROM review_targets", [], reviewer, verdict, note)
        con.unregister("review_targets")
    by_key = {(r["run_id"], r["doc_id"]): r for r in rows.to_pylist()}
    out = []
    for doc_id in ids:
        ds, run, newest = found[doc_id][0]
        # An older copy reviewed (with --run): a release follows the newest copy's review (tasks.review.release)
        out.append({**by_key[(run, doc_id)], "dataset": ds, "superseded_by": newest if newest > run else None})
    return out


def _check_seen(con: duckdb.DuckDBPyConnection, sel: str, args: list[Any], seen: str) -> None:
    from tasks.review.record import seen_stamp

    last = con.execute(
        f"SELECT r.reviewer, r.verdict, r.reviewed_at FROM reviews r JOIN ({sel}) s USING (run_id, doc_id) "
        "ORDER BY r.reviewed_at DESC LIMIT 1", args).fetchall()
    now = seen_stamp(last[0][2] if last else None)
    if now == seen:
        return
    if not last:  # the reviewer's form names a review the catalog no longer has (a restored journal, say)
        raise ReviewConflict("this record's reviews changed since you opened it; nothing was recorded, reload it "
                             "to review it again")
    who, verdict, when = last[0]
    raise ReviewConflict(f"this record was reviewed since you opened it: {verdict} by {who} at "
                         f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC; nothing was recorded, reload it to "
                         "review it again")


def review_matching(lake: Lake, flt: QueueFilter, reviewer: str, verdict: str, note: str | None = None,
                    expected: int | None = None, wait: float = WRITE_WAIT_SECONDS) -> int:
    """Record one verdict on every record matching ``flt``; return how many.

    With ``expected``, nothing is written unless exactly that many records still match (what the reviewer
    confirmed may have changed while they read the confirmation).
    """
    verdict, note = normalise_verdict(verdict), _clean_note(note)
    sql, args = flt.select()
    sel = f"SELECT run_id, doc_id FROM ({sql})"
    with writing(lake, wait) as con:
        if expected is not None:
            now = con.execute(f"SELECT count(*) FROM ({sel})", args).fetchall()[0][0]
            if now != expected:
                raise ReviewConflict(
                    f"{now} records match now, not the {expected} you confirmed; review the new count and confirm"
                )
        rows = _append(con, lake, sel, args, reviewer, verdict, note)
    return rows.num_rows


def restore_reviews(lake: Lake) -> int:
    """Insert journal rows missing from the ``reviews`` table (e.g. after the catalog was rebuilt); return how many."""
    files = sorted((lake.root / "provenance" / JOURNAL).glob("run=*/*.parquet"))
    if not files:
        return 0
    cols = ", ".join(arrow.PROVENANCE["reviews"].names)
    with writing(lake) as con:
        before = con.execute("SELECT count(*) FROM reviews").fetchall()[0][0]
        con.execute(
            f"INSERT INTO reviews SELECT {cols} FROM read_parquet(?, union_by_name=true) "
            f"EXCEPT SELECT {cols} FROM reviews",
            [[str(f) for f in files]],
        )
        return con.execute("SELECT count(*) FROM reviews").fetchall()[0][0] - before
