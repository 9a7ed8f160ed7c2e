"""Near-duplicate detection: shingles, signatures, banding, planted pairs, chains, keep policies, runs, determinism.

Texts are generated here from made-up syllable words, so two unrelated documents share no shingle and a planted
variant's true Jaccard (word 5-grams, computed exactly) is known before the stage runs.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from schemas import arrow
from tasks.dedup import lsh
from tasks.dedup.minhash import MinHashConfig, MinHashStage, permutations, signatures, to_lean
from tasks.dedup.near import NearDedup, NearDedupConfig
from tasks.dedup.shingles import fold, shingle_batch, shingle_words, uses_chars
from tasks.normalize import content_hash, normalize_key
from tasks.stage import CorpusContext, DocBatch

SYLLABLES = "ka lo mi ren tu sa vel dor pi ne qua zi mo fen ar ist bru cal dem fio gan hul".split()


def make_vocab(rng: random.Random, n: int, prefix: str = "") -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add(prefix + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


VOCAB = make_vocab(random.Random(7), 6000)
FRESH = make_vocab(random.Random(8), 3000, prefix="x")


def make_doc(rng: random.Random, n_words: int = 240) -> str:
    words = [rng.choice(VOCAB) for _ in range(n_words)]
    for i in range(11, n_words, 13):
        words[i] += "."
    return " ".join(words).capitalize()


def grams(text: str) -> set[tuple[str, ...]]:
    """Word 5-grams of the generated (ASCII) texts; equal to shingle_words' (checked below), and much faster."""
    w = re.findall(r"\w+", text.casefold())
    return {tuple(w[i:i + 5]) for i in range(len(w) - 4)} if len(w) >= 5 else {tuple(w)}


def jaccard(a: str, b: str) -> float:
    sa, sb = grams(a), grams(b)
    return len(sa & sb) / len(sa | sb)


def test_fast_test_shingles_equal_the_stage_words():
    text = make_doc(random.Random(0), 60)
    assert grams(text) == {tuple(s.split(" ")) for s in shingle_words(text)}


def variant(text: str, target: float, rng: random.Random) -> tuple[str, float]:
    """Replace words (at least 5 apart) with fresh ones until the exact Jaccard with ``text`` drops to ``target``."""
    words = text.split(" ")
    free = list(range(len(words)))
    rng.shuffle(free)
    used: list[int] = []
    out = list(words)
    for pos in free:
        if jaccard(text, " ".join(out)) <= target + 0.005:
            break
        if all(abs(pos - u) >= 5 for u in used):
            out[pos] = rng.choice(FRESH)
            used.append(pos)
    new = " ".join(out)
    return new, jaccard(text, new)


# --- staging helpers: the real MinHash stage writes the real features Parquet the corpus step reads -------------


def stage_corpus(root: Path, shards: list[list[dict]], minhash: MinHashConfig | None = None) -> tuple[list, list]:
    """Write each shard's docs.parquet / features.parquet (and scores.parquet when docs carry a score)."""
    stage = MinHashStage(minhash or MinHashConfig())
    docs_paths, feat_paths = [], []
    for s, shard in enumerate(shards):
        d = root / f"shard-{s:03d}"
        d.mkdir(parents=True)
        rows = [{"doc_id": r["id"], "ord": (s << 32) | i, "source_uri": r.get("source", "a.jsonl"),
                 "source_record": i, "source_id": None, "content_hash": content_hash(r["text"]),
                 "text": r["text"], "messages": None, "meta": None, "raw": None, "raw_encoding": None,
                 "chars": len(r["text"])} for i, r in enumerate(shard)]
        pq.write_table(pa.Table.from_pylist(rows, schema=arrow.STAGED_DOCS), d / "docs.parquet")
        res = stage.run(DocBatch(doc_ids=[r["id"] for r in shard], texts=[r["text"] for r in shard]))
        pq.write_table(pa.table({"doc_id": [r["id"] for r in shard], **res.columns}), d / "features.parquet")
        scores = [{"doc_id": r["id"], "stage": "quality", "name": "q", "value": r["score"]}
                  for r in shard if "score" in r]
        pq.write_table(pa.Table.from_pylist(scores, schema=arrow.STAGED_SCORES), d / "scores.parquet")
        docs_paths.append(str(d / "docs.parquet"))
        feat_paths.append(str(d / "features.parquet"))
    return docs_paths, feat_paths


def near_run(root: Path, shards: list[list[dict]], run_id: str = "r1", prior: list[str] | None = None,
             minhash: MinHashConfig | None = None, **cfg) -> dict[str, dict]:
    """Stage the shards, run dedup_near, return {doc_id: duplicates row with parsed evidence}."""
    docs, feats = stage_corpus(root / run_id / "stage", shards, minhash)
    ctx = CorpusContext(run_id=run_id, dataset="t", lake=root / "lake", docs_paths=docs, features_paths=feats,
                        prior_runs=prior or [], work_dir=root / run_id / "work")
    res = NearDedup(NearDedupConfig(**cfg)).run(ctx)
    table = pq.read_table(res.duplicates_path)
    assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in arrow.DUPLICATE_PAIRS]
    return {r["doc_id"]: {**r, "evidence": json.loads(r["evidence"])} for r in table.to_pylist()}


# --- shingles and signatures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "The  quick\tbrown fox\n\njumps over the lazy dog near the river bank",
    "ＦＵＬＬ－ＷＩＤＴＨ letters and\u00a0no-break spaces, still the same words here",
    "Straße STRASSE strasse: casefolding makes these three equal words in five grams",
    "  leading and trailing   whitespace with   runs   of spaces inside the text  ",
])
def test_shingles_equal_those_of_the_exact_dedup_key(text):
    ours, keyed = shingle_batch([text]), shingle_batch([normalize_key(text)])
    assert np.array_equal(ours.hashes, keyed.hashes) and len(ours.hashes) > 0
    assert shingle_words(text) == shingle_words(normalize_key(text))


def test_signatures_are_datasketch_minhash_bit_for_bit():
    from datasketch import MinHash

    rng = random.Random(1)
    texts = [make_doc(rng, n) for n in (3, 40, 240)] + ["one", ""]
    sh = shingle_batch(texts)
    a, b = permutations(128, 1)
    sigs, has = signatures(sh, a, b)
    assert has.tolist() == [True, True, True, True, False]
    for i in range(4):
        ref = MinHash.bulk([sh.of(i).tolist()], num_perm=128, seed=1, hashfunc=int)[0]
        assert np.array_equal(ref.hashvalues, sigs[i])
    assert to_lean(sigs[2]).jaccard(to_lean(sigs[2])) == 1.0


@pytest.mark.parametrize(("num_perm", "seed"), [(16, 0), (128, 1), (256, 7), (1024, 2**31 - 1)])
def test_permutations_are_datasketchs(num_perm, seed):
    # drawn without importing datasketch (scipy costs 1 s per process): they must stay datasketch's own
    from datasketch import MinHash

    a, b = permutations(num_perm, seed)
    ref_a, ref_b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, ref_a) and np.array_equal(b, ref_b)


def test_signatures_are_stable_across_versions():
    # earlier runs persist signatures: a change of shingling or hashing must change params_id, never these values
    text = "The quick brown fox jumps over the lazy dog by the river bank"
    res = MinHashStage().run(DocBatch(doc_ids=["g"], texts=[text]))
    assert res.columns["minhash"][0].as_py()[:4] == [156832722, 264225706, 87452914, 258571786]
    assert res.columns["minhash_params"][0].as_py() == "datasketch-affine32/xxh32-fold/auto/w5/c5/p128/s1"


def test_stage_output_columns_scores_and_short_texts():
    texts = ["", "!!! ...", "two words", make_doc(random.Random(2))]
    res = MinHashStage().run(DocBatch(doc_ids=list("abcd"), texts=texts))
    assert res.findings == []
    sig = res.columns["minhash"]
    assert sig.type == pa.list_(pa.uint32())
    assert [v is None for v in sig.to_pylist()] == [True, True, False, False]
    assert len(sig[3].as_py()) == 128
    assert [(s.row, s.value) for s in res.scores] == [(0, 0.0), (1, 0.0), (2, 1.0), (3, 236.0)]
    assert res.columns["minhash_params"][0].as_py().endswith("/w5/c5/p128/s1")


@pytest.mark.parametrize("text,chars", [
    ("東京は今日も晴れていて、公園には散歩をする人がたくさんいました。", True),
    ("กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทยและมีประชากรมาก", True),
    ("Le café était fermé, alors nous avons marché jusqu'à la gare.", False),
    ("서울은 오늘 맑고 공원에는 사람이 많았습니다", False),  # Hangul is written with spaces
    ("plain ascii words only", False),
])
def test_auto_mode_uses_characters_only_for_scripts_without_spaces(text, chars):
    assert uses_chars(fold(text), "auto") is chars
    assert uses_chars(fold(text), "words") is False and uses_chars(fold(text), "chars") is True


def test_character_shingles_find_a_near_duplicate_without_spaces(tmp_path):
    base = ("東京は今日も晴れていて公園には散歩をする人がたくさんいました駅の近くの店では新しいパンが売られて"
            "いて朝から長い列ができていました午後には少し風が強くなりましたが夕方まで天気は崩れませんでした")
    edited = base.replace("新しいパン", "新しいケーキ")
    other = "大阪では雨が降り続いていて川の水が増えたため遊歩道は一日中閉鎖されていました図書館は静かでした"
    dups = near_run(tmp_path, [[{"id": "a", "text": base}, {"id": "b", "text": edited},
                                {"id": "c", "text": other}]])
    assert set(dups) == {"b"} and dups["b"]["duplicate_of"] == "a"
    # in words mode the whole sentence is one "word": no usable shingles, nothing found
    assert near_run(tmp_path, [[{"id": "a", "text": base}, {"id": "b", "text": edited}]], run_id="w",
                    minhash=MinHashConfig(shingle="words")) == {}


# --- banding ------------------------------------------------------------------------------------------------------


def test_banding_favours_recall_at_the_threshold():
    from datasketch import MinHashLSH

    assert lsh.choose_bands(0.8, 128, 0.95) == (16, 8)
    b, r = lsh.choose_bands(0.8, 128, NearDedupConfig().fn_weight)
    assert (b, r) == (18, 7)
    assert lsh.collision_probability(0.8, b, r) > 0.98 and lsh.collision_probability(0.85, b, r) > 0.998
    default = MinHashLSH(threshold=0.8, num_perm=128)
    assert lsh.collision_probability(0.8, default.b, default.r) < 0.5
    assert lsh.min_matches(0.8, 128) == 103


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.85, 0.9, 0.95])
@pytest.mark.parametrize("num_perm", [16, 64, 100, 128, 256])
@pytest.mark.parametrize("fn_weight", [0.5, 0.9, 0.99])
def test_choose_bands_gives_datasketchs_optimum(threshold, num_perm, fn_weight):
    # our quadrature replaces datasketch's scipy one (1 s of imports per run): the (bands, rows) must be the same
    from datasketch import MinHashLSH

    fp = round(1.0 - fn_weight, 6)
    try:
        ref = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(fp, 1.0 - fp))
    except ValueError:  # datasketch refuses fewer than 2 bands, and so must we
        with pytest.raises(ValueError, match="fewer than 2 bands"):
            lsh.choose_bands(threshold, num_perm, fn_weight)
        return
    assert lsh.choose_bands(threshold, num_perm, fn_weight) == (ref.b, ref.r)


# --- planted pairs at known Jaccard levels ------------------------------------------------------------------------

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


# --- chains -------------------------------------------------------------------------------------------------------


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


# --- keep policies ------------------------------------------------------------------------------------------------


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
    assert ev["rule"] == "the kept copy is from the earlier run r1: earlier runs always win"
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


# --- determinism and bounded partitions ---------------------------------------------------------------------------


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


# --- through the real flow ----------------------------------------------------------------------------------------


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
