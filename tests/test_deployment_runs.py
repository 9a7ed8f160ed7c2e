"""What a run gets without `sieve run`'s command line (a deployment calls the flow itself): bounded task threads and
the lake-in-inputs refusal; and `sieve run`'s thread count."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
import yaml

from tests.conftest import plumbing_config, sql

SHARDS = 40


class _PeakThreads:
    """The most threads alive in this process while the block ran (sampled every millisecond)."""

    def __enter__(self) -> _PeakThreads:
        self.peak = threading.active_count()
        self._done = threading.Event()
        self._watch = threading.Thread(target=self._sample, daemon=True)
        self._watch.start()
        return self

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, threading.active_count())
            time.sleep(0.001)

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._watch.join()


@pytest.mark.slow
def test_a_deployment_run_of_many_shards_starts_a_bounded_number_of_threads(tmp_path, prefect_harness):
    # A deployment calls the flow with its default task runner, as here; Prefect's own default starts a thread per
    # task run: one per shard of the run, all at once.
    from flows.curate import curate_corpus

    src = tmp_path / "many.jsonl"
    src.write_text("".join(json.dumps({"text": f"line {i} of a small shard " + "x" * 1000}) + "\n"
                           for i in range(SHARDS)))
    cfg = plumbing_config(tmp_path / "s.yaml", shards={"target_bytes": 1024})
    lake = tmp_path / "lake"
    before = threading.active_count()
    with _PeakThreads() as threads:
        res = curate_corpus(inputs=[str(src)], lake=str(lake), dataset="d", config=str(cfg),
                            task_runner="threads", workers=2)
    assert res["shards"] == SHARDS and res["counts"]["clean"] == SHARDS
    assert sql(lake, "SELECT count(*) FROM documents") == [(SHARDS,)]
    bound = 2 * (os.cpu_count() or 1)
    # Prefect's own service threads (events, logs, its event loop, the flow's heartbeat) come on top of the bound.
    assert threads.peak - before <= bound + 12, (threads.peak, before, bound)


def test_sieve_run_threads_follow_the_config_workers_and_the_cores(tmp_path, monkeypatch):
    from flows.runner import _run_workers, task_runner_for

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    cfg = tmp_path / "s.yaml"
    cfg.write_text(yaml.safe_dump({"shards": {"workers": 6}}))
    assert task_runner_for("processes", None, _run_workers(0, str(cfg), "d"))._max_workers == 12
    assert task_runner_for("threads", None, _run_workers(3, str(cfg), "d"))._max_workers == 6
    # --workers 0 and no workers in the config: one worker per core, two threads each (it was 4 whatever the cores)
    assert task_runner_for("processes", None, _run_workers(0, None, "d"))._max_workers == 16
    # a config the flow will refuse does not fail here: the flow reports it
    bad = tmp_path / "bad.yaml"
    bad.write_text("shards: {workers: -3}\n")
    assert _run_workers(0, str(bad), "d") == 0


def test_a_deployment_run_refuses_an_input_folder_holding_its_lake(tmp_path, prefect_harness):
    # sieve run refuses it on its command line; a deployment calls the flow without it, and the folder walk read
    # the lake's own files (its lock, then its outputs and catalog) as input records
    from flows.curate import curate_corpus

    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text(json.dumps({"text": "a tide table"}) + "\n")
    with pytest.raises(ValueError, match="holds the lake"):
        curate_corpus(inputs=[str(data)], lake=str(data / "lake"), dataset="d",
                      config=str(plumbing_config(tmp_path / "s.yaml")), task_runner="threads", workers=1)
    assert not (data / "lake").exists()
