"""Scale-out: the same corpus through a 2-process Dask cluster and through the process pool gives the same outputs."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from tests.conftest import sql

pytestmark = pytest.mark.slow

WORDS = ("amber basket candle dragon ember falcon glacier harvest iris jasmine kettle lagoon marble nectar "
         "oyster pepper quartz ribbon saddle tulip umbrella velvet walnut yarrow zephyr anchor breeze").split()


def _corpus(path: Path) -> Path:
    lines = []
    for i in range(120):
        k = i % 100  # records 100..119 repeat the text of records 0..19: exact duplicates
        words = " ".join(random.Random(k).choices(WORDS, k=40 + k % 9))
        text = f"Entry {k}. {words}"
        if i % 25 == 24:
            text = lines[-1]["text"] + " indeed"  # a near duplicate of the previous record
        lines.append({"id": i, "text": text})
    path.write_text("".join(json.dumps(r) + "\n" for r in lines) + "{not json\n")
    return path


def _config(path: Path) -> Path:
    from tasks.registry import DOCUMENT_STAGES

    stages = {name: {"enabled": name == "minhash"} for name in DOCUMENT_STAGES}
    # small shards: the corpus spreads over several shard tasks, so both workers get some
    path.write_text(yaml.safe_dump({"stages": stages, "shards": {"target_bytes": 8192}}))
    return path


def _table(folder: Path, run_id: str) -> pa.Table | None:
    """A run's part files as one table, sorted, with the run's own id (in columns and evidence) taken out."""
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return None
    t = pa.concat_tables([pq.read_table(f) for f in files])
    t = t.drop_columns([c for c in ("run_id",) if c in t.column_names])
    for i, field in enumerate(t.schema):
        if pa.types.is_string(field.type):  # evidence names the run that kept a copy: the other run's id
            t = t.set_column(i, field, pc.replace_substring(t.column(i), run_id, "<this run>"))
    # every sortable column is a key: a record can have several findings of one reason, and ties have no order
    keys = [f.name for f in t.schema if not pa.types.is_nested(f.type)]
    return t.sort_by([(c, "ascending") for c in keys])


def test_dask_cluster_matches_the_process_pool(tmp_path, run_sieve):
    from distributed import Client, LocalCluster
    from prefect.settings import PREFECT_API_URL

    from flows.runner import run_flow

    src, cfg = _corpus(tmp_path / "c.jsonl"), _config(tmp_path / "s.yaml")
    ref_lake, dask_lake = tmp_path / "lake-pool", tmp_path / "lake-dask"
    ref = run_sieve([src], ref_lake, "d", config=cfg, task_runner="processes", workers=2)
    assert ref["shards"] >= 3

    # Dask workers are separate processes: they report their task runs to the session's Prefect server.
    env = {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, env=env, dashboard_address=None) as cluster:
        res = run_flow(inputs=[str(src)], lake=str(dask_lake), dataset="d", config=str(cfg), kind=None,
                       text_field=None, manifest=None, task_runner="dask", dask_address=cluster.scheduler_address,
                       workers=2, show_progress=False)
        with Client(cluster) as client:
            # the shard work ran on the workers: each one that staged a shard built its stages there
            built = client.run(lambda: len(__import__("tasks.shard", fromlist=["x"])._STAGES_CACHE))
    assert sum(1 for n in built.values() if n) >= 1, built

    assert res["counts"] == ref["counts"] and res["shards"] == ref["shards"]
    assert ref["counts"]["duplicate"] >= 20 and ref["counts"]["quarantined"] == 1

    def docs(lake, run_id):
        return sql(lake, "SELECT doc_id, outcome, list_sort(reasons) FROM documents WHERE run_id = ? ORDER BY 1",
                   [run_id])

    assert docs(dask_lake, res["run_id"]) == docs(ref_lake, ref["run_id"])
    dup_sql = "SELECT doc_id, duplicate_of, method, similarity FROM duplicates WHERE run_id = ? ORDER BY 1"
    ref_dups = sql(ref_lake, dup_sql, [ref["run_id"]])
    assert sql(dask_lake, dup_sql, [res["run_id"]]) == ref_dups
    assert any(m == "near" for _, _, m, _ in ref_dups)
    for part in ("clean/d", "quarantine/d", *(f"provenance/{t}" for t in ("decisions", "scores", "duplicates"))):
        a = _table(dask_lake / part / f"run={res['run_id']}", res["run_id"])
        b = _table(ref_lake / part / f"run={ref['run_id']}", ref["run_id"])
        assert a is not None and b is not None, part
        diff = [(x, y) for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True) if x != y]
        assert a.num_rows == b.num_rows and not diff, (part, diff[:1])


def test_cli_dask_run_with_json_is_quiet(tmp_path, prefect_harness):
    from tests.conftest import cli

    src, cfg = _corpus(tmp_path / "c.jsonl"), _config(tmp_path / "s.yaml")
    out = cli("run", src, "--lake", tmp_path / "lake", "--config", cfg, "--task-runner", "dask", "--workers", "2",
              "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["records"] == 121
    assert out.stderr == ""  # the local cluster's INFO lines (about 30 per run) stay out of a --json run
