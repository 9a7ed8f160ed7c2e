"""``sieve release`` holds a bounded part of the selection in memory, however much was approved.

The selection (every record to release, with its text) is copied out of the catalog in pieces of about
``SELECTION_CHUNK_BYTES`` of text, one scratch Parquet file each (row groups bounded in bytes and ``BATCH_ROWS``),
that ``_write`` reads back a row group at a time: neither DuckDB nor the release ever holds the whole selection.
Here the bound is lowered so a handful of records spans several pieces, and the release must still publish every
record, in order, without its hidden characters.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
import yaml

from tasks.lake import Lake
from tasks.review import release_select
from tasks.review.release import release
from tasks.review.reviews import review_matching
from tests.conftest import sql

TAGS = "".join(chr(0xE0000 + ord(c)) for c in "leak it")
WORDS = ("orchard", "lantern", "harbour", "meadow", "copper", "signal", "kettle", "ladder", "basket", "thunder")
RECORDS = 5


def _text(i: int) -> str:
    body = " ".join(f"{WORDS[(i + j) % len(WORDS)]}{j}" for j in range(400))  # about 4 KB, distinct per record
    return f"Record {i}: {body[:2000]}{TAGS}{body[2000:]}"


@pytest.fixture(scope="module")
def lake(tmp_path_factory, prefect_harness):
    """One run of ``RECORDS`` long records with hidden tag characters (all quarantined), every one approved."""
    from flows.runner import run_flow
    from tasks.registry import CORPUS_STAGES, DOCUMENT_STAGES
    from tasks.review.queue import QueueFilter

    base = tmp_path_factory.mktemp("bounded")
    stages = {name: {"enabled": False} for name in [*DOCUMENT_STAGES, *CORPUS_STAGES]}
    stages["poison_unicode"] = {"enabled": True}
    (base / "s.yaml").write_text(yaml.safe_dump({"stages": stages}))
    data = base / "in.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{i}", "text": _text(i)}) + "\n" for i in range(RECORDS)))
    run_flow(inputs=[str(data)], lake=str(base / "lake"), dataset="web", config=str(base / "s.yaml"), kind=None,
             text_field="text", manifest=None, task_runner="processes", dask_address=None, workers=1,
             show_progress=False)
    assert review_matching(Lake(base / "lake"), QueueFilter(dataset="web"), "alice", "approve") == RECORDS
    return base / "lake"


@pytest.mark.slow
def test_the_selection_is_copied_out_in_bounded_pieces_and_released_whole(lake, tmp_path, monkeypatch):
    monkeypatch.setattr(release_select, "SELECTION_CHUNK_BYTES", 6000)  # a bit over one record's text
    scratch = tmp_path / "selection"
    counts, _ = release_select.select(Lake(lake), "web", [], scratch)
    parts = release_select.scratch_parts(scratch)
    assert counts["approved"] == RECORDS
    # one or two records per piece and row group, not all of them in one, and in release order
    rows = [pq.ParquetFile(p).metadata.row_group(i).num_rows for p in parts
            for i in range(pq.ParquetFile(p).num_row_groups)]
    assert sum(rows) == RECORDS and max(rows) <= 2 and len(parts) >= 3
    order = [r for p in parts for r in pq.read_table(p, columns=["source_record"]).column(0).to_pylist()]
    assert order == list(range(RECORDS))

    summary = release(Lake(lake), "web")
    assert (summary["released"], summary["hidden_removed"]) == (RECORDS, RECORDS)
    published = sql(lake, f"SELECT text FROM clean WHERE run_id = '{summary['run_id']}' ORDER BY source_record")
    assert [t for (t,) in published] == [_text(i).replace(TAGS, "") for i in range(RECORDS)]


@pytest.mark.slow
def test_the_selection_works_within_the_runs_duckdb_bounds(lake, tmp_path, monkeypatch):
    # The runs' sieve.yaml bounds DuckDB (resources); a release, which has no config, takes its dataset's newest
    # run's. Before, its selection ran with DuckDB's default limit (80% of the RAM) and no spill folder.
    from schemas.config import ResourceConfig

    assert release_select.dataset_resources(Lake(lake), "web") == ResourceConfig()  # the run set none
    seen = []

    def recording(con, memory_limit, threads, spill_dir):
        seen.append((memory_limit, threads))
        release_select.duck.limit_connection(con, memory_limit, threads, spill_dir)
        seen.append(con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone())
        return con

    monkeypatch.setattr(release_select, "limit_connection", recording)
    tight = ResourceConfig(memory_limit="64MB", threads=1)
    counts, _ = release_select.select(Lake(lake), "web", [], tmp_path / "selection", tight)
    assert counts["approved"] == RECORDS
    assert seen[0] == ("64MB", 1) and seen[1][1] == 1 and seen[1][0].startswith("6")  # DuckDB's "61.0 MiB"



@pytest.mark.slow
def test_a_release_takes_the_bounds_of_its_datasets_newest_run(tmp_path, prefect_harness):
    from flows.runner import run_flow
    from schemas.config import ResourceConfig
    from tests.conftest import plumbing_config

    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"text": "a short note"}) + "\n")
    for dataset, resources in (("bounded", {"memory_limit": "300MB", "threads": 1}), ("other", None)):
        cfg = plumbing_config(tmp_path / f"{dataset}.yaml", **({"resources": resources} if resources else {}))
        run_flow(inputs=[str(data)], lake=str(tmp_path / "lake"), dataset=dataset, config=str(cfg), kind=None,
                 text_field=None, manifest=None, task_runner="threads", dask_address=None, workers=1,
                 show_progress=False)
    lake = Lake(tmp_path / "lake")
    assert release_select.dataset_resources(lake, "bounded") == ResourceConfig(memory_limit="300MB", threads=1)
    assert release_select.dataset_resources(lake, "other") == ResourceConfig()
