"""The DuckDB catalog: views over the lake's Parquet, the ``reviews`` table, and read-only querying.

Parallel tasks never write the catalog: they write Parquet, and one process refreshes the views afterwards under
the catalog lock. View paths are absolute, so the catalog opens from any working directory.
"""

from __future__ import annotations

import glob as globmod
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from schemas import arrow
from tasks.lake import Lake, LakeError, catalog_lock
from tasks.query import QueryError, check_read_only

__all__ = ["QueryError", "duck_type", "empty_select", "query", "refresh_catalog", "sql_list"]

VIEWS_SQL = Path(__file__).resolve().parent.parent / "schemas" / "views.sql"


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


def _lit(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def sql_list(paths: list[str] | list[Path]) -> str:
    """A DuckDB list literal of quoted paths (for statements that cannot take prepared parameters)."""
    return "[" + ", ".join(_lit(p) for p in paths) + "]"


def _parquet_view(con: duckdb.DuckDBPyConnection, name: str, glob: Path, schema: pa.Schema, extra: str = "") -> str:
    """The view of ``name`` over the Parquet files of ``glob``, with every column of ``schema`` in its order.

    A column added to the schema after a lake's files were written (columns are only added at the end) is in none
    of them: it reads as NULL instead of failing the whole catalog.
    """
    if not globmod.glob(str(glob)):
        return f"CREATE OR REPLACE VIEW {name} AS {empty_select(schema)}"
    source = f"read_parquet({_lit(glob)}, hive_partitioning=false, union_by_name=true, filename=true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(
        f'"{f.name}"' if f.name in present else f'NULL::{duck_type(f.type)} AS "{f.name}"' for f in schema
    )
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {cols}{extra} FROM {source}"


def refresh_catalog(lake: Lake) -> None:
    """(Re)create every view over the lake's Parquet and make sure the ``reviews`` table exists."""
    root = lake.root
    statements = []
    schemas = duckdb.connect()  # reads the files' columns only
    try:
        for table, schema in arrow.PROVENANCE.items():
            if table == "reviews":
                continue
            glob = root / "provenance" / table / "run=*" / "*.parquet"
            statements.append(_parquet_view(schemas, table, glob, schema))
        dataset_col = ", regexp_extract(filename, '/(clean|quarantine)/([^/]+)/run=', 2) AS dataset"
        for name, schema in (("clean", arrow.CLEAN), ("quarantine", arrow.QUARANTINE)):
            statements.append(_parquet_view(schemas, name, root / name / "*" / "run=*" / "*.parquet", schema,
                                            dataset_col))
    finally:
        schemas.close()
    cols = ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in arrow.PROVENANCE["reviews"])
    statements.append(f"CREATE TABLE IF NOT EXISTS reviews ({cols})")
    if VIEWS_SQL.exists():
        statements.append(VIEWS_SQL.read_text())
    with catalog_lock(lake):
        con = _connect(lake.catalog, read_only=False)
        try:
            for sql in statements:
                con.execute(sql)
        finally:
            con.close()


def _connect(path: Path, read_only: bool, attempts: int = 50) -> duckdb.DuckDBPyConnection:
    """Open the catalog, waiting briefly while another process holds DuckDB's write lock."""
    for i in range(attempts):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or i == attempts - 1:
                raise LakeError(f"cannot open catalog {path}: {err}") from None
            time.sleep(0.1)
    raise AssertionError("unreachable")


def query(lake: Lake, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one read-only statement against the catalog; return column names and rows.

    The statement is checked first (``tasks.query.check_read_only``): the read-only connection alone would not stop
    COPY ... TO, EXPORT DATABASE or ATTACH from writing outside the catalog.
    """
    if not lake.catalog.exists():
        raise LakeError(f"no catalog at {lake.catalog}: run `sieve run ... --lake {lake.root}` first")
    con = _connect(lake.catalog, read_only=True)
    try:
        check_read_only(con, sql)
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description] if cur.description else []
        return names, cur.fetchall() if cur.description else []
    except duckdb.Error as err:
        msg = str(err).splitlines()[0]
        if "read-only" in msg.lower() or "read only" in msg.lower():
            raise QueryError(f"sieve query is read-only; this statement would write: {msg}") from None
        raise QueryError(msg) from None
    finally:
        con.close()
