"""Near-duplicate decisions: planted pairs at known Jaccard levels, pairs at the threshold, chains, keep policies
and earlier runs.
"""

from __future__ import annotations

import random
import shutil

import pyarrow.parquet as pq
import pytest

from tasks.dedup.minhash import MinHashConfig
from tests.neardup_helpers import FRESH, VOCAB, jaccard, make_doc, near_run, variant

LEVELS = [(1.0, True), (0.95, True), (0.9, True), (0.88, True), (0.65, False), (0.5, False), (0.3, False)]


@pytest.fixture(scope="module", params=["exact", "estimate"])
def planted(tmp_path_factory, request):
    rng = random.Random(11)
    docs, truth = [], {}
    for level, _ in LEVELS:
        for k in range(4):
            base = make_doc(rng)
            if level == 1.0:  # same words, different case and punctuation: another content hash, J = 1
                text, j = base.upper().replace(".", "!"), 1.0
            else:
                text, j = variant(base, level, rng)
            bid, vid = f"base-{level}-{k}", f"var-{level}-{k}"
            docs += [{"id": bid, "text": base}, {"id": vid, "text": text}]
            truth[vid] = (bid, j, level)
    docs += [{"id": f"bg-{i}", "text": make_doc(rng)} for i in range(60)]
    rng.shuffle(docs)
    # the base of each pair comes first (first_seen keeps it)
    docs.sort(key=lambda d: d["id"].startswith("var-"))
    root = tmp_path_factory.mktemp("planted")
    shards = [docs[i:i + 37] for i in range(0, len(docs), 37)]
    return near_run(root, shards, verify=request.param), truth, request.param


@pytest.mark.parametrize("level,found", LEVELS)
def test_planted_pairs_found_at_and_above_threshold_only(planted, level, found):
    dups, truth, mode = planted
    for vid, (bid, true_j, lvl) in truth.items():
        if lvl != level:
            continue
        assert abs(true_j - level) < 0.05
        if found:
            assert vid in dups and dups[vid]["duplicate_of"] == bid, (vid, true_j)
            ev = dups[vid]["evidence"]
            if mode == "exact":  # the reported similarity is the true Jaccard
                assert abs(dups[vid]["similarity"] - true_j) < 1e-9 and ev["jaccard_method"].startswith("exact")
            else:
                assert abs(dups[vid]["similarity"] - true_j) < 0.1 and ev["jaccard_method"].startswith("estimated")
            assert ev["jaccard"] == round(dups[vid]["similarity"], 4) and ev["threshold"] == 0.8
            assert abs(ev["estimated_jaccard"] - true_j) < 0.1
            assert ev["kept_doc_id"] == bid and ev["rule"] == "the kept copy comes first in the input order"
        else:
            assert vid not in dups, (vid, true_j, dups.get(vid))


def test_unrelated_documents_are_never_flagged(planted):
    dups, truth, _ = planted
    assert not [d for d in dups if d.startswith("bg-") or d.startswith("base-")]
    assert set(dups) <= set(truth)


def test_pairs_at_the_threshold_are_decided_on_their_exact_jaccard(tmp_path):
    rng = random.Random(17)
    docs, truth = [], {}
    for k in range(12):
        base = make_doc(rng, 400)
        text, j = variant(base, 0.80 + (0.02 if k % 2 else -0.02), rng)
        docs += [{"id": f"b{k}", "text": base}, {"id": f"v{k}", "text": text}]
        truth[f"v{k}"] = j
    assert sorted(j >= 0.8 for j in truth.values()) == [False] * 6 + [True] * 6
    dups = near_run(tmp_path, [docs])
    assert {v for v, j in truth.items() if j >= 0.8} == set(dups)
    # the estimate alone is off by a few hundredths either way at 128 permutations
    errors = [abs(d["evidence"]["estimated_jaccard"] - truth[v]) for v, d in dups.items()]
    assert max(errors) > 0.005


def chain(rng: random.Random) -> tuple[str, str, str]:
    a = make_doc(rng, 300)
    words = a.split(" ")
    b_words, c_words = list(words), list(words)
    # B edits the first half of A, C repeats B's edits and adds as many in the second half
    for pos in range(2, 150, 17):
        b_words[pos] = c_words[pos] = rng.choice(FRESH)
    for pos in range(152, 300, 17):
        c_words[pos] = rng.choice(FRESH)
    return a, " ".join(b_words), " ".join(c_words)


def test_chain_does_not_merge_dissimilar_ends(tmp_path):
    a, b, c = chain(random.Random(5))
    assert jaccard(a, b) > 0.72 and jaccard(b, c) > 0.72 and jaccard(a, c) < 0.57
    # a threshold halfway between, and 256 permutations, so the estimates sit > 3 sigma from it
    params = {"threshold": 0.64, "minhash": MinHashConfig(num_perm=256)}
    dups = near_run(tmp_path, [[{"id": "A", "text": a}, {"id": "B", "text": b}, {"id": "C", "text": c}]],
                    **params)
    # B goes to A; C is similar to B only, and B is not kept, so C stays
    assert set(dups) == {"B"} and dups["B"]["duplicate_of"] == "A"
    # with B first, both ends are verified against B itself and both go
    dups = near_run(tmp_path, [[{"id": "B", "text": b}, {"id": "A", "text": a}, {"id": "C", "text": c}]],
                    run_id="r2", **params)
    assert {k: v["duplicate_of"] for k, v in dups.items()} == {"A": "B", "C": "B"}


def cluster_docs() -> list[dict]:
    rng = random.Random(21)
    base = make_doc(rng)
    longer = base + " " + " ".join(rng.choice(VOCAB) for _ in range(12))
    shorter, _ = variant(base, 0.93, rng)
    return [
        {"id": "first", "text": base, "source": "/data/a.jsonl", "score": 0.2},
        {"id": "long", "text": longer, "source": "/data/c.jsonl", "score": 0.5},
        {"id": "fav", "text": shorter, "source": "/data/b.jsonl", "score": 0.9},
    ]


@pytest.mark.parametrize("cfg,kept,rule", [
    ({}, "first", "the kept copy comes first in the input order"),
    ({"keep": "longest"}, "long", "the kept copy is longer"),
    ({"keep": "source_priority", "source_priority": ["*/b.jsonl", "*/c.jsonl"]}, "fav",
     "the kept copy's source ranks higher in source_priority (pattern 1 vs"),
    ({"keep": "score", "score_stage": "quality", "score_name": "q"}, "fav",
     "the kept copy has the higher quality.q score (0.9000 vs"),
])
def test_keep_policy_decides_the_kept_copy_and_says_why(tmp_path, cfg, kept, rule):
    dups = near_run(tmp_path, [cluster_docs()], **cfg)
    assert set(dups) == {"first", "long", "fav"} - {kept}
    for row in dups.values():
        assert row["duplicate_of"] == kept
        assert row["evidence"]["rule"].startswith(rule)
        assert row["evidence"]["keep_policy"] == cfg.get("keep", "first_seen")


def test_earlier_run_wins_whatever_the_policy_and_old_signatures_are_reused(tmp_path):
    docs = cluster_docs()
    assert near_run(tmp_path, [[docs[2]]], run_id="r1") == {}
    index = tmp_path / "lake" / "index" / "t" / "minhash" / "run=r1" / "part-00000.parquet"
    assert pq.read_table(index).column("doc_id").to_pylist() == ["fav"]
    shutil.rmtree(tmp_path / "r1")  # the first run's staged shards are gone: only its index remains
    dups = near_run(tmp_path, [docs[:2]], run_id="r2", prior=["r1"], keep="longest")
    assert {k: v["duplicate_of"] for k, v in dups.items()} == {"first": "fav", "long": "fav"}
    ev = dups["long"]["evidence"]
    assert ev["rule"] == "the kept copy is from the earlier run r1: earlier runs win"
    # the earlier run's text is not at hand: the pair is decided, and reported, on the estimate
    assert ev["jaccard_method"].startswith("estimated") and ev["jaccard"] == ev["estimated_jaccard"]
    assert 0.8 <= dups["long"]["similarity"] == ev["matching_permutations"] / 128
    # signatures of another shingle size are not comparable: that run is skipped, not recomputed
    other = near_run(tmp_path, [docs[:2]], run_id="r3", prior=["r1"], minhash=MinHashConfig(ngram=4))
    assert {k: v["duplicate_of"] for k, v in other.items()} == {"long": "first"}


def test_exact_copies_follow_their_first_seen_copy(tmp_path):
    docs = cluster_docs()
    copy = {"id": "copy", "text": docs[1]["text"].upper()}
    dups = near_run(tmp_path, [[*docs, copy]])
    assert dups["copy"]["duplicate_of"] == "first" and dups["copy"]["evidence"]["identical_to"] == "long"
