"""Run-level provenance: the ``runs``, ``sources`` and ``files`` tables, and the dataset's run history.

Provenance lives in the lake as Parquet, never only in Prefect's database (which can lose records under load).
A run's ``runs`` row is one file, replaced atomically when its status changes (running -> completed | failed).
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow
from tasks import duck
from tasks.lake import Lake, file_sha256, write_parquet_atomic


@cache
def code_version() -> str:
    """``sieve <version>`` plus the git commit when run from a checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("sieve")
    except PackageNotFoundError:
        v = "0+unknown"
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"sieve {v}" + (f"+g{sha}" if sha else "")


def write_run_row(lake: Lake, row: dict[str, Any]) -> None:
    """Write (or replace) the single ``runs`` row of ``row['run_id']``."""
    full = {name: row.get(name) for name in arrow.PROVENANCE["runs"].names}
    table = pa.Table.from_pylist([full], schema=arrow.PROVENANCE["runs"])
    write_parquet_atomic(table, lake.provenance_dir("runs", row["run_id"]) / "part-00000.parquet")


def write_table_rows(lake: Lake, table: str, run_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the run's rows of a run-level table (``sources``, ``files``) as one Parquet file."""
    schema = arrow.PROVENANCE[table]
    data = pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema=schema)
    return write_parquet_atomic(data, lake.provenance_dir(table, run_id) / "part-00000.parquet")


def file_rows(role: str, folder: Path) -> list[dict[str, Any]]:
    """``files`` rows of the Parquet files already in ``folder`` (written by a step that is not the router)."""
    return [
        {"role": role, "uri": str(f), "sha256": file_sha256(f), "rows": pq.ParquetFile(f).metadata.num_rows}
        for f in sorted(folder.glob("*.parquet"))
    ]


def now() -> datetime:
    """The current UTC time (timestamps in provenance are UTC)."""
    return datetime.now(UTC)


def datasets(lake: Lake) -> list[str]:
    """The datasets that have at least one run (curate or release) in the lake, from the ``runs`` Parquet."""
    files = sorted((lake.root / "provenance" / "runs").glob("run=*/*.parquet"))
    if not files:
        return []
    con = duck.connect()
    try:
        rows = con.execute("SELECT DISTINCT dataset FROM read_parquet(?, union_by_name=true) ORDER BY 1",
                           [[str(f) for f in files]]).fetchall()
    finally:
        con.close()
    return [d for (d,) in rows if d]


def run_history(lake: Lake, dataset: str) -> list[dict[str, Any]]:
    """Every curate run of ``dataset`` in the lake, oldest first (read from the Parquet, not the catalog).

    Release runs (``kind`` = ``release``, from ``sieve release``) are left out: they are not a corpus that dedup or
    the poison statistics can compare against, and they never resume.
    """
    files = sorted((lake.root / "provenance" / "runs").glob("run=*/part-*.parquet"))
    if not files:
        return []
    con = duck.connect()
    try:
        rows = con.execute(
            "SELECT run_id, status, plan_hash, started_at FROM read_parquet(?, union_by_name=true) "
            "WHERE dataset = ? AND coalesce(kind, '') <> 'release' ORDER BY started_at, run_id",
            [[str(f) for f in files], dataset],
        ).fetchall()
    finally:
        con.close()
    return [dict(zip(("run_id", "status", "plan_hash", "started_at"), r, strict=True)) for r in rows]


def completed_runs(lake: Lake, dataset: str, exclude: str | None = None) -> list[str]:
    """Ids of the completed runs of ``dataset``, oldest first: earlier copies that dedup compares against."""
    return [
        r["run_id"]
        for r in run_history(lake, dataset)
        if r["status"] == "completed" and r["run_id"] != exclude
    ]


def resumable_run(lake: Lake, dataset: str, plan_hash: str) -> str | None:
    """The latest unfinished (running or failed) run of ``dataset`` with the same plan hash, if any.

    A rerun after a crash continues that run under its id, so its deterministic part files are replaced rather than
    doubled, and the finished shards are skipped.
    """
    for r in reversed(run_history(lake, dataset)):
        if r["status"] == "completed":
            return None
        if r["status"] in ("running", "failed") and r["plan_hash"] == plan_hash:
            return r["run_id"]
    return None


ABANDONED = "abandoned: the process running it ended (killed?) before recording an outcome"


def close_abandoned_runs(lake: Lake, dataset: str, keep: str) -> list[str]:
    """Mark the dataset's runs still ``running`` (but ``keep``, the one starting) as failed; return their ids.

    Call with the dataset's lock held: no other process can be writing them, so a ``running`` row is a run whose
    process died without a word (SIGKILL, the OOM killer, a power cut). Left alone, it read as still running
    forever once a later run had other inputs or config (a rerun of the same ones resumes it under its id).
    """
    closed = []
    for r in run_history(lake, dataset):
        if r["status"] != "running" or r["run_id"] == keep:
            continue
        path = lake.provenance_dir("runs", r["run_id"]) / "part-00000.parquet"
        row = pq.read_table(path).to_pylist()[0]
        write_run_row(lake, {**row, "status": "failed", "error": f"{ABANDONED}; found by run {keep}"})
        closed.append(r["run_id"])
    return closed


def counts_json(outcomes: dict[str, int], reasons: dict[str, int]) -> str:
    """The ``runs.counts_json`` value: outcomes and reasons of a run."""
    return json.dumps({"outcomes": outcomes, "reasons": reasons}, sort_keys=True)


def records_missing_text_field(lake: Lake, run_id: str) -> int | None:
    """How many records of ``run_id`` were malformed for lacking the text field, from the run's own decisions
    files (no catalog needed); None when they cannot be read."""
    files = lake.provenance_dir("decisions", run_id) / "*.parquet"
    try:
        with duck.connect() as con:
            (missing,) = con.execute(
                "SELECT count(DISTINCT doc_id) FROM read_parquet(?) WHERE reason = 'input.malformed' "
                "AND starts_with(json_extract_string(evidence, '$.detail'), 'missing text field ')", [str(files)]
            ).fetchone()
    except duckdb.Error:
        return None
    return int(missing)
