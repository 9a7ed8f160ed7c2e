"""Every CLI command and every option is documented in the README (the sqlite-utils habit)."""

from __future__ import annotations

import re

import duckdb
import pytest
import typer.main

from flows.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _commands(group, prefix: str = "sieve"):
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if getattr(cmd, "commands", None):  # a group (typer vendors its own click)
            yield from _commands(cmd, path)
        else:
            yield path, cmd


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_contract_commands_exist():
    names = {path for path, _ in COMMANDS}
    assert {"sieve run", "sieve query"} <= names


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_and_its_options_are_in_the_readme(path, cmd):
    assert f"`{path}" in README, f"{path} is not documented in README.md"
    for param in cmd.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"{path} {opt} is not documented in README.md"


# ../shared/DESIGN.md section 5: the contract columns, which come first in every table (additions go at the end)
CONTRACT = {
    "runs": "run_id dataset flow_run_id started_at finished_at status config_hash config_json code_version",
    "sources": "run_id source_uri sha256 size_bytes records expected_sha256 integrity",
    "documents": "run_id doc_id source_id source_uri source_record content_hash outcome output_uri",
    "decisions": "run_id doc_id stage reason action score evidence detector_version",
    "scores": "run_id doc_id stage name value",
    "duplicates": "run_id doc_id duplicate_of method similarity",
    "reviews": "run_id doc_id reviewer verdict note reviewed_at",
    "files": "run_id role uri sha256 rows",
}


def test_provenance_tables_keep_the_contract_and_the_readme_lists_every_column(tmp_path):
    from schemas import arrow
    from tasks.catalog import refresh_catalog
    from tasks.lake import Lake

    documented = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([a-z0-9_, ]+) \|$", README, re.M))
    lake = Lake.at(tmp_path / "lake")
    refresh_catalog(lake)  # an empty lake: every view exists, with its columns
    con = duckdb.connect(str(lake.catalog), read_only=True)
    try:
        for table, contract in CONTRACT.items():
            names = arrow.PROVENANCE[table].names
            assert names[: len(contract.split())] == contract.split(), table
            assert documented[table].split(", ") == names, f"README's {table} columns"
            assert [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()] == names, table
    finally:
        con.close()


def test_every_cookbook_query_binds_on_the_catalog(tmp_path):
    from tasks.catalog import query, refresh_catalog
    from tasks.lake import Lake

    section = README[README.index("## SQL cookbook"):README.index("## Reviewing the quarantine")]
    statements = re.findall(r"```sql\n(.*?)```", section, re.S)
    assert len(statements) >= 12
    lake = Lake.at(tmp_path / "lake")
    refresh_catalog(lake)
    for sql in statements:
        query(lake, sql)  # a column or view the catalog lacks fails here


def test_a_lake_written_before_a_column_was_added_still_opens(tmp_path):
    """Columns are only added at the end: Parquet written by an older Sieve lacks them, and reads them as NULL."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas import arrow
    from tasks.catalog import query, refresh_catalog
    from tasks.lake import Lake

    lake = Lake.at(tmp_path / "lake")
    old = pa.schema([f for f in arrow.PROVENANCE["duplicates"] if f.name != "kept_run_id"])
    row = {"run_id": "r1", "doc_id": "d2", "duplicate_of": "d1", "method": "exact", "similarity": 1.0}
    path = lake.provenance_dir("duplicates", "r1") / "part-00000.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([row], schema=old), path)
    refresh_catalog(lake)
    names, rows = query(lake, "SELECT * FROM duplicates")
    assert names == arrow.PROVENANCE["duplicates"].names and rows == [("r1", "d2", "d1", "exact", 1.0, None)]
