"""Which copy dedup keeps when copies are headed for different outcomes (``tasks.dedup.levels``): a copy headed for
clean is never removed in favour of one its findings quarantine or drop, whichever comes first, in exact and near
dedup, and when the finding comes from a corpus stage that runs after dedup.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from schemas.config import build_config
from tasks import corpus
from tasks.corpus import run_corpus_stages
from tasks.dedup.levels import action_level_sql
from tasks.registry import CORPUS_STAGES
from tests.neardup_helpers import make_doc, stage_corpus, variant

INJECTION = [("poison.injection", 0.97)]


def corpus_dups(tmp_path: Path, shards: list[list[dict]], run_id: str = "r1", policy: dict | None = None,
                extra_stage=None, monkeypatch=None, prior: list[str] | None = None) -> dict[str, dict]:
    """The real corpus step (exact + near dedup, default policy) over staged shards: {doc_id: duplicates row}."""
    docs, _ = stage_corpus(tmp_path / run_id / "stage", shards)
    off = {name: {"enabled": False} for name in CORPUS_STAGES if not name.startswith("dedup_")}
    cfg = build_config({"stages": off, **({"policy": policy} if policy else {})})
    if extra_stage is not None:
        real = corpus.build_corpus_stages
        monkeypatch.setattr(corpus, "build_corpus_stages", lambda stages: [*real(stages), extra_stage])
    out = run_corpus_stages(cfg, run_id, "t", tmp_path / "lake", [str(Path(d).parent) for d in docs], prior or [],
                            tmp_path / run_id / "work")
    rows = [r for f in sorted(Path(out["corpus_dir"], "dups").rglob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert len(rows) == len({r["doc_id"] for r in rows})
    dups = {r["doc_id"]: {**r, "evidence": json.loads(r["evidence"])} for r in rows}
    dups["_counters"] = out["counters"]
    return dups


def kept(dups: dict) -> dict[str, str]:
    return {k: v["duplicate_of"] for k, v in dups.items() if k != "_counters"}


@pytest.fixture(scope="module")
def texts():
    rng = random.Random(12)
    base = make_doc(rng)
    return {"base": base, "near": variant(base, 0.9, rng)[0], "other": make_doc(rng), "third": make_doc(rng)}


@pytest.mark.parametrize("order", ["quarantined first", "clean first"])
def test_near_copy_headed_for_clean_is_kept_whatever_the_order(tmp_path, texts, order):
    poisoned = {"id": "A", "text": texts["base"], "findings": INJECTION}
    clean = {"id": "B", "text": texts["near"]}
    docs = [poisoned, clean] if order == "quarantined first" else [clean, poisoned]
    dups = corpus_dups(tmp_path, [[*docs, {"id": "X", "text": texts["other"]}]])
    assert kept(dups) == {"A": "B"}  # was B -> A: B went nowhere, A to quarantine
    ev = dups["A"]["evidence"]
    assert ev["kept_outcome"] == "clean" and ev["copy_outcome"] == "quarantined"
    assert ev["copy_blocked_by"] == ["poison.injection"]
    if order == "quarantined first":
        assert ev["rule"] == ("its own findings make this copy quarantined (poison.injection) and the kept copy "
                              "clean: the copy with the better outcome is kept")


def test_exact_copy_headed_for_clean_is_kept(tmp_path, texts):
    shards = [[{"id": "A", "text": texts["base"], "findings": [("poison.integrity", None)]}],
              [{"id": "B", "text": texts["base"].upper()}, {"id": "C", "text": texts["base"]}]]
    dups = corpus_dups(tmp_path, shards)
    assert kept(dups) == {"A": "B", "C": "B"}
    assert dups["A"]["method"] == "exact" and dups["C"]["method"] == "exact"
    assert dups["C"]["evidence"]["kept_by"] == ("the first copy in this run whose own findings make it clean "
                                                "(the first seen copy would be quarantined)")
    assert dups["A"]["evidence"]["copy_outcome"] == "quarantined"


def test_when_no_copy_is_clean_the_first_quarantined_one_is_kept_and_a_dropped_one_goes_to_it(tmp_path, texts):
    policy = {"rules": [{"reason": "lang.*", "action": "drop"}, {"reason": "*", "action": "quarantine"}]}
    shards = [[{"id": "D", "text": texts["base"], "findings": [("lang.xx", 0.9)]},
               {"id": "Q1", "text": texts["near"], "findings": INJECTION},
               {"id": "Q2", "text": texts["base"] + " ", "findings": INJECTION}]]
    dups = corpus_dups(tmp_path, shards, policy=policy)
    # Q2 (exact copy of D) and Q1 (near copy of D) are headed for quarantine: one of them is kept for review, never
    # the dropped D, which no reviewer sees
    assert kept(dups) in ({"D": "Q1", "Q2": "Q1"}, {"D": "Q2", "Q1": "Q2"})
    assert dups["D"]["evidence"]["kept_outcome"] == "quarantined"


def test_copies_with_the_same_outcome_keep_the_old_rule(tmp_path, texts):
    shards = [[{"id": "A", "text": texts["base"], "findings": INJECTION},
               {"id": "B", "text": texts["near"], "findings": INJECTION},
               {"id": "C", "text": texts["other"]}, {"id": "D", "text": texts["other"].lower()}]]
    dups = corpus_dups(tmp_path, shards)
    assert kept(dups) == {"B": "A", "D": "C"}
    assert dups["B"]["evidence"]["rule"] == "the kept copy comes first in the input order"
    assert dups["B"]["evidence"]["kept_outcome"] == dups["B"]["evidence"]["copy_outcome"] == "quarantined"


def test_redact_and_flag_findings_do_not_count(tmp_path, texts):
    shards = [[{"id": "A", "text": texts["base"], "findings": [("pii.EMAIL_ADDRESS", 1.0)]},
               {"id": "B", "text": texts["near"]}]]
    assert kept(corpus_dups(tmp_path, shards)) == {"B": "A"}


def test_exact_copies_of_a_near_copy_follow_the_clean_keeper(tmp_path, texts):
    # A (quarantined) ~ B (clean, near), C exact copy of A but clean: C is A's content's kept copy
    shards = [[{"id": "A", "text": texts["base"], "findings": INJECTION}, {"id": "B", "text": texts["near"]}],
              [{"id": "C", "text": texts["base"].lower()}]]
    dups = corpus_dups(tmp_path, shards)
    assert kept(dups) == {"A": "B", "C": "B"}
    assert dups["C"]["evidence"]["kept_outcome"] == "clean"


class FlagCorpusStage:
    """A corpus stage run after dedup that quarantines some records (as trigger mining or a flood would)."""

    name = "poison_trigger"

    def __init__(self, doc_ids: list[str]):
        self.doc_ids = doc_ids

    def run(self, ctx):
        import pyarrow as pa

        from schemas import arrow
        from tasks.stage import CorpusResult

        rows = [{"doc_id": d, "stage": self.name, "reason": "poison.trigger", "score": 9.0, "evidence": "{}",
                 "spans": None, "detector_version": "test@1"} for d in self.doc_ids]
        path = ctx.work_dir / "flag.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=arrow.CORPUS_FINDINGS), path)
        return CorpusResult(findings_path=str(path))


def test_a_kept_copy_quarantined_by_a_later_corpus_stage_is_chosen_again(tmp_path, texts, monkeypatch):
    shards = [[{"id": "A", "text": texts["base"]}, {"id": "B", "text": texts["near"]},
               {"id": "C", "text": texts["base"].upper()}, {"id": "X", "text": texts["other"]},
               {"id": "Y", "text": texts["other"] + "!"}]]
    dups = corpus_dups(tmp_path, shards, extra_stage=FlagCorpusStage(["A", "X"]), monkeypatch=monkeypatch)
    assert kept(dups) == {"A": "B", "C": "B", "X": "Y"}
    assert dups["_counters"]["dedup.kept_copies_overruled"] == 3  # B and C pointed at A, Y at X
    # a finding that hits no kept copy costs no second pass
    dups = corpus_dups(tmp_path, shards, run_id="r2", extra_stage=FlagCorpusStage(["B"]), monkeypatch=monkeypatch)
    assert kept(dups) == {"B": "A", "C": "A", "Y": "X"}
    assert "dedup.kept_copies_overruled" not in dups["_counters"]


def test_policy_levels_follow_the_rules_in_order():
    import duckdb

    cfg = build_config({"policy": {"rules": [
        {"reason": "toxicity.*", "action": "quarantine", "min_score": 0.9},
        {"reason": "toxicity.*", "action": "drop", "min_score": 0.99},  # never reached above 0.9: first match wins
        {"reason": "pii.SECRET*", "action": "drop"},
        {"reason": "input.*", "action": "quarantine"}], "default_action": "flag"}})
    found = ["toxicity.hate", "pii.SECRET_KEY", "pii.EMAIL_ADDRESS", "input.empty", "lang.fr"]
    rows = [("toxicity.hate", 0.95), ("toxicity.hate", 0.5), ("toxicity.hate", None), ("pii.SECRET_KEY", 0.1),
            ("pii.EMAIL_ADDRESS", 1.0), ("input.empty", None), ("lang.fr", 1.0),
            ("toxicity.hate", float("nan"))]  # NaN meets no min_score in the router (DuckDB's NaN >= x is true)
    con = duckdb.connect()
    got = [con.execute(f"SELECT {action_level_sql(cfg.policy, found)} FROM (SELECT ?::VARCHAR AS reason, "
                       f"?::DOUBLE AS score)", list(r)).fetchone()[0] for r in rows]
    want = [{"flag": 0, "redact": 0, "quarantine": 1, "drop": 2}[cfg.policy.action_for(*r)] for r in rows]
    assert got == want == [1, 0, 1, 2, 0, 1, 0, 0]


def write_rows(path: Path, rows: list[dict], schema) -> None:
    import pyarrow as pa

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def test_earlier_runs_count_as_kept_only_when_their_copy_is_in_clean_now(tmp_path):
    """An earlier run's copy: clean there, or released since (kept_run_id names the release), is kept; one it
    quarantined keeps only copies headed for quarantine too; one that was a duplicate there is no copy at all."""
    from schemas import arrow
    from tasks.normalize import content_hash

    rng = random.Random(31)
    base = [make_doc(rng) for _ in range(4)]
    lake = tmp_path / "lake"
    corpus_dups(tmp_path, [[{"id": f"P{i}", "text": t} for i, t in enumerate(base)]], run_id="r1")  # signatures
    outcome = {"P0": "quarantined", "P1": "clean", "P2": "quarantined", "P3": "duplicate"}
    doc_row = {f: None for f in arrow.PROVENANCE["documents"].names}
    write_rows(lake / "provenance" / "documents" / "run=r1" / "part-00000.parquet",
               [{**doc_row, "run_id": "r1", "doc_id": d, "outcome": o} for d, o in outcome.items()],
               arrow.PROVENANCE["documents"])
    write_rows(lake / "index" / "t" / "exact" / "run=r1" / "part-00000.parquet",
               [{"content_hash": content_hash(base[i]), "doc_id": f"P{i}"} for i in range(3)], arrow.EXACT_INDEX)
    # P2 approved and published by the release rel
    write_rows(lake / "provenance" / "documents" / "run=rel" / "part-00000.parquet",
               [{**doc_row, "run_id": "rel", "doc_id": "P2", "outcome": "clean", "released_from": "r1"}],
               arrow.PROVENANCE["documents"])
    run_row = {f: None for f in arrow.PROVENANCE["runs"].names}
    write_rows(lake / "provenance" / "runs" / "run=rel" / "part-00000.parquet",
               [{**run_row, "run_id": "rel", "dataset": "t", "status": "completed", "kind": "release"}],
               arrow.PROVENANCE["runs"])
    near = [variant(t, 0.9, rng)[0] for t in base]
    shards = [[{"id": "N0", "text": near[0]}, {"id": "N0q", "text": near[0] + " Zed.", "findings": INJECTION},
               {"id": "E0", "text": base[0].upper()}, {"id": "E0q", "text": base[0], "findings": INJECTION},
               {"id": "N1", "text": near[1]}, {"id": "E1", "text": base[1].lower()},
               {"id": "N2", "text": near[2]}, {"id": "E2", "text": base[2]}, {"id": "N3", "text": near[3]}]]
    dups = corpus_dups(tmp_path, shards, run_id="r2", prior=["r1"])
    got = {k: (v["duplicate_of"], v["evidence"]["kept_run_id"]) for k, v in dups.items() if k != "_counters"}
    # the quarantined P0 keeps the quarantined copies only; the clean ones stay (N0 keeps its near copy E0)
    assert got["N0q"] == ("P0", "r1") and got["E0q"] == ("P0", "r1")
    assert "N0" not in got and got["E0"] == ("N0", "r2")
    assert got["N1"] == ("P1", "r1") and got["E1"] == ("P1", "r1")
    assert got["N2"] == ("P2", "rel") and got["E2"] == ("P2", "rel")
    assert dups["E2"]["evidence"]["kept_by"] == "seen in an earlier run, published since by sieve release rel"
    assert "N3" not in got  # P3 was a duplicate in r1: in no output
    assert dups["E0q"]["evidence"]["kept_by"] == "seen in an earlier run (quarantined there; this copy would be " \
                                                 "quarantined too)"


def test_a_large_bucket_does_not_let_a_quarantined_earlier_copy_take_the_clean_ones():
    import numpy as np

    from tasks.dedup import keep, lsh

    # node 0: an earlier run's quarantined copy; 1-3: this run's clean copies; all one bucket, compared by pivots
    store = np.tile(np.arange(128, dtype=np.uint32), (4, 1))
    keys, nodes = np.zeros(4, np.uint64), np.arange(4)
    levels = np.array([1, 0, 0, 0], np.int8)
    need, matches = lsh.min_matches(0.8, 128), lsh.signature_matcher(store)
    u, v, m, st = lsh.partition_pairs(keys, nodes, need, matches, 1, all_pairs_max=2, levels=levels)
    assert st.capped_buckets == 0 and {(1, 2), (1, 3)} <= set(zip(u.tolist(), v.tolist(), strict=True))
    order = np.lexsort((v, u))
    got = [(int(d), int(k)) for ds, ks, _ in keep.assign_keepers([(u[order], v[order], m[order])], 4, 1, levels)
           for d, k in zip(ds, ks, strict=True)]
    assert got == [(2, 1), (3, 1)]  # node 1 kept, clean; without the levels 1-3 all went to node 0
    u0, v0, m0, _ = lsh.partition_pairs(keys, nodes, need, matches, 1, all_pairs_max=2)
    assert set(zip(u0.tolist(), v0.tolist(), strict=True)) == {(0, 1), (0, 2), (0, 3)}
