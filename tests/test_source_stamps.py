"""A file rewritten between the plan (which hashed it) and the worker's read gives no records of unhashed bytes."""

from __future__ import annotations

import json
import os

import pyarrow.parquet as pq

from schemas.config import SieveConfig
from tasks import plan, shard
from tasks.registry import DOCUMENT_STAGES


def _plan(src):
    cfg = SieveConfig.model_validate({"stages": {name: {"enabled": False} for name in DOCUMENT_STAGES}})
    entries, slices = plan.plan_sources([str(src)], cfg.shards.target_bytes, {str(src): "0" * 64})
    (spec,) = plan.pack_shards(slices, cfg.shards.target_bytes, "salt")
    return cfg, entries, {"index": spec.index, "key": spec.key, "slices": spec.slices, "est_bytes": spec.est_bytes}


def _stage(tmp_path, cfg, spec):
    out = tmp_path / "lake" / "_work" / "web" / "stage" / spec["key"]
    summary = shard.process_shard(spec, str(out), cfg.model_dump_json())
    docs = pq.read_table(out / "docs.parquet", columns=["text", "source_record"]).to_pylist()
    findings = pq.read_table(out / "findings.parquet", columns=["reason", "evidence"]).to_pylist()
    return summary, docs, findings


def test_a_file_rewritten_after_its_hash_is_not_read(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"planned record {i}"}) + "\n" for i in range(3)))
    cfg, entries, spec = _plan(src)
    # rewritten by another process before the worker reads it (a longer file, a later time)
    src.write_text("".join(json.dumps({"text": f"swapped record {i}"}) + "\n" for i in range(5)))
    os.utime(src, ns=(os.stat(src).st_atime_ns, os.stat(src).st_mtime_ns + 1_000_000))
    summary, docs, findings = _stage(tmp_path, cfg, spec)
    assert summary["records"] == 1 and docs[0]["text"] is None  # one malformed record, none of the new bytes
    (finding,) = [f for f in findings if f["reason"] == "input.malformed"]
    assert "the file changed after it was hashed" in json.loads(finding["evidence"])["detail"]


def test_an_unchanged_file_is_read(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"planned record {i}"}) + "\n" for i in range(3)))
    cfg, _, spec = _plan(src)
    summary, docs, findings = _stage(tmp_path, cfg, spec)
    assert summary["records"] == 3 and [d["text"] for d in docs] == [f"planned record {i}" for i in range(3)]
    assert all(f["reason"] == "poison.integrity" for f in findings)  # the manifest's digest is not the file's
