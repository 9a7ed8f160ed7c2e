"""DuckDB connections of Sieve (``connect``: the progress bar off) and the settings of its corpus steps, with every
value spliced into SQL as a quoted literal.

``SET`` takes no prepared parameters, so paths (a lake folder may hold a quote) and config values go in as string
literals with their quotes doubled, never pasted between quotes as they are.
"""

from __future__ import annotations

import os

import duckdb


def connect(database: str | os.PathLike[str] = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for Sieve's own work: ``duckdb.connect`` with DuckDB's progress bar off.

    DuckDB draws its bar on stdout, terminal or not, for any statement past 2 s: it landed before ``sieve run
    --json``'s and ``sieve release --json``'s one JSON line and in the CSV or JSON a command prints. Every connection
    the project opens goes through here (``tests/test_duck.py`` checks no module calls ``duckdb.connect`` itself).
    """
    con = duckdb.connect(os.fspath(database), read_only=read_only)
    con.execute("SET enable_progress_bar = false")
    return con


def sql_literal(value: str | os.PathLike[str]) -> str:
    """``value`` (a string or path) as a SQL string literal: single quotes doubled, then the whole quoted."""
    return "'" + os.fspath(value).replace("'", "''") + "'"


def limit_connection(con: duckdb.DuckDBPyConnection, memory_limit: str, threads: int,
                     spill_dir: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """Apply a corpus step's bounds to ``con``: memory limit (spilling to ``spill_dir`` beyond it) and threads."""
    con.execute(f"SET memory_limit={sql_literal(memory_limit)}")
    con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET temp_directory={sql_literal(spill_dir)}")
    return con
