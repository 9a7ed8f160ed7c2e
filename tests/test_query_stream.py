"""`sieve query` streams big results: CSV and JSON in constant memory, the table capped with a counted footer."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

import pytest

from tests.conftest import ROOT, SIEVE, cli, cli_env


@pytest.fixture
def lake(tmp_path):
    """An empty lake with a catalog (the queries below read no lake table, only what DuckDB generates)."""
    from tasks.catalog import refresh_catalog
    from tasks.lake import Lake

    the_lake = Lake.at(tmp_path / "lake")
    refresh_catalog(the_lake)
    return the_lake


def _peak_rss_mb(*args) -> float:
    """Peak resident memory of one ``sieve`` process whose output goes to /dev/null."""
    proc = subprocess.Popen([*SIEVE, *map(str, args)], cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read()
    return usage.ru_maxrss / 1024


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_big_result_streams_in_constant_memory(lake, fmt):
    # 120,000 rows of 1 kB each: about 120 MB of strings, which a fetch of the whole result holds at once
    # (twice: DuckDB's materialised result and Python's strings); a stream holds one batch of them
    big = "SELECT range AS i, repeat('x', 1000) AS pad FROM range(120000)"
    small = "SELECT range AS i, repeat('x', 1000) AS pad FROM range(10)"
    growth = _peak_rss_mb("query", big, "--lake", lake.root, "--format", fmt) - _peak_rss_mb(
        "query", small, "--lake", lake.root, "--format", fmt)
    assert growth < 60, f"peak memory grew by {growth:.0f} MB for a 120 MB result"


def test_streamed_output_is_the_whole_result_in_order(lake):
    from tasks.catalog import query_stream
    from tasks.query import write_csv, write_json

    sql = "SELECT range AS a, range * 2 AS a, [range] AS l FROM range(7)"
    for writer, parse in ((write_json, json.loads), (write_csv, lambda t: list(csv.reader(io.StringIO(t))))):
        out = io.StringIO()
        with query_stream(lake, sql, batch_rows=3) as (names, batches):  # 3 batches: 3 + 3 + 1 rows
            writer(names, batches, out)
        parsed = parse(out.getvalue())
        if writer is write_json:
            assert parsed == [{"a": i, "a_2": 2 * i, "l": [i]} for i in range(7)]
        else:
            assert parsed == [["a", "a", "l"]] + [[str(i), str(2 * i), f"[{i}]"] for i in range(7)]


def test_the_table_shows_max_rows_and_counts_the_rest(lake):
    out = cli("query", "SELECT range AS n FROM range(2500)", "--lake", lake.root)
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stderr
    assert lines[:3] == ["n", "---", "0"] and lines[-2] == "999" and len(lines) == 2 + 1000 + 1
    assert lines[-1].startswith("(1000 of 2500 rows shown; --max-rows 0 shows all")
    every = cli("query", "SELECT range AS n FROM range(2500)", "--lake", lake.root, "--max-rows", "0").stdout
    assert every.splitlines()[-2:] == ["2499", "(2500 rows)"]
    few = cli("query", "SELECT range AS n FROM range(3)", "--lake", lake.root, "--max-rows", "3").stdout
    assert few.splitlines()[-1] == "(3 rows)"


def test_max_rows_is_refused_where_it_would_mean_nothing(lake):
    for args in (["--format", "csv", "--max-rows", "5"], ["--max-rows", "-1"]):
        out = cli("query", "SELECT 1", "--lake", lake.root, *args)
        assert out.returncode == 2 and out.stdout == "" and "--max-rows" in out.stderr, args


def test_an_error_while_rows_stream_is_one_line_and_exit_2(lake):
    # the bad value is in the second batch: the first 10,000 rows are already out when it is found
    sql = "SELECT (CASE WHEN range = 14000 THEN 'x' ELSE range::VARCHAR END)::INT AS n FROM range(15000)"
    out = cli("query", sql, "--lake", lake.root, "--format", "csv")
    assert out.returncode == 2 and out.stderr.startswith("sieve: error: Conversion Error")
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_reader_that_stops_early_ends_the_query_quietly(lake):
    proc = subprocess.run(f"{' '.join(SIEVE)} query 'SELECT * FROM range(3000000)' --lake {lake.root} "
                          "--format csv | head -n 2", shell=True, cwd=ROOT, env=cli_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.stdout.split() == ["range", "0"] and proc.stderr == ""
