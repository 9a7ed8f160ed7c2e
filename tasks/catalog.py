"""The DuckDB catalog: views over the lake's Parquet, the ``reviews`` table, and read-only querying.

Parallel tasks never write the catalog: they write Parquet, and one process refreshes the views afterwards under
the catalog lock. View paths are absolute, so the catalog opens from any working directory.
"""

from __future__ import annotations

import functools
import glob as globmod
import hashlib
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from schemas import arrow
from tasks import duck
from tasks.duck import sql_literal
from tasks.lake import CatalogLocked, Lake, LakeError, catalog_lock
from tasks.query import QueryError, check_read_only

__all__ = ["QueryError", "duck_type", "empty_select", "ensure_fresh", "has_runs", "open_catalog", "query",
           "query_stream", "rebuild_lost_catalog", "refresh_catalog", "refresh_or_defer", "sql_list"]

VIEWS_SQL = Path(__file__).resolve().parent.parent / "schemas" / "views.sql"


@functools.cache
def views_code_sha256() -> str:
    """Digest of the code that builds the views (this module, the Arrow schemas, views.sql).

    Stored in the catalog, so a reader notices a catalog built by another version of Sieve (an upgrade that adds a
    column or fixes a view) and rebuilds it, instead of serving the old views until the next run.
    """
    h = hashlib.sha256()
    for path in (Path(__file__), Path(arrow.__file__), VIEWS_SQL):
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()


def duck_type(t: pa.DataType) -> str:
    """The DuckDB type name of an Arrow type used in Sieve's schemas."""
    if pa.types.is_string(t):
        return "VARCHAR"
    if pa.types.is_floating(t):
        return "DOUBLE"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_list(t) and pa.types.is_struct(t.value_type):
        inner = ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in t.value_type)
        return f"STRUCT({inner})[]"
    if pa.types.is_list(t):
        return f"{duck_type(t.value_type)}[]"
    raise TypeError(f"no DuckDB type for {t}")


def empty_select(schema: pa.Schema) -> str:
    """A SELECT returning no rows with ``schema``'s columns (views over tables that have no files yet)."""
    cols = ", ".join(f'NULL::{duck_type(f.type)} AS "{f.name}"' for f in schema)
    return f"SELECT {cols} LIMIT 0"


def sql_list(paths: list[str] | list[Path]) -> str:
    """A DuckDB list literal of quoted paths (for statements that cannot take prepared parameters)."""
    return "[" + ", ".join(sql_literal(p) for p in paths) + "]"


# The dataset of a clean or quarantine file, from its path (clean/<dataset>/run=<run_id>/part-*.parquet).
DATASET_COLUMN = ("dataset", "regexp_extract(filename, '/(clean|quarantine)/([^/]+)/run=', 2)")


def _parquet_view(con: duckdb.DuckDBPyConnection, name: str, glob: Path, schema: pa.Schema,
                  derived: tuple[tuple[str, str], ...] = (), where: str = "") -> str:
    """The view of ``name`` over the Parquet files of ``glob``, with every column of ``schema`` in its order, then
    the ``derived`` ``(column, VARCHAR expression over filename)`` columns.

    A column added to the schema after a lake's files were written (columns are only added at the end) is in none
    of them: it reads as NULL instead of failing the whole catalog. With no file yet the view is empty but has the
    same columns, derived ones included (a lake with nothing quarantined is still a lake to query and review).
    """
    if not globmod.glob(str(glob)):
        derived_nulls = pa.schema([(column, pa.string()) for column, _ in derived])
        return f"CREATE OR REPLACE VIEW {name} AS {empty_select(pa.unify_schemas([schema, derived_nulls]))}"
    source = f"read_parquet({sql_literal(glob)}, hive_partitioning=false, union_by_name=true, filename=true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(
        f'"{f.name}"' if f.name in present else f'NULL::{duck_type(f.type)} AS "{f.name}"' for f in schema
    )
    extra = "".join(f", {expr} AS {column}" for column, expr in derived)
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {cols}{extra} FROM {source} {where}".rstrip()


# A one-row view naming the lake folder the views were built for and a digest of their SQL: a copied or moved lake
# (its views hold absolute paths into the old folder) is noticed, and a refresh that would change nothing is skipped.
INFO_VIEW = "sieve_catalog"
# Left in the lake when a run could not refresh the catalog (a reader held it open); the next refresh removes it.
STALE_MARKER = "_catalog_stale"
RUN_REFRESH_WAIT = 15.0  # seconds a finished run waits for readers before leaving the refresh to the next command
QUERY_REFRESH_WAIT = 2.0  # seconds `sieve query` waits to refresh a stale catalog before reading it as it is


def _view_statements(root: Path) -> tuple[list[str], str]:
    """The statements that build the catalog for the lake at ``root``, and the digest of its views."""
    statements = []
    schemas = duck.connect()  # reads the files' columns only
    try:
        for table, schema in arrow.PROVENANCE.items():
            if table == "reviews":
                continue
            glob = root / "provenance" / table / "run=*" / "*.parquet"
            statements.append(_parquet_view(schemas, table, glob, schema))
        # The data views show completed runs only: a run that failed (or is still writing) leaves part of its
        # shards behind, and nobody should train on or review those before a rerun of the same inputs completes
        # it. Its provenance rows stay visible, to say what happened.
        completed = "WHERE run_id IN (SELECT run_id FROM runs WHERE status = 'completed')"
        for name, schema in (("clean", arrow.CLEAN), ("quarantine", arrow.QUARANTINE)):
            statements.append(_parquet_view(schemas, name, root / name / "*" / "run=*" / "*.parquet", schema,
                                            (DATASET_COLUMN,), completed))
    finally:
        schemas.close()
    cols = ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in arrow.PROVENANCE["reviews"])
    statements.append(f"CREATE TABLE IF NOT EXISTS reviews ({cols})")
    if VIEWS_SQL.exists():
        statements.append(VIEWS_SQL.read_text())
    digest = hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()
    statements.append(f"CREATE OR REPLACE VIEW {INFO_VIEW} AS SELECT {sql_literal(root)} AS lake_root, "
                      f"{sql_literal(digest)} AS views_sha256, {sql_literal(views_code_sha256())} AS code_sha256")
    return statements, digest


def _built_for(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str | None] | None:
    """(lake_root, views_sha256, code_sha256) the catalog's views were built for and by; None for a catalog older
    than that record, code_sha256 None for one built before it was recorded."""
    try:
        row = con.execute(f"SELECT * FROM {INFO_VIEW}").fetchone()
    except duckdb.CatalogException:
        return None
    return (row[0], row[1], row[2] if len(row) > 2 else None) if row else None


def _read_built_for(lake: Lake) -> tuple[str, str, str | None] | None:
    con = open_catalog(lake.catalog, read_only=True)
    try:
        return _built_for(con)
    finally:
        con.close()


def refresh_catalog(lake: Lake, wait: float | None = None) -> None:
    """(Re)create every view over the lake's Parquet and make sure the ``reviews`` table exists.

    Nothing is written when the views would not change (the usual case after a run: views are globs, so a run's new
    files are already in them). Otherwise the catalog is opened for writing, which DuckDB refuses while any other
    process has it open, even read-only: with ``wait`` None this waits for the catalog lock and 5 s for DuckDB's,
    else up to about ``wait`` seconds in all; then it raises ``CatalogLocked``.
    """
    root = lake.root.resolve()
    if lake.catalog.exists() and not (lake.root / STALE_MARKER).exists():
        try:
            if _read_built_for(lake) == (str(root), _view_statements(root)[1], views_code_sha256()):
                return
        except CatalogLocked:
            pass  # another process is refreshing it: wait for it below, under the catalog lock
    deadline = None if wait is None else time.monotonic() + wait
    with catalog_lock(lake, wait):
        statements = _view_statements(root)[0]  # again under the lock: files another run wrote meanwhile are in
        left = 5.0 if deadline is None else max(deadline - time.monotonic(), 0.1)
        con = open_catalog(lake.catalog, read_only=False, attempts=max(int(left / 0.1), 1))
        try:
            for sql in statements:
                con.execute(sql)
        finally:
            con.close()
        (lake.root / STALE_MARKER).unlink(missing_ok=True)


def refresh_or_defer(lake: Lake, wait: float = RUN_REFRESH_WAIT) -> bool:
    """Refresh the catalog at the end of a run or release; if readers hold it past ``wait``, leave it to later.

    The run's files are all written by then, so it must not fail because someone is reading the catalog: this
    leaves ``<lake>/_catalog_stale`` instead, says so in one line on stderr, and returns False. The next refresh
    (a run, ``sieve query``, a review command) that gets the catalog removes the marker.
    """
    try:
        refresh_catalog(lake, wait)
        return True
    except CatalogLocked:
        (lake.root / STALE_MARKER).touch()
        print(
            f"sieve: warning: the catalog {lake.catalog} is open in another program (a `sieve query`, a DuckDB "
            "client), so its views were not refreshed; every file is written, and the next sieve command that can "
            "open the catalog refreshes it",
            file=sys.stderr,
        )
        return False


def ensure_fresh(lake: Lake, wait: float = QUERY_REFRESH_WAIT) -> None:
    """Before reading: refresh a catalog a run left stale, one built for another folder (a copied lake), or one
    built by another version of the view code (an upgrade).

    A stale catalog that stays locked is read as it is (its views still see every file of the tables they cover);
    one built for another folder is not, since its views would read that folder's files.
    """
    built = _read_built_for(lake) if lake.catalog.exists() else None
    moved = built is not None and Path(built[0]) != lake.root.resolve()
    upgraded = built is not None and built[2] != views_code_sha256()
    if not moved and not upgraded and built is not None and not (lake.root / STALE_MARKER).exists():
        return
    try:
        refresh_catalog(lake, wait)
    except CatalogLocked:
        if moved:
            raise LakeError(
                f"the catalog {lake.catalog} was built for the lake at {built[0]} (a copied or moved lake), so its "
                "views would read that lake's files; close the programs that hold it open and run the command "
                "again to rebuild its views"
            ) from None
        print(f"sieve: warning: the catalog {lake.catalog} could not be refreshed (open in another program); "
              "reading it as it is", file=sys.stderr)
    except (OSError, LakeError) as err:  # a lake the user may read but not write: read what is there
        if moved:
            raise LakeError(f"the catalog {lake.catalog} was built for the lake at {built[0]} and cannot be "
                            f"rebuilt here: {err}") from None


def has_runs(lake: Lake) -> bool:
    """Whether the lake holds any run's ``runs`` Parquet (so a catalog can be built from it)."""
    return any((lake.root / "provenance" / "runs").glob("run=*/*.parquet"))


def rebuild_lost_catalog(lake: Lake) -> None:
    """Build a missing catalog from the lake's Parquet (views, then the reviews journal); a lake without runs fails.

    The catalog is written when a run ends: a first run killed before then (SIGKILL, the OOM killer) leaves its
    provenance Parquet and no catalog, and a deleted catalog file loses nothing the lake does not hold. Either way
    the reader gets the lake's rows, the killed run's ``running`` row included, not "run sieve run first".
    """
    if not has_runs(lake):
        raise LakeError(f"no catalog at {lake.catalog}: run `sieve run ... --lake {lake.root}` first")
    from tasks.review.reviews import restore_reviews  # lazy: the review package imports this module

    refresh_catalog(lake)
    restored = restore_reviews(lake)
    reviews = f" and restored {restored} review{'s' if restored != 1 else ''} from its journal" if restored else ""
    print(f"sieve: rebuilt the catalog {lake.catalog} from the lake's Parquet{reviews}", file=sys.stderr)


def open_catalog(path: Path, read_only: bool, attempts: int = 50) -> duckdb.DuckDBPyConnection:
    """Open the catalog, retrying every 0.1 s (``attempts`` times) while another process holds DuckDB's lock;
    then ``CatalogLocked``. Any other failure to open it is a ``LakeError``."""
    for i in range(attempts):
        try:
            return duck.connect(str(path), read_only=read_only)
        except duckdb.IOException as err:
            if "lock" not in str(err).lower():
                raise LakeError(f"cannot open catalog {path}: {err}") from None
            if i == attempts - 1:
                raise CatalogLocked(f"cannot open catalog {path}: {err}") from None
            time.sleep(0.1)
    raise AssertionError("unreachable")


def query(lake: Lake, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one read-only statement against the catalog; return column names and all rows (see ``query_stream``)."""
    with query_stream(lake, sql, params) as (names, batches):
        return names, [row for batch in batches for row in batch]


@contextmanager
def query_stream(lake: Lake, sql: str, params: list | None = None, batch_rows: int = 10_000):
    """Run one read-only statement against the catalog; yield its column names and an iterator of row batches.

    The rows are fetched ``batch_rows`` at a time while the caller consumes them, so a result of millions of rows
    takes the memory of one batch, not of the result (``sieve query`` streams CSV and JSON this way). The
    statement is checked first (``tasks.query.check_read_only``): the read-only connection alone would not stop
    COPY ... TO, EXPORT DATABASE or ATTACH from writing outside the catalog. A DuckDB error, when the statement
    starts or while its rows are fetched, is a ``QueryError``.
    """
    if not lake.catalog.exists():
        rebuild_lost_catalog(lake)
    ensure_fresh(lake)
    con = open_catalog(lake.catalog, read_only=True)
    try:
        with _query_errors():
            check_read_only(con, sql)
            cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description] if cur.description else []
        yield names, _batches(cur, batch_rows) if cur.description else iter(())
    finally:
        con.close()


def _batches(cur: duckdb.DuckDBPyConnection, batch_rows: int):
    while True:
        with _query_errors():  # a cast or I/O error may surface only when its rows are fetched
            rows = cur.fetchmany(batch_rows)
        if not rows:
            return
        yield rows


@contextmanager
def _query_errors():
    try:
        yield
    except duckdb.Error as err:
        msg = str(err).splitlines()[0]
        if "read-only" in msg.lower() or "read only" in msg.lower():
            raise QueryError(f"sieve query is read-only; this statement would write: {msg}") from None
        raise QueryError(msg) from None
