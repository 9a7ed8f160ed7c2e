"""`sieve query`: read-only for real, one statement, and output every client can parse (DESIGN.md sections 2, 4)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager

import duckdb
import pytest

from tests.conftest import cli


@pytest.fixture
def lake(tmp_path):
    """An empty lake whose catalog has every view and one review row (the audit trail an attack would erase)."""
    from tasks.catalog import refresh_catalog
    from tasks.lake import Lake

    the_lake = Lake.at(tmp_path / "lake")
    refresh_catalog(the_lake)
    con = duckdb.connect(str(the_lake.catalog))
    try:
        con.execute("INSERT INTO reviews (run_id, doc_id, reviewer, verdict) VALUES ('r1', 'd1', 'ann', 'approve')")
    finally:
        con.close()
    return the_lake


def _reviews(lake) -> int:
    con = duckdb.connect(str(lake.catalog), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM reviews").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("sql", [
    "COPY (SELECT * FROM documents) TO '{out}/x.csv'",
    "EXPORT DATABASE '{out}/e'",
    "ATTACH '{out}/o.duckdb' AS o (READ_ONLY false)",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}/x.csv'",
    "/* hi */ EXPLAIN (FORMAT json) COPY (SELECT 1) TO '{out}/x.csv'",
    "SET threads = 1",
    "PRAGMA profiling_output = '{out}/p'",
    "CALL checkpoint()",
    "INSTALL httpfs",
    "DELETE FROM reviews",
])
def test_statements_that_can_write_are_refused(lake, tmp_path, sql):
    from tasks.catalog import QueryError, query

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QueryError, match="^sieve query is read-only; "):
        query(lake, sql.format(out=out))
    assert list(out.iterdir()) == []


def test_the_catalog_cannot_be_reattached_writable_to_erase_reviews(lake, tmp_path):
    from tasks.catalog import QueryError, query

    attack = (f"ATTACH '{tmp_path}/o.duckdb' AS o (READ_ONLY false); USE o; DETACH catalog; "
              f"ATTACH '{lake.catalog}' AS c2 (READ_ONLY false); CREATE TABLE c2.pwned AS SELECT 1; "
              "DELETE FROM c2.reviews")
    with pytest.raises(QueryError, match="one statement"):
        query(lake, attack)
    assert _reviews(lake) == 1 and not (tmp_path / "o.duckdb").exists()


@pytest.mark.parametrize("sql", [
    "SELECT count(*) FROM reviews", "FROM reviews", "DESCRIBE reviews", "SHOW TABLES", "SUMMARIZE reviews",
    "VALUES (1)", "WITH x AS (SELECT 1 AS a) SELECT * FROM x", "EXPLAIN SELECT 1", "EXPLAIN ANALYZE SELECT 1",
    "PRAGMA table_info('reviews')", "PIVOT reviews ON verdict USING count(*)", "-- why\nSELECT 1;",
])
def test_reading_statements_run(lake, sql):
    from tasks.catalog import query

    names, rows = query(lake, sql)
    assert names and rows


def test_reading_a_local_file_is_allowed(lake, tmp_path):
    (tmp_path / "f.csv").write_text("a\n1\n2\n")
    from tasks.catalog import query

    assert query(lake, f"SELECT sum(a) FROM read_csv('{tmp_path}/f.csv')")[1] == [(3,)]


def test_cli_refuses_writes_several_statements_and_empty_sql_in_one_line(lake, tmp_path):
    cases = {
        f"COPY (SELECT 1) TO '{tmp_path}/x.csv'": "sieve query is read-only; COPY",
        f"COPY (SELECT 1) TO '{tmp_path}/x.csv'; SELECT 42": "one statement at a time; got 2",
        "": "no SQL statement",
        "   ": "no SQL statement",
        ";": "no SQL statement",
    }
    for sql, message in cases.items():
        out = cli("query", sql, "--lake", lake.root)
        assert out.returncode == 2 and out.stdout == "", (sql, out.stderr)
        assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, (sql, out.stderr)
    assert not (tmp_path / "x.csv").exists()


def test_json_is_valid_and_keeps_every_column(lake):
    sql = ("SELECT 1 AS a, 2 AS a, 'nan'::DOUBLE AS x, 'inf'::DOUBLE AS y, [1, NULL] AS l, {'k': true} AS s, "
           "'ab'::BLOB AS b, INTERVAL 3 DAY + INTERVAL 90 MINUTE AS i")
    out = cli("query", sql, "--lake", lake.root, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}")) == [{
        "a": 1, "a_2": 2, "x": None, "y": None, "l": [1, None], "s": {"k": True}, "b": "YWI=",
        "i": "3 days 01:30:00",
    }]


def test_csv_and_table_print_nested_values_as_json(lake):
    sql = "SELECT [1, NULL] AS l, {'k': true} AS s, NULL AS n, 'NULL' AS t"
    out = cli("query", sql, "--lake", lake.root, "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert list(csv.reader(io.StringIO(out.stdout))) == [["l", "s", "n", "t"], ["[1, null]", '{"k": true}', "", "NULL"]]
    table = cli("query", sql, "--lake", lake.root).stdout.splitlines()
    assert table[2].split() == ["[1,", "null]", '{"k":', "true}", "NULL", "'NULL'"]


# ----- the catalog refresh and readers ------------------------------------------------------------------------------


def _write_rows(lake, table: str, run_id: str, rows: list[dict]):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas import arrow

    path = lake.provenance_dir(table, run_id) / "part-00000.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = arrow.PROVENANCE[table]
    pq.write_table(pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema), path)


@contextmanager
def _held_open(catalog):
    """Another process holding the catalog open read-only (a long `sieve query`, or `duckdb L/catalog.duckdb`)."""
    proc = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys; c = duckdb.connect({str(catalog)!r}, read_only=True); "
         "print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_a_reader_does_not_delay_a_refresh_that_changes_nothing(lake, capsys):
    from tasks.catalog import refresh_catalog, refresh_or_defer

    _write_rows(lake, "duplicates", "r1", [{"run_id": "r1", "doc_id": "d2", "duplicate_of": "d1"}])
    refresh_catalog(lake)
    with _held_open(lake.catalog):
        _write_rows(lake, "duplicates", "r2", [{"run_id": "r2", "doc_id": "d3", "duplicate_of": "d1"}])
        t0 = time.monotonic()
        assert refresh_or_defer(lake, wait=5.0)  # a run's new files are in the views' globs already
        assert time.monotonic() - t0 < 2.5 and capsys.readouterr().err == ""
    assert not (lake.root / "_catalog_stale").exists()


def test_a_reader_defers_a_needed_refresh_to_the_next_query(lake, capsys):
    from tasks.catalog import query, refresh_or_defer

    with _held_open(lake.catalog):
        _write_rows(lake, "duplicates", "r1", [{"run_id": "r1", "doc_id": "d2", "duplicate_of": "d1"}])
        assert not refresh_or_defer(lake, wait=0.5)  # a new view is needed, and the reader holds the catalog
        err = capsys.readouterr().err.strip()
        assert err.startswith("sieve: warning: the catalog") and len(err.splitlines()) == 1
        assert (lake.root / "_catalog_stale").exists()
        names, rows = query(lake, "SELECT count(*) FROM duplicates")  # still held: read as it is, with a warning
        assert rows == [(0,)] and "could not be refreshed" in capsys.readouterr().err
    assert query(lake, "SELECT doc_id FROM duplicates")[1] == [("d2",)]  # the next query refreshed it first
    assert not (lake.root / "_catalog_stale").exists()


def test_a_copied_lake_reads_its_own_files(lake, tmp_path):
    from tasks.catalog import query, refresh_catalog
    from tasks.lake import Lake

    _write_rows(lake, "duplicates", "r1", [{"run_id": "r1", "doc_id": "d2", "duplicate_of": "d1"}])
    refresh_catalog(lake)
    copy = tmp_path / "copy"
    shutil.copytree(lake.root, copy)
    _write_rows(Lake(copy), "duplicates", "r1", [{"run_id": "r1", "doc_id": "copied", "duplicate_of": "d1"}])
    out = cli("query", "SELECT doc_id FROM duplicates", "--lake", copy, "--format", "csv")
    assert out.returncode == 0 and out.stdout.split() == ["doc_id", "copied"], out.stderr
    assert query(lake, "SELECT doc_id FROM duplicates")[1] == [("d2",)]
    assert query(Lake(copy), "SELECT lake_root FROM sieve_catalog")[1] == [(str(copy.resolve()),)]


def test_a_copied_lake_whose_catalog_is_held_fails_clearly(lake, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(lake.root, copy)
    with _held_open(copy / "catalog.duckdb"):
        out = cli("query", "SELECT 1", "--lake", copy)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert f"was built for the lake at {lake.root.resolve()}" in out.stderr


def test_review_tools_refresh_a_catalog_a_run_left_stale(lake):
    from tasks.catalog import refresh_or_defer
    from tasks.review import access

    with _held_open(lake.catalog):
        _write_rows(lake, "duplicates", "r1", [{"run_id": "r1", "doc_id": "d2", "duplicate_of": "d1"}])
        assert not refresh_or_defer(lake, wait=0.2)
    with access.reading(lake) as con:
        assert con.execute("SELECT doc_id FROM duplicates").fetchall() == [("d2",)]
    assert not (lake.root / "_catalog_stale").exists()
