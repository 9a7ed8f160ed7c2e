"""DuckDB connections of the project never draw DuckDB's progress bar on stdout.

DuckDB draws its bar on stdout, terminal or not, for any statement past 2 s (it landed before ``sieve release
--json``'s one line on a big lake). ``tasks.duck.connect`` turns it off; these tests check that every connection the
project opens is made there, that it is off on them, and that off means nothing on stdout.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
_LONG = "SELECT sum(hash(i)) FROM range(30000000) t(i)"


def _bar_on(con) -> bool:
    return con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]


def test_connections_of_the_project_have_the_bar_off(tmp_path):
    """In a process of its own with stdout a pipe, as `sieve ... --json | jq` runs (under pytest's capture DuckDB's
    own default is already off, so in-process the check could not fail)."""
    probe = f"""
import duckdb
from tasks import duck
from tasks.catalog import open_catalog
on = lambda con: con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
path = {str(tmp_path / "catalog.duckdb")!r}
duck.connect(path).close()
print(on(duckdb.connect()), on(duck.connect()), on(open_catalog(path, False)), on(open_catalog(path, True)))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "False", "False"]  # DuckDB's default here is on; the project's off


def test_the_bar_off_prints_nothing_where_on_it_prints(capfd):
    """What the setting is for, pinned against DuckDB upgrades: the bar's delay lowered from 2 s to 1 ms (which
    turns the bar on), a long statement draws on stdout; with the bar then off, the same statement prints nothing."""
    con = duckdb.connect()
    con.execute("SET progress_bar_time = 1")
    con.execute(_LONG).fetchall()
    assert "%" in capfd.readouterr().out
    con.execute("SET enable_progress_bar = false")
    con.execute(_LONG).fetchall()
    assert capfd.readouterr().out == ""


def test_no_module_opens_duckdb_without_tasks_duck_connect():
    """Every connection goes through ``tasks.duck.connect``: one that does not would draw the bar again."""
    direct = re.compile(r"\bduckdb\.(connect|execute|sql|query|read_parquet|read_csv|read_json)\(")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("tasks", "flows", "schemas")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "tasks" / "duck.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert found == []
