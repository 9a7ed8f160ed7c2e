"""Exact and near dedup together: every duplicate points at a copy that is kept, never at another duplicate."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from schemas.config import build_config
from tasks.corpus import run_corpus_stages
from tasks.registry import CORPUS_STAGES, DOCUMENT_STAGES
from tests.neardup_helpers import make_doc, stage_corpus, variant


def _corpus_dups(tmp_path: Path, shards: list[list[dict]], run_id: str = "r1") -> dict[str, dict]:
    """Run the real corpus step (exact + near dedup only) over staged shards; {doc_id: chosen duplicates row}."""
    docs, _ = stage_corpus(tmp_path / run_id / "stage", shards)
    off = {name: {"enabled": False} for name in CORPUS_STAGES if not name.startswith("dedup_")}
    cfg = build_config({"stages": off})
    out = run_corpus_stages(cfg, run_id, "t", tmp_path / "lake", [str(Path(d).parent) for d in docs], [],
                            tmp_path / run_id / "work")
    rows = [r for f in sorted(Path(out["corpus_dir"], "dups").rglob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert len(rows) == len({r["doc_id"] for r in rows})  # one row per duplicate
    return {r["doc_id"]: {**r, "evidence": json.loads(r["evidence"])} for r in rows}


def test_exact_copy_of_a_near_duplicate_points_at_the_kept_copy(tmp_path):
    rng = random.Random(5)
    base = make_doc(rng)
    near, _ = variant(base, 0.9, rng)
    # A kept, B a near copy of A, C an exact copy of B in another shard (the exact row says C -> B)
    shards = [[{"id": "A", "text": base}, {"id": "B", "text": near}, {"id": "X", "text": make_doc(rng)}],
              [{"id": "C", "text": near.upper()}]]
    dups = _corpus_dups(tmp_path, shards)
    assert set(dups) == {"B", "C"}
    assert dups["B"]["duplicate_of"] == "A" and dups["B"]["method"] == "near"
    assert dups["C"]["duplicate_of"] == "A", dups["C"]  # was B, a record that reaches no output
    assert dups["C"]["evidence"]["kept_doc_id"] == "A"
    assert dups["C"]["evidence"]["identical_to"] == "B"


def test_plain_exact_copies_keep_the_exact_explanation(tmp_path):
    rng = random.Random(6)
    base = make_doc(rng)
    dups = _corpus_dups(tmp_path, [[{"id": "A", "text": base}, {"id": "B", "text": base.lower()}]])
    assert dups["B"]["duplicate_of"] == "A" and dups["B"]["method"] == "exact" and dups["B"]["similarity"] == 1.0


def test_a_remaining_chain_is_followed_to_the_kept_copy():
    import duckdb

    from tasks.dedup.resolve import resolve_duplicates

    def ev(kept_run: str, **extra) -> str:
        return json.dumps({"kept_run_id": kept_run, **extra})

    # near dedup could not see run r0 (other signature settings): C -> B (near, this run), B -> A of r0 (exact)
    rows = [("B", "A", "exact", 1.0, ev("r0")), ("C", "B", "near", 0.9, ev("r1", kept_doc_id="B")),
            ("D", "C", "near", 0.85, ev("r1", kept_doc_id="C"))]
    con = duckdb.connect()
    con.execute("CREATE TABLE src (doc_id VARCHAR, duplicate_of VARCHAR, method VARCHAR, similarity DOUBLE, "
                "evidence VARCHAR)")
    con.executemany("INSERT INTO src VALUES (?, ?, ?, ?, ?)", rows)
    table = resolve_duplicates(con, "SELECT * FROM src", "r1")
    got = {d: (k, json.loads(e)) for d, k, e in con.execute(f"SELECT doc_id, duplicate_of, evidence FROM {table}")
           .fetchall()}
    assert {d: k for d, (k, _) in got.items()} == {"B": "A", "C": "A", "D": "A"}
    assert got["C"][1]["kept_run_id"] == "r0" and got["C"][1]["via"] == ["B"]
    assert got["D"][1]["kept_run_id"] == "r0" and got["D"][1]["via"] == ["C", "B"]
    assert got["B"][1] == {"kept_run_id": "r0"}


@pytest.mark.slow
def test_flow_every_duplicate_points_at_a_clean_record_and_names_its_detector(tmp_path, run_sieve):
    from tests.conftest import plumbing_config, sql

    rng = random.Random(9)
    base, other = make_doc(rng), make_doc(rng)
    near = variant(base, 0.9, rng)[0]
    a = tmp_path / "a.jsonl"
    a.write_text("".join(json.dumps({"id": i, "text": t}) + "\n"
                         for i, t in [("A", base), ("B", near), ("X", other), ("X2", other.upper())]))
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "C", "text": near}) + "\n")
    off = {name: {"enabled": False} for name in [*DOCUMENT_STAGES, *CORPUS_STAGES] if not name.startswith("dedup_")}
    cfg = plumbing_config(tmp_path / "sieve.yaml", stages={**off, "minhash": {"enabled": True}})
    res = run_sieve([a, b], tmp_path / "lake", "t", config=cfg, task_runner="threads")
    assert res["counts"]["duplicate"] == 3
    rows = sql(tmp_path / "lake", """
        SELECT c.source_id, k.source_id, k.outcome, x.detector_version FROM duplicates u
        JOIN documents c USING (run_id, doc_id)
        JOIN documents k ON k.run_id = u.kept_run_id AND k.doc_id = u.duplicate_of
        JOIN decisions x ON x.run_id = u.run_id AND x.doc_id = u.doc_id AND x.reason LIKE 'dup.%' ORDER BY 1""")
    assert rows == [("B", "A", "clean", "dedup_near@2"), ("C", "A", "clean", "dedup_near@2"),
                    ("X2", "X", "clean", "dedup_exact@2")]
