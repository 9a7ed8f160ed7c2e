"""What ``sieve query`` lets through, and how its results print (CSV and JSON streamed, the table capped).

The catalog connection is opened read-only, but that only guards ``catalog.duckdb`` itself: DuckDB statements such
as ``COPY ... TO``, ``EXPORT DATABASE`` or ``ATTACH ... (READ_ONLY false)`` write elsewhere (the last one even
re-attaches the catalog writable). So the SQL is parsed first and only statement types that cannot write run, one
statement per call. This is a guard against accidents and surprises, not a sandbox: a SELECT may still read any file
the user can read (``read_csv('/etc/hosts')``), which is the user's own right on their own machine.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import json
import math
import re
import uuid

import duckdb

from tasks.input_names import unique_names

# Statement types that cannot write. SELECT covers FROM-first queries, VALUES, DESCRIBE, SHOW and SUMMARIZE (DuckDB
# parses all of them as SELECT). A data-modifying CTE (WITH x AS (DELETE ... RETURNING *) SELECT ...) is a SELECT
# too, but it can only touch the read-only catalog or the connection's throwaway temp database, because ATTACH (the
# only way to reach a writable database) is refused.
# Refused on purpose:
# * SET/RESET/USE: the connection ends with the statement, so a setting has no later statement to affect; and some
#   settings write files (profiling_output, log_query_path).
# * CALL: CALL f() is SELECT * FROM f(), so it adds nothing; CHECKPOINT parses as a CALL as well.
# * PRAGMA, except the listing pragmas below: other pragmas are settings (PRAGMA profiling_output='...' writes).
_READ_PRAGMAS = frozenset({
    "collations", "database_list", "database_size", "functions", "metadata_info", "platform", "show",
    "show_databases", "show_tables", "show_tables_expanded", "storage_info", "table_info", "user_agent", "version",
})
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)
# EXPLAIN ANALYZE runs the statement it explains, so the explained statement must pass the same test.
_EXPLAIN = re.compile(r"EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\((?:[^()]|\([^()]*\))*\)\s*)?", re.I)


class QueryError(RuntimeError):
    """A ``sieve query`` statement failed (bad SQL, or a write attempted on the read-only catalog)."""


def _text(sql: str) -> str:
    return _LEADING_COMMENTS.sub("", sql)


def _kind(con: duckdb.DuckDBPyConnection, stmt) -> str | None:
    """None when ``stmt`` cannot write, else a short name of what it is."""
    st = duckdb.StatementType
    text = _text(stmt.query)
    if stmt.type == st.SELECT:
        return None
    if stmt.type == st.MULTI and re.match(r"(UN)?PIVOT\b", text, re.I):
        return None  # a PIVOT without an IN list: DuckDB runs a query for the pivot values first, then the SELECT
    if stmt.type == st.PRAGMA:
        name = re.match(r"PRAGMA\s+(\w+)", text, re.I)
        return None if name and name.group(1).lower() in _READ_PRAGMAS else "this PRAGMA"
    if stmt.type == st.EXPLAIN:
        head = _EXPLAIN.match(text)
        inner = con.extract_statements(text[head.end():]) if head else []
        if len(inner) == 1:
            why = _kind(con, inner[0])
            return None if why is None else f"EXPLAIN of {why}"
        return "this EXPLAIN"
    return stmt.type.name


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise ``QueryError`` unless ``sql`` is exactly one statement of a kind that cannot write."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as err:
        raise QueryError(str(err).splitlines()[0]) from None
    if not statements:
        raise QueryError("no SQL statement given (the SQL is empty or only comments)")
    if len(statements) > 1:
        raise QueryError(
            f"sieve query runs one statement at a time; got {len(statements)} (run them as separate commands)"
        )
    why = _kind(con, statements[0])
    if why is not None:
        raise QueryError(
            f"sieve query is read-only; {why} statements are refused "
            "(allowed: SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN and listing PRAGMAs)"
        )


# ----- printing values -----------------------------------------------------------------------------------------------


def _interval(v: dt.timedelta) -> str:
    # DuckDB's own spelling of an interval, e.g. "3 days 04:00:00", not Python's "3 days, 4:00:00"
    days, rest = divmod(v, dt.timedelta(days=1))
    hours, rest = divmod(rest, dt.timedelta(hours=1))
    minutes, rest = divmod(rest, dt.timedelta(minutes=1))
    seconds = rest.total_seconds()
    clock = f"{hours:02d}:{minutes:02d}:{int(seconds):02d}"
    if seconds != int(seconds):
        clock += f"{seconds - int(seconds):.6f}".lstrip("0").rstrip("0")
    if not days:
        return clock
    return f"{days} day{'s' if abs(days) != 1 else ''} {clock}"


def json_value(v):
    """A value as JSON can hold it: NaN/Infinity as null, blobs as base64, intervals, dates, decimals as strings."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, dt.timedelta):
        return _interval(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (decimal.Decimal, uuid.UUID)):
        return str(v)
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    return str(v)


def text_value(v) -> str | None:
    """A value as one CSV or table cell: nested values (lists, structs, maps) as JSON; None stays None."""
    if v is None:
        return None
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(json_value(v), ensure_ascii=False)
    if isinstance(v, (bytes, bytearray, memoryview, dt.timedelta)):
        return json_value(v)
    return str(v)


# ----- writing results -----------------------------------------------------------------------------------------------
# The result arrives as an iterator of row batches (tasks.catalog.query_stream). CSV and JSON are written batch by
# batch, so their memory does not grow with the result; a table needs every shown row to size its columns, so it
# shows at most ``max_rows`` rows and counts the rest, as the duckdb CLI does.

TABLE_MAX_ROWS = 1000


def write_json(names: list[str], batches, out) -> None:
    """Write the rows as one JSON array of objects (a repeated column name gets a suffix: a, a_2), batch by batch."""
    keys = unique_names(names)
    out.write("[")
    first = True
    for batch in batches:
        text = ", ".join(json.dumps({k: json_value(v) for k, v in zip(keys, r, strict=True)}, ensure_ascii=False,
                                    allow_nan=False) for r in batch)
        out.write(text if first else ", " + text)
        first = False
    out.write("]\n")


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` prefixed with ``'`` when a spreadsheet would run it as a formula, as OWASP advises."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(names: list[str], batches, out, defuse: bool = False) -> None:
    """Write a header line and the rows as CSV, batch by batch; nested values as JSON, NULL as an empty cell.

    ``defuse``: text cells that a spreadsheet would run as a formula get a leading ``'`` (``spreadsheet_safe``), for
    listings of untrusted text meant for people (the review queue holds planted content); data exports leave it off.
    """
    w = csv.writer(out)
    w.writerow(names)
    for batch in batches:
        if defuse:
            w.writerows([spreadsheet_safe(text_value(v)) if isinstance(v, str) else text_value(v) for v in r]
                        for r in batch)
        else:
            w.writerows([text_value(v) for v in r] for r in batch)


def _cell(v) -> str:
    return "NULL" if v is None else "'NULL'" if v == "NULL" else text_value(v).replace("\n", " ")


def write_table(names: list[str], batches, out, max_rows: int = TABLE_MAX_ROWS) -> None:
    """Write an aligned text table of the first ``max_rows`` rows (0: all of them) and a footer with the row count.

    Rows past ``max_rows`` are fetched and counted, never kept, so the footer says how many the result had."""
    cells: list[list[str]] = []
    total = 0
    for batch in batches:
        room = len(batch) if max_rows <= 0 else max(0, max_rows - len(cells))
        cells.extend([_cell(v) for v in r] for r in batch[:room])
        total += len(batch)
    widths = [max([len(n)] + [len(c[i]) for c in cells]) for i, n in enumerate(names)]
    out.write("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for c in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip() + "\n")
    if len(cells) < total:
        out.write(f"({len(cells)} of {total} rows shown; --max-rows 0 shows all, --format csv or json streams "
                  "every row)\n")
    else:
        out.write(f"({total} row{'s' if total != 1 else ''})\n")
