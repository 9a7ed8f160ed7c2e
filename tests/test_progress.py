"""What shows a run's progress: the CLI's bars count every shard, and Prefect names its runs by dataset and shard.

Progress of ``sieve run``: every shard is counted as staged and routed, however its task ran.

The CLI's progress bars are fed in the flow's process as each shard task finishes. Fed from the task bodies, they
missed every shard whose result Prefect's cache returned (a rerun resuming a run showed "stage shards 0/4" to the
end) and every shard run on a Dask worker (both bars stayed at 0).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import plumbing_config

pytestmark = pytest.mark.slow

RECORDS = 41


class _Recorder:
    """Stands in for the CLI's rich progress (flows.runner._Progress): keeps what it is told."""

    seen: list[tuple[str, dict]] = []

    def __init__(self) -> None:
        _Recorder.seen = []

    def __call__(self, kind: str, info: dict) -> None:
        _Recorder.seen.append((kind, info))

    def stop(self) -> None:
        """Nothing drawn, nothing to stop."""


def _inputs(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": f"note {i} on the tide tables of the northern bay"}) + "\n"
                           for i in range(RECORDS - 1)) + "{not json\n")
    # 1 KiB shards: the file is several shard tasks
    return src, plumbing_config(tmp_path / "s.yaml", shards={"target_bytes": 1024})


def _run(monkeypatch, src, lake, cfg, **options):
    from flows import runner

    monkeypatch.setattr(runner, "_Progress", _Recorder)
    base = dict(inputs=[str(src)], lake=str(lake), dataset="p", config=str(cfg), kind=None, text_field=None,
                manifest=None, task_runner="processes", dask_address=None, workers=1, show_progress=True)
    result = runner.run_flow(**{**base, **options})
    kinds = Counter(kind for kind, _ in _Recorder.seen)
    staged_records = sum(info.get("records", 0) for kind, info in _Recorder.seen if kind == "staged")
    return result, kinds, staged_records


def test_shards_from_prefects_cache_are_counted(tmp_path, monkeypatch, prefect_harness):
    src, cfg = _inputs(tmp_path)
    lake = tmp_path / "lake"
    # the first rerun stores the staged shards' results under their cache keys; the second one is served from it
    for _ in range(3):
        result, kinds, staged_records = _run(monkeypatch, src, lake, cfg)
        assert result["shards"] >= 3 and result["records"] == RECORDS
        assert kinds == {"planned": 1, "staged": result["shards"], "routed": result["shards"]}, kinds
        assert staged_records == RECORDS
    assert result["shards_skipped"] == result["shards"]


def test_shards_run_on_dask_workers_are_counted(tmp_path, monkeypatch, prefect_harness):
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL

    src, cfg = _inputs(tmp_path)
    env = {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, env=env, dashboard_address=None) as cluster:
        result, kinds, staged_records = _run(monkeypatch, src, tmp_path / "lake", cfg, task_runner="dask",
                                             dask_address=cluster.scheduler_address, workers=2)
    assert result["shards"] >= 3 and result["records"] == RECORDS
    assert kinds == {"planned": 1, "staged": result["shards"], "routed": result["shards"]}, kinds
    assert staged_records == RECORDS


def test_shard_task_runs_are_named_by_shard(tmp_path, monkeypatch, prefect_harness):
    """In Prefect's UI a shard's task runs carry its index, as its part files do (part-00001.parquet)."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter

    from tests.conftest import sql

    src, cfg = _inputs(tmp_path)
    lake = tmp_path / "lake"
    result, _, _ = _run(monkeypatch, src, lake, cfg)
    [(flow_run_id,)] = sql(lake, "SELECT flow_run_id FROM runs WHERE run_id = ?", [result["run_id"]])
    n = result["shards"]
    want = sorted([f"route-shard-{i:05d}" for i in range(n)] + [f"stage-shard-{i:05d}" for i in range(n)])
    deadline = time.monotonic() + 30
    while True:  # task runs reach the API as events: it may take a moment to record them
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                         task_run_filter=TaskRunFilter())
        names = sorted(r.name for r in runs if r.name.startswith(("stage-shard", "route-shard")))
        if names == want or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert names == want


def test_flow_runs_are_named_by_dataset(tmp_path, monkeypatch, prefect_harness):
    """Prefect lists flow runs by name: each says which dataset it curated (web-<two words>)."""
    from prefect.client.orchestration import get_client

    from tests.conftest import sql

    src, cfg = _inputs(tmp_path)
    lake = tmp_path / "lake"
    for dataset in ("web", "Forum_2"):
        result, _, _ = _run(monkeypatch, src, lake, cfg, dataset=dataset)
        [(flow_run_id,)] = sql(lake, "SELECT flow_run_id FROM runs WHERE run_id = ?", [result["run_id"]])
        with get_client(sync_client=True) as client:
            name = client.read_flow_run(flow_run_id).name
        assert name.startswith(f"{dataset}-") and len(name) > len(dataset) + 3, name
