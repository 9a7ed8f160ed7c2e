"""Near-duplicate detection, the MinHash side: shingles, signatures (datasketch's, bit for bit), character mode,
and the choice of LSH bands.
"""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from tasks.dedup import lsh
from tasks.dedup.minhash import MinHashConfig, MinHashStage, permutations, signatures, to_lean
from tasks.dedup.near import NearDedupConfig
from tasks.dedup.shingles import fold, shingle_batch, shingle_words, uses_chars
from tasks.normalize import normalize_key
from tasks.stage import DocBatch
from tests.neardup_helpers import grams, make_doc, near_run


def test_fast_test_shingles_equal_the_stage_words():
    text = make_doc(random.Random(0), 60)
    assert grams(text) == {tuple(s.split(" ")) for s in shingle_words(text)}


@pytest.mark.parametrize("text", [
    "The  quick\tbrown fox\n\njumps over the lazy dog near the river bank",
    "ＦＵＬＬ－ＷＩＤＴＨ letters and\u00a0no-break spaces, still the same words here",
    "Straße STRASSE strasse: casefolding makes these three equal words in five grams",
    "  leading and trailing   whitespace with   runs   of spaces inside the text  ",
    "\ufeffsoft\u00adhyphen zero\u200bwidth caf\u00e9 vs cafe\u0301 and\u2060joined tag\U000e0041 here",
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
    texts = ["", "!!! ...", "two words", "nine words " * 4 + "nine", "ten words " * 5, make_doc(random.Random(2))]
    res = MinHashStage().run(DocBatch(doc_ids=list("abcdef"), texts=texts))
    assert res.findings == []
    sig = res.columns["minhash"]
    assert sig.type == pa.list_(pa.uint32())
    # fewer than min_words (10) words: no signature, near dedup leaves the text to exact dedup
    assert [v is None for v in sig.to_pylist()] == [True, True, True, True, False, False]
    assert len(sig[5].as_py()) == 128
    assert [(s.row, s.value) for s in res.scores] == [(0, 0.0), (1, 0.0), (2, 1.0), (3, 5.0), (4, 6.0), (5, 236.0)]
    assert res.columns["minhash_params"][0].as_py().endswith("/w5/c5/p128/s1")
    every = MinHashStage(MinHashConfig(min_words=0)).run(DocBatch(doc_ids=list("abcdef"), texts=texts))
    assert [v is None for v in every.columns["minhash"].to_pylist()] == [True, True, False, False, False, False]
    # min_words changes which records have a signature, never a signature: it is not part of minhash_params
    assert every.columns["minhash"][4] == sig[4]
    assert every.columns["minhash_params"][0] == res.columns["minhash_params"][0]


@pytest.mark.parametrize("a,b", [
    ("I like C++", "I like C#"),
    ("x > y", "x < y"),
    ("What is 2+2? 4", "What is 2*2? 4"),
    ("Set the value to -5 before starting the engine.", "Set the value to 5 before starting the engine!"),
])
def test_short_texts_that_differ_only_outside_words_are_not_near_duplicates(tmp_path, a, b):
    # their words (all a shingle sees) are the same: Jaccard 1.0, and one of them was removed as a near duplicate
    assert shingle_words(a) == shingle_words(b)
    assert near_run(tmp_path, [[{"id": "a", "text": a}, {"id": "b", "text": b}]]) == {}
    dups = near_run(tmp_path, [[{"id": "a", "text": a}, {"id": "b", "text": b}]], run_id="r0",
                    minhash=MinHashConfig(min_words=0))
    assert set(dups) == {"b"} and dups["b"]["similarity"] == 1.0


def test_characters_count_as_words_for_texts_shingled_by_character():
    short, longer = "東京は晴れ", "東京は今日も晴れていて公園には人が多い"
    res = MinHashStage().run(DocBatch(doc_ids=["s", "l"], texts=[short, longer]))
    assert [v is None for v in res.columns["minhash"].to_pylist()] == [True, False]


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
