"""The catalog's data views (``clean``, ``quarantine``) show completed runs only; provenance shows every run."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow
from tasks.catalog import query, refresh_catalog
from tasks.lake import Lake
from tasks.provenance import write_run_row


def _write_outputs(lake: Lake, run_id: str, n: int) -> None:
    rows = [{"doc_id": f"{run_id}-{i}", "text": f"text {i}", "run_id": run_id, "source_record": i} for i in range(n)]
    for schema, folder in ((arrow.CLEAN, lake.clean_dir("web", run_id)),
                           (arrow.QUARANTINE, lake.quarantine_dir("web", run_id))):
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
        pq.write_table(table, folder / "part-00000.parquet")
    prov = lake.provenance_dir("documents", run_id)
    prov.mkdir(parents=True, exist_ok=True)
    docs = [{"run_id": run_id, "doc_id": r["doc_id"], "outcome": "clean"} for r in rows]
    schema = arrow.PROVENANCE["documents"]
    pq.write_table(pa.Table.from_pylist([{k: d.get(k) for k in schema.names} for d in docs], schema=schema),
                   prov / "part-00000.parquet")


def _count(lake: Lake, view: str, run_id: str) -> int:
    return query(lake, f"SELECT count(*) FROM {view} WHERE run_id = ?", [run_id])[1][0][0]


def test_failed_and_running_runs_are_not_in_the_data_views(tmp_path):
    lake = Lake.at(tmp_path / "lake")
    for run_id, status, n in (("r-done", "completed", 3), ("r-failed", "failed", 2), ("r-running", "running", 4)):
        _write_outputs(lake, run_id, n)
        write_run_row(lake, {"run_id": run_id, "dataset": "web", "status": status})
    refresh_catalog(lake)
    for view in ("clean", "quarantine"):
        assert [_count(lake, view, r) for r in ("r-done", "r-failed", "r-running")] == [3, 0, 0], view
    # provenance keeps every run's rows: what a failed run did is still there to see
    assert [_count(lake, "documents", r) for r in ("r-done", "r-failed", "r-running")] == [3, 2, 4]
    # a rerun that completes the failed run (same run_id) makes its outputs visible without another refresh
    write_run_row(lake, {"run_id": "r-failed", "dataset": "web", "status": "completed"})
    assert _count(lake, "clean", "r-failed") == 2


def test_a_lake_with_nothing_quarantined_has_the_same_columns_and_an_empty_review_queue(tmp_path):
    from tasks.review import queue
    from tasks.review.queue import QueueFilter
    from tests.conftest import cli

    lake = Lake.at(tmp_path / "lake")
    write_run_row(lake, {"run_id": "r-done", "dataset": "web", "status": "completed"})
    refresh_catalog(lake)  # no clean or quarantine file yet: each view is empty, with the dataset column too
    for view in ("clean", "quarantine"):
        names = [r[0] for r in query(lake, f"DESCRIBE {view}")[1]]
        assert names[-1] == "dataset" and query(lake, f"SELECT dataset, count(*) FROM {view} GROUP BY 1")[1] == []
    con = duckdb.connect(str(lake.catalog), read_only=True)
    try:
        assert queue.count(con, QueueFilter.from_params({"status": "all", "dataset": "web"})) == 0
    finally:
        con.close()
    listed = cli("review", "list", "--lake", lake.root, "--status", "all")  # failed with a BinderException
    assert listed.returncode == 0 and listed.stdout.rstrip().endswith("0 matching; none"), listed.stderr


def test_a_catalog_built_by_another_version_is_rebuilt_before_reading(tmp_path):
    from tasks.catalog import INFO_VIEW
    from tests.conftest import cli

    lake = Lake.at(tmp_path / "lake")
    write_run_row(lake, {"run_id": "r-done", "dataset": "web", "status": "completed"})
    refresh_catalog(lake)
    # As the last version left it: an info view without code_sha256 and a quarantine view without its dataset.
    con = duckdb.connect(str(lake.catalog))
    try:
        root, views = con.execute(f"SELECT lake_root, views_sha256 FROM {INFO_VIEW}").fetchone()
        con.execute(f"CREATE OR REPLACE VIEW {INFO_VIEW} AS SELECT '{root}' AS lake_root, '{views}' AS views_sha256")
        con.execute("CREATE OR REPLACE VIEW quarantine AS SELECT NULL::VARCHAR AS doc_id, NULL::VARCHAR AS run_id "
                    "LIMIT 0")
    finally:
        con.close()
    listed = cli("review", "list", "--lake", lake.root, "--status", "all")
    assert listed.returncode == 0 and listed.stdout.rstrip().endswith("0 matching; none"), listed.stderr
    out = cli("query", "SELECT dataset FROM quarantine", "--lake", lake.root)
    assert out.returncode == 0, out.stderr
