"""DuckDB settings of Sieve's corpus steps, with every value spliced into SQL as a quoted literal.

``SET`` takes no prepared parameters, so paths (a lake folder may hold a quote) and config values go in as string
literals with their quotes doubled, never pasted between quotes as they are.
"""

from __future__ import annotations

import os

import duckdb


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
