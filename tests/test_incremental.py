"""Incremental ingest: only files whose bytes no completed run of the dataset has seen are read."""

from __future__ import annotations

import json
import shutil

import pytest

from tasks import provenance
from tasks.incremental import known_contents
from tasks.lake import Lake
from tests.conftest import plumbing_config, sql


def _write(path, texts):
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    return path


@pytest.fixture
def run_incremental(prefect_harness):
    from flows.runner import run_flow

    def _run(folder, lake, config, incremental=True):  # conftest's run_sieve has no incremental switch
        return run_flow(inputs=[str(folder)], lake=str(lake), dataset="inbox", config=str(config), kind=None,
                        text_field=None, manifest=None, task_runner="processes", dask_address=None, workers=2,
                        show_progress=False, incremental=incremental)

    return _run


@pytest.mark.slow
def test_unchanged_folder_processes_nothing_and_changed_files_are_read_again(tmp_path, run_incremental):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a = _write(inbox / "a.jsonl", ["the ferry leaves at dawn", "gulls circle the pier"])
    b = _write(inbox / "b.jsonl", ["a lantern by the door"])
    lake, cfg = tmp_path / "lake", plumbing_config(tmp_path / "s.yaml")

    first = run_incremental(inbox, lake, cfg)
    assert first["records"] == 3 and first["incremental"]["new_or_changed"] == 2

    second = run_incremental(inbox, lake, cfg)
    assert second["records"] == 0 and second["shards"] == 0
    assert second["incremental"] == {"new_or_changed": 0, "unchanged": 2,
                                     "message": "incremental: nothing new or changed (2 file(s) unchanged since "
                                                "earlier runs); 0 records"}
    rows = sql(lake, "SELECT source_uri, records, unchanged_since FROM sources WHERE run_id = ? ORDER BY 1",
               [second["run_id"]])
    assert rows == [(str(a), 0, first["run_id"]), (str(b), 0, first["run_id"])]
    assert sql(lake, "SELECT status FROM runs WHERE run_id = ?", [second["run_id"]]) == [("completed",)]

    # b changes, c is new, a is renamed (same bytes: not read again)
    _write(b, ["a lantern by the door", "the kettle is warm"])
    _write(inbox / "c.jsonl", ["snow on the orchard"])
    shutil.move(a, inbox / "a-renamed.jsonl")
    third = run_incremental(inbox, lake, cfg)
    assert third["incremental"]["new_or_changed"] == 2 and third["incremental"]["unchanged"] == 1
    read = sql(lake, "SELECT source_uri, records FROM sources WHERE run_id = ? AND unchanged_since IS NULL "
                     "ORDER BY 1", [third["run_id"]])
    assert read == [(str(b), 2), (str(inbox / "c.jsonl"), 1)]
    # the changed file is read whole; its unchanged first record is a duplicate of the copy kept by the first run
    outcomes = sql(lake, "SELECT source_uri, source_record, outcome FROM documents WHERE run_id = ? ORDER BY 1, 2",
                   [third["run_id"]])
    assert outcomes == [(str(b), 0, "duplicate"), (str(b), 1, "clean"), (str(inbox / "c.jsonl"), 0, "clean")]


def _history(lake: Lake, run_id: str, status: str, sources: list[dict]) -> None:
    provenance.write_run_row(lake, {"run_id": run_id, "dataset": "inbox", "status": status,
                                    "started_at": provenance.now()})
    provenance.write_table_rows(lake, "sources", run_id, [{"run_id": run_id, **s} for s in sources])


def test_known_contents_counts_only_completed_runs_and_follows_skips(tmp_path):
    lake = Lake.at(tmp_path / "lake")
    assert known_contents(lake, "inbox") == {}
    _history(lake, "r1", "completed", [{"source_uri": "/x/a", "sha256": "a" * 64, "integrity": "unverified"},
                                       {"source_uri": "/x/bad", "sha256": None, "integrity": "unreadable"}])
    _history(lake, "r2", "failed", [{"source_uri": "/x/b", "sha256": "b" * 64, "integrity": "unverified"}])
    _history(lake, "r3", "completed", [{"source_uri": "/x/a", "sha256": "a" * 64, "integrity": "unverified",
                                        "unchanged_since": "r1"}])
    # a failed run's files are read again; an unreadable file is never "known"; a skip points at the reading run
    assert known_contents(lake, "inbox") == {"a" * 64: "r1"}
    _history(lake, "r4", "completed", [{"source_uri": "/x/a", "sha256": "a" * 64, "integrity": "unverified"}])
    assert known_contents(lake, "inbox") == {"a" * 64: "r4"}  # a full re-scan read it again
    assert known_contents(lake, "other") == {}
