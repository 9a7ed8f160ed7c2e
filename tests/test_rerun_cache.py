"""Reruns over a lake: the staged-shard cache is reused only where what it holds is still true for this run."""

from __future__ import annotations

import json

from tests.conftest import plumbing_config, sql


def _write(path, prefix, n):
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "text": f"{prefix} note {i} on tides"}) + "\n"
                            for i in range(n)))
    return path


def test_renamed_file_is_recorded_under_its_new_name(tmp_path, run_sieve):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _write(inbox / "a.jsonl", "a", 15)
    b = _write(inbox / "b.jsonl", "b", 16)
    # shards of 1 KiB: each file (about 700 bytes) is a shard of its own, so a's cache can be reused on its own
    cfg = plumbing_config(tmp_path / "s.yaml", shards={"target_bytes": 1024})
    lake = tmp_path / "lake"
    run_sieve([inbox], lake, "web", config=cfg)
    b.rename(inbox / "c.jsonl")
    second = run_sieve([inbox], lake, "web", config=cfg)
    assert second["shards"] == 2 and second["shards_skipped"] == 1  # a.jsonl's shard is still reused
    # documents name the file as it is now, and agree with the run's sources rows
    docs = sql(lake, "SELECT source_uri, count(*) FROM documents WHERE run_id = ? GROUP BY 1 ORDER BY 1",
               [second["run_id"]])
    srcs = sql(lake, "SELECT source_uri, records FROM sources WHERE run_id = ? ORDER BY 1", [second["run_id"]])
    assert docs == srcs == [(str(inbox / "a.jsonl"), 15), (str(inbox / "c.jsonl"), 16)]


def test_a_killed_runs_row_is_closed_by_the_next_run_of_other_inputs(tmp_path, run_sieve):
    from tasks import provenance
    from tasks.lake import Lake

    src = _write(tmp_path / "a.jsonl", "a", 5)
    cfg = plumbing_config(tmp_path / "s.yaml")
    lake = tmp_path / "lake"
    # what a SIGKILLed run leaves: its runs row, status running (it never got to write completed or failed)
    provenance.write_run_row(Lake.at(lake), {"run_id": "20260101T000000Z-dead00", "dataset": "web",
                                             "status": "running", "plan_hash": "another-plan",
                                             "started_at": provenance.now()})
    provenance.write_run_row(Lake.at(lake), {"run_id": "20260101T000000Z-other0", "dataset": "other",
                                             "status": "running", "plan_hash": "x", "started_at": provenance.now()})
    run = run_sieve([src], lake, "web", config=cfg)
    rows = sql(lake, "SELECT run_id, status, error FROM runs ORDER BY run_id")
    assert rows == [("20260101T000000Z-dead00", "failed", f"{provenance.ABANDONED}; found by run {run['run_id']}"),
                    ("20260101T000000Z-other0", "running", None),  # another dataset's: maybe alive, not ours
                    (run["run_id"], "completed", None)]


def test_a_task_runner_the_flow_run_does_not_have_is_refused_before_anything_is_written(tmp_path, prefect_harness):
    import pytest

    from flows.curate import curate_corpus

    src = _write(tmp_path / "a.jsonl", "a", 3)
    lake = tmp_path / "lake"
    # called as a deployment's run calls it: the flow's own default (thread) runner, the runner only a parameter
    from prefect.exceptions import ParameterTypeError

    for name, says in (("dask", "needs the flow run to use Prefect's DaskTaskRunner"),
                       ("gpu", "task_runner: Input should be 'threads', 'processes' or 'dask'")):
        with pytest.raises((ValueError, ParameterTypeError), match=says):
            curate_corpus(inputs=[str(src)], lake=str(lake), dataset="web",
                          config=str(plumbing_config(tmp_path / "s.yaml")), task_runner=name, workers=1)
    assert not (lake / "provenance").exists()


def test_parameters_out_of_their_values_are_refused_before_the_flow_starts(tmp_path, prefect_harness):
    """As an API or deployment run calls the flow: ``kind: chat`` failed the run after its runs row was written
    (pydantic's multi-line text as its error), ``workers: -1`` with "max_workers must be greater than 0"."""
    import pytest
    from prefect.exceptions import ParameterTypeError

    from flows.curate import curate_corpus

    src = _write(tmp_path / "a.jsonl", "a", 3)
    lake = tmp_path / "lake"
    for bad, says in (({"kind": "chat"}, "kind: Input should be 'text' or 'instruct'"),
                      ({"workers": -1}, "workers: Input should be greater than or equal to 0"),
                      ({"workers": 257}, "workers: Input should be less than or equal to 256")):
        with pytest.raises(ParameterTypeError, match=says):
            curate_corpus(inputs=[str(src)], lake=str(lake), dataset="web",
                          config=str(plumbing_config(tmp_path / "s.yaml")), **bad)
    assert not lake.exists()
    # the deployment's parameter schema carries the same values (Prefect's UI offers them, its API checks them)
    schema = curate_corpus.parameters.properties
    assert schema["task_runner"]["enum"] == ["threads", "processes", "dask"]
    assert (schema["workers"]["minimum"], schema["workers"]["maximum"]) == (0, 256)


def test_a_cached_shard_is_never_taken_from_another_lake_or_dataset(tmp_path, run_sieve):
    """Prefect's cache key of a staged shard is its content + config + stages, the same in every lake: a hit must
    only ever stand for this lake's own staged files, so each run writes (and counts) every record itself."""
    src = _write(tmp_path / "a.jsonl", "a", 30)
    cfg = plumbing_config(tmp_path / "s.yaml", shards={"target_bytes": 1024})
    # lake A twice (the rerun stores the cache entries), then lake B and dataset b of A, each twice (the reruns
    # can be served from A's entries)
    for lake, dataset in (("A", "a"), ("A", "a"), ("B", "a"), ("B", "a"), ("A", "b"), ("A", "b")):
        root = tmp_path / lake
        run = run_sieve([src], root, dataset, config=cfg)
        assert run["records"] == 30 and run["shards"] >= 2
        # every record has its row, and no written record points out of this lake (a duplicate has no output)
        rows = sql(root, "SELECT count(*), count(DISTINCT doc_id), count(*) FILTER (WHERE NOT starts_with("
                         "output_uri, ?)) FROM documents WHERE run_id = ?", [f"{root}/", run["run_id"]])
        assert rows == [(30, 30, 0)], (lake, dataset, rows)
        staged = list((root / "_work" / dataset / "stage").glob("*/_SUCCESS.json"))
        assert len(staged) == run["shards"], (lake, dataset)
