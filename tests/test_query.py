"""`sieve query`: read-only for real, one statement, and output every client can parse (DESIGN.md sections 2, 4)."""

from __future__ import annotations

import csv
import io
import json

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
