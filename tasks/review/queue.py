"""The review queue: quarantined records with their review status, filtered and paged inside DuckDB.

The status of a quarantined record (a ``(run_id, doc_id)`` of the ``quarantine`` view) is the verdict of its latest
``reviews`` row, ``pending`` when it has none. Every filter is a prepared-statement parameter and every page is
``ORDER BY ... LIMIT ? OFFSET ?`` in SQL, so a page costs one scan of a few narrow columns whatever the queue's size
(benchmarks/review_queue.py measures it at 1M quarantined rows); record text is read for the page's rows only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

import duckdb

from schemas.reasons import FAMILIES
from tasks.lake import DATASET_RULE, valid_dataset  # one rule for every dataset name (runs, review, release)

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED, "all")
VERDICTS = (APPROVED, REJECTED)
MAX_LIMIT = 500
PREVIEW_CHARS = 160

# Ids and codes as the lake writes them; anything else is refused before it reaches SQL or a URL.
_RUN_RE = re.compile(r"^[A-Za-z0-9_.:=-]{1,80}$")
_DOC_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_REASON_RE = re.compile(r"^[a-z]+(\.[A-Za-z0-9_\-]+)*(\.\*)?$")

LATEST_SQL = """
    SELECT run_id, doc_id, arg_max(verdict, reviewed_at) AS verdict, max(reviewed_at) AS reviewed_at
    FROM reviews GROUP BY run_id, doc_id
"""
COLUMNS = ("run_id", "doc_id", "dataset", "source_uri", "source_record", "source_id", "reasons")
ITEMS_SQL = f"""
    SELECT {", ".join(f"q.{c}" for c in COLUMNS)}, coalesce(l.verdict, '{PENDING}') AS status, l.reviewed_at
    FROM quarantine q LEFT JOIN ({LATEST_SQL}) l ON l.run_id = q.run_id AND l.doc_id = q.doc_id
"""
ORDER_SQL = "ORDER BY run_id DESC, source_uri, source_record, doc_id"


class FilterError(ValueError):
    """A queue filter value is not valid; the message names the field and what is accepted."""


def valid_doc_id(value: str) -> bool:
    """Whether ``value`` looks like a lake doc id (hex digests; a few safe characters allowed)."""
    return bool(_DOC_RE.match(value or ""))


def valid_run_id(value: str) -> bool:
    """Whether ``value`` looks like a run id (``20261127T224501Z-3f9a1c``; a few safe characters allowed)."""
    return bool(_RUN_RE.match(value or ""))


@dataclass(frozen=True)
class QueueFilter:
    """Which quarantined records a queue shows. Empty strings mean "any".

    ``reason`` is an exact code (``pii.EMAIL_ADDRESS``) or a family (``pii`` or ``pii.*``); ``source`` matches any
    part of ``source_uri``; ``status`` is one of ``pending``, ``approved``, ``rejected``, ``all``.
    """

    dataset: str = ""
    run: str = ""
    reason: str = ""
    source: str = ""
    status: str = PENDING

    def __post_init__(self) -> None:
        checks = (
            ("run", _RUN_RE, "a run id"),
            ("reason", _REASON_RE, "a reason code like pii.EMAIL_ADDRESS or a family like pii"),
        )
        for name, pattern, what in checks:
            value = getattr(self, name)
            if value and not pattern.match(value):
                raise FilterError(f"{name}: invalid value; expected {what}")
        if self.dataset and not valid_dataset(self.dataset):
            raise FilterError(f"dataset: invalid value; expected {DATASET_RULE}")
        if self.reason and self.reason.split(".", 1)[0] not in FAMILIES:
            raise FilterError(f"reason: unknown family; valid families: {', '.join(FAMILIES)}")
        if self.status not in STATUSES:
            raise FilterError(f"status: invalid value {self.status!r}; valid values: {', '.join(STATUSES)}")
        if len(self.source) > 1000 or any(ord(c) < 32 for c in self.source):
            raise FilterError("source: invalid value; expected part of a source URI")

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> QueueFilter:
        """Build from request/query parameters, ignoring keys that are not filters; strips whitespace."""
        names = {f.name for f in fields(cls)}
        values = {k: str(v).strip() for k, v in params.items() if k in names and v is not None}
        if not values.get("status"):
            values.pop("status", None)
        return cls(**values)

    def params(self) -> dict[str, str]:
        """The non-empty filters as a dict (for links and hidden form fields)."""
        return {k: v for k, v in asdict(self).items() if v}

    def conditions(self, prefix: str = "q.", reason: bool = True) -> tuple[list[str], list[Any]]:
        """SQL conditions of every filter but the status (and the reason, unless ``reason``), with parameters."""
        conds, args = ["TRUE"], []
        if self.dataset:
            conds.append(f"{prefix}dataset = ?")
            args.append(self.dataset)
        if self.run:
            conds.append(f"{prefix}run_id = ?")
            args.append(self.run)
        if self.reason and reason:
            code = self.reason.removesuffix(".*")
            if "." in code:
                conds.append(f"list_contains({prefix}reasons, ?)")
                args.append(code)
            else:
                conds.append(f"len(list_filter({prefix}reasons, lambda r: starts_with(r, ?))) > 0")
                args.append(code + ".")
        if self.source:
            conds.append(f"contains({prefix}source_uri, ?)")
            args.append(self.source)
        return conds, args

    def select(self) -> tuple[str, list[Any]]:
        """A SELECT of the matching records (``COLUMNS`` and ``status``) and its parameters.

        Pending records are those with no review at all (an anti-join on the raw ``reviews`` table, no grouping);
        approved or rejected ones join the latest verdicts; ``all`` reads the quarantine alone and leaves
        ``status`` NULL (``page`` fills it in for the page's rows).
        """
        conds, args = self.conditions()
        cols = ", ".join(f"q.{c}" for c in COLUMNS)
        if self.status == PENDING:
            conds.append("NOT EXISTS (SELECT 1 FROM reviews r WHERE r.run_id = q.run_id AND r.doc_id = q.doc_id)")
            rel = f"SELECT {cols}, '{PENDING}' AS status FROM quarantine q"
        elif self.status == "all":
            rel = f"SELECT {cols}, NULL::VARCHAR AS status FROM quarantine q"
        else:
            rel = (f"SELECT {cols}, l.verdict AS status FROM quarantine q "
                   f"JOIN ({LATEST_SQL}) l ON l.run_id = q.run_id AND l.doc_id = q.doc_id")
            conds.append("l.verdict = ?")
            args.append(self.status)
        return f"{rel} WHERE {' AND '.join(conds)}", args


def count(con: duckdb.DuckDBPyConnection, flt: QueueFilter) -> int:
    """How many quarantined records match ``flt``."""
    sql, args = flt.select()
    return int(con.execute(f"SELECT count(*) FROM ({sql})", args).fetchall()[0][0])


def page(con: duckdb.DuckDBPyConnection, flt: QueueFilter, limit: int, offset: int) -> list[dict[str, Any]]:
    """One page of the queue, in queue order (newest run first, then source and record number), with a preview."""
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    sql, args = flt.select()
    # Choose the page on narrow columns first, then read text and review state for those rows only: a preview of
    # 1M texts would otherwise be decoded to sort them.
    cur = con.execute(f"SELECT * FROM ({sql}) {ORDER_SQL} LIMIT ? OFFSET ?", [*args, limit, offset])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    if not rows:
        return rows
    keys = [sorted({r["run_id"] for r in rows}), [r["doc_id"] for r in rows]]
    previews = {
        (r, d): p
        for r, d, p in con.execute(
            f"SELECT run_id, doc_id, coalesce(left(text, {PREVIEW_CHARS}), left(raw, {PREVIEW_CHARS})) "
            "FROM quarantine WHERE run_id IN (SELECT unnest(?)) AND doc_id IN (SELECT unnest(?))",
            keys,
        ).fetchall()
    }
    latest = {
        (r, d): (v, t)
        for r, d, v, t in con.execute(
            "SELECT run_id, doc_id, arg_max(verdict, reviewed_at), max(reviewed_at) FROM reviews "
            "WHERE run_id IN (SELECT unnest(?)) AND doc_id IN (SELECT unnest(?)) GROUP BY ALL",
            keys,
        ).fetchall()
    }
    for pos, r in enumerate(rows, start=offset):
        key = (r["run_id"], r["doc_id"])
        r["status"], r["reviewed_at"] = latest.get(key, (PENDING, None))
        r["preview"] = previews.get(key) or ""
        r["position"] = pos
    return rows


def summary(con: duckdb.DuckDBPyConnection, flt: QueueFilter) -> dict[str, Any]:
    """Counts for the queue page in one scan: ``total`` under ``flt``, records per status (``statuses``, under
    every filter but the status) and records per reason (``reasons``, under every filter but the reason).

    The scan groups by status and the record's whole list of reasons (few distinct lists even in a big queue, and
    far cheaper than unnesting every list); the counts are then added up per reason here.
    """
    conds, args = flt.conditions(prefix="", reason=False)
    groups = con.execute(
        f"SELECT status, reasons, count(*) FROM ({ITEMS_SQL}) WHERE {' AND '.join(conds)} GROUP BY ALL", args
    ).fetchall()
    code = flt.reason.removesuffix(".*")

    def matches(reasons: list[str]) -> bool:
        if not code:
            return True
        return code in reasons if "." in code else any(r.startswith(code + ".") for r in reasons)

    statuses = {s: 0 for s in (PENDING, APPROVED, REJECTED)}
    per_reason: dict[str, int] = {}
    for status, reasons, n in groups:
        reasons = reasons or []
        if status in statuses and matches(reasons):
            statuses[status] += int(n)
        if flt.status in ("all", status):
            for r in set(reasons):
                per_reason[r] = per_reason.get(r, 0) + int(n)
    statuses["all"] = sum(statuses.values())
    ordered = sorted(per_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"total": statuses[flt.status], "statuses": statuses, "reasons": ordered}


def runs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Runs that quarantined something: run id, dataset and when it finished (for the run filter), newest first."""
    rows = con.execute(
        "SELECT r.run_id, r.dataset, r.finished_at FROM runs r "
        "WHERE r.status = 'completed' AND coalesce(r.kind, '') <> 'release' "
        "ORDER BY r.run_id DESC LIMIT 200"
    ).fetchall()
    return [{"run_id": r, "dataset": d, "finished_at": f} for r, d, f in rows]


def record_at(con: duckdb.DuckDBPyConnection, flt: QueueFilter, position: int) -> tuple[str, str] | None:
    """``(run_id, doc_id)`` of the record at ``position`` (0-based) of the filtered queue, or None past its end."""
    if position < 0:
        return None
    sql, args = flt.select()
    row = con.execute(f"SELECT run_id, doc_id FROM ({sql}) {ORDER_SQL} LIMIT 1 OFFSET ?", [*args, position]).fetchall()
    return (row[0][0], row[0][1]) if row else None
