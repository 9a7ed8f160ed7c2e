"""A shard's batches end by size as well as by record count: long records never pile up in one batch."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq

from schemas.config import SieveConfig
from tasks import plan, shard
from tasks.registry import DOCUMENT_STAGES


def _stage(tmp_path, records: list[str]) -> list[int]:
    """Stage ``records`` (one .jsonl.gz: one shard) with every document stage off; the docs' row group sizes."""
    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wt") as f:
        f.writelines(json.dumps({"text": t}) + "\n" for t in records)
    cfg = SieveConfig.model_validate({"stages": {name: {"enabled": False} for name in DOCUMENT_STAGES}})
    _, slices = plan.plan_sources([str(src)], cfg.shards.target_bytes, None)
    (spec,) = plan.pack_shards(slices, cfg.shards.target_bytes, "salt")
    out = tmp_path / "lake" / "_work" / "web" / "stage" / spec.key
    summary = shard.process_shard({"index": spec.index, "key": spec.key, "slices": spec.slices,
                                   "est_bytes": spec.est_bytes}, str(out), cfg.model_dump_json())
    assert summary["records"] == len(records)
    meta = pq.ParquetFile(out / "docs.parquet").metadata
    return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]


def test_long_records_end_a_batch_before_the_record_count_does(tmp_path, monkeypatch):
    # 25 records of 20 MB in a 46 KB .zst were one batch (2,000 records a batch) and took a worker to 2.0 GB
    monkeypatch.setattr(shard, "BATCH_CHARS", 2500)
    assert _stage(tmp_path, [f"{i} " + "word " * 200 for i in range(7)]) == [3, 3, 1]


def test_short_records_still_batch_by_count(tmp_path):
    assert _stage(tmp_path, [f"note {i}" for i in range(50)]) == [50]
