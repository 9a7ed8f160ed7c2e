"""Near-duplicate runs: the same result for any sharding, bounded partitions, no signatures, config errors, and
the real flow (across runs, other shard sizes and task runners).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from schemas import arrow
from tasks.dedup.near import NearDedup, NearDedupConfig
from tasks.stage import CorpusContext
from tests.neardup_helpers import make_doc, near_run, stage_corpus, variant


def test_same_result_for_any_sharding_partitioning_and_bucket_strategy(tmp_path):
    rng = random.Random(3)
    docs = []
    for k in range(30):
        base = make_doc(rng)
        docs.append({"id": f"b{k}", "text": base})
        for j in range(k % 4):
            docs.append({"id": f"v{k}-{j}", "text": variant(base, 0.9 - 0.03 * j, rng)[0]})
    docs += [{"id": f"bg{i}", "text": make_doc(rng)} for i in range(40)]
    rng.shuffle(docs)

    def result(run_id, size, **cfg):
        shards = [docs[i:i + size] for i in range(0, len(docs), size)]
        return {k: (v["duplicate_of"], v["similarity"]) for k, v in near_run(tmp_path, shards, run_id, **cfg).items()}

    reference = result("one", len(docs))
    assert len(reference) >= 25
    assert result("small", 7, partition_rows=1000, batch_rows=1024) == reference
    assert result("pivots", 50, all_pairs_max=2) == reference
    assert result("longest", 50, keep="longest") != reference  # the policy, not the sharding, changes it


def test_partitions_are_bounded_by_the_setting(tmp_path):
    docs = [{"id": f"d{i}", "text": make_doc(random.Random(i), 20)} for i in range(2500)]
    docs_paths, feats = stage_corpus(tmp_path / "s", [docs])
    ctx = CorpusContext(run_id="r", dataset="t", lake=tmp_path / "lake", docs_paths=docs_paths,
                        features_paths=feats, prior_runs=[], work_dir=tmp_path / "w")
    res = NearDedup(NearDedupConfig(partition_rows=1000)).run(ctx)
    assert res.counters["dedup_near.partitions"] == res.counters["dedup_near.bands"] * 3
    assert res.counters["dedup_near.nodes"] == 2500


def test_no_signatures_is_a_no_op(tmp_path):
    d = tmp_path / "shard"
    d.mkdir()
    rows = [{"doc_id": "a", "ord": 0, "content_hash": "h", "text": "x", "chars": 1}]
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow.STAGED_DOCS), d / "docs.parquet")
    ctx = CorpusContext(run_id="r", dataset="t", lake=tmp_path / "lake", docs_paths=[str(d / "docs.parquet")],
                        features_paths=[], prior_runs=[], work_dir=tmp_path / "w")
    res = NearDedup().run(ctx)
    assert pq.read_table(res.duplicates_path).num_rows == 0 and res.counters["dedup_near.no_signatures"] == 1


@pytest.mark.parametrize("section,message", [
    ({"bands": 16}, "set both bands and rows"),
    ({"keep": "score"}, "keep: score needs score_stage"),
    ({"keep": "source_priority"}, "needs a source_priority list"),
    ({"keep": "oldest"}, "valid values"),
    ({"threshold": 1.5}, "threshold"),
    ({"radius": 3}, "unknown key"),
])
def test_config_errors_name_the_key(section, message):
    from schemas.config import ConfigError, build_config

    with pytest.raises(ConfigError, match="dedup_near") as err:
        build_config({"stages": {"dedup_near": section}})
    assert message in str(err.value)


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs))
    return path


def flow_config(path: Path, **extra) -> Path:
    from tasks.registry import DOCUMENT_STAGES

    stages = {name: {"enabled": False} for name in DOCUMENT_STAGES if name != "minhash"}
    path.write_text(yaml.safe_dump({"stages": stages, **extra}))
    return path


@pytest.mark.slow
def test_cross_run_detection_through_the_flow(tmp_path, run_sieve):
    from tests.conftest import sql

    rng = random.Random(31)
    old = [{"id": f"o{i}", "text": make_doc(rng)} for i in range(20)]
    new = [{"id": f"n{i}", "text": variant(old[i]["text"], 0.9, rng)[0]} for i in range(8)]
    new += [{"id": f"f{i}", "text": make_doc(rng)} for i in range(12)]
    lake, cfg = tmp_path / "lake", flow_config(tmp_path / "sieve.yaml")
    first = run_sieve([write_jsonl(tmp_path / "old.jsonl", old)], lake, "web", config=cfg, task_runner="threads")
    assert first["counts"]["duplicate"] == 0
    shutil.rmtree(lake / "_work" / "web" / "stage")  # only the persisted signatures remain of run 1
    second = run_sieve([write_jsonl(tmp_path / "new.jsonl", new)], lake, "web", config=cfg, task_runner="threads")
    assert second["counts"] == {"clean": 12, "quarantined": 0, "duplicate": 8, "dropped": 0}
    rows = sql(lake, """SELECT d.duplicate_of IN (SELECT doc_id FROM documents WHERE run_id = ? AND outcome = 'clean'),
                               d.method, json_extract_string(x.evidence, '$.kept_run_id'), x.action,
                               d.similarity BETWEEN 0.8 AND 1 AND d.similarity = x.score
                        FROM duplicates d JOIN decisions x USING (run_id, doc_id) WHERE d.run_id = ?""",
               [first["run_id"], second["run_id"]])
    assert rows == [(True, "near", first["run_id"], "drop", True)] * 8


@pytest.mark.slow
def test_same_duplicates_with_other_shard_sizes_and_task_runner(tmp_path, run_sieve):
    from tests.conftest import sql

    rng = random.Random(41)
    docs = []
    for k in range(15):
        base = make_doc(rng)
        docs += [{"id": f"b{k}", "text": base}] + [{"id": f"v{k}{j}", "text": variant(base, 0.9, rng)[0]}
                                                     for j in range(k % 3)]
    src = write_jsonl(tmp_path / "docs.jsonl", docs)
    results = []
    for name, target, runner in (("a", 64 * 1024 * 1024, "processes"), ("b", 4096, "threads")):
        cfg = flow_config(tmp_path / f"{name}.yaml", shards={"target_bytes": target})
        res = run_sieve([src], tmp_path / name, "web", config=cfg, task_runner=runner)
        got = sql(tmp_path / name, """SELECT d.doc_id, d.duplicate_of, d.similarity, s.shards FROM duplicates d,
                                      (SELECT count(DISTINCT shard) AS shards FROM documents) s ORDER BY 1""")
        results.append(([r[:3] for r in got], got[0][3], res["counts"]["duplicate"]))
    (first, shards_a, n_a), (second, shards_b, n_b) = results
    assert shards_a == 1 and shards_b > 3
    assert first == second and n_a == n_b == 15
