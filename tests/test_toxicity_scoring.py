"""Toxicity scoring machinery: where texts are cut into windows, how a window score maps onto the document scale,
and the table-lookup scorer giving fastText's own probabilities.
"""

from __future__ import annotations

import random

import pytest

from tasks import toxicity_train as tt
from tasks.detectors.toxicity import windows
from tasks.textnorm import normalize_for_model
from tests.toxicity_helpers import clean_sentence, insult_sentence, write_davidson_csv


@pytest.mark.parametrize(("window", "expected"), [
    (0.0, 0.0), (0.45, 0.26), (0.9, 0.52), (0.95, 0.76), (1.0, 1.0), (0.8999, 0.519942)])
def test_window_scores_map_onto_the_document_scale(window, expected):
    from tasks.detectors.toxicity import on_document_scale

    assert on_document_scale(window, 0.9, 0.52) == pytest.approx(expected, abs=1e-6)
    assert on_document_scale(window, 0.5, 0.5) == pytest.approx(window)  # same thresholds: unchanged


@pytest.mark.parametrize(("text", "size", "expected"), [
    ("short text", 50, [(0, 10)]),
    ("a" * 120, 50, [(0, 50), (50, 120)]),  # no boundary: hard cuts; a 20-char tail joins the last window
    # cut at the line break in the second half of the window (the break starts the next window)
    ("first line here\nsecond line is here\nthird line is here too", 40, [(0, 35), (35, 58)]),
    # no line break: cut after a sentence end; the 24-char tail is long enough to stand alone
    ("One sentence ends here. Another one follows it. And a third one closes.", 40, [(0, 23), (23, 47), (47, 71)]),
])
def test_windows_cut_at_lines_then_sentences(text, size, expected):
    assert windows(text, size, 64) == expected


def test_windows_cover_the_text_and_respect_max_windows():
    rng = random.Random(1)
    text = " ".join(clean_sentence(rng) + "." for _ in range(400))
    for size, max_windows in ((300, 64), (300, 5), (50, 1000)):
        cuts = windows(text, size, max_windows)
        assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
        assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:], strict=False))
        assert len(cuts) <= max_windows
        assert all(e - s <= 1.5 * max(size, 2 * len(text) / max_windows + 1) for s, e in cuts)


TABLE_TEXTS = [
    "Shut up, you worthless idiot!", "The gardener planted two maple trees after the storm.",
    "Grüße aus München: the café opens at 9 \u2014 bring 2 friends \U0001F600", "ok", "", "   ",
    "xxuser you pathetic loser https://example.com/x?y=1 &amp; more",
    "Zzqxv unheardofword, plinkety-plonk!!! Ünïcödé wörds \u6771\u4eac\u90fd and tabs\tand\nlines",
]


@pytest.mark.parametrize(("params", "table"), [
    ({"quantize": False}, True),  # words only
    ({"quantize": False, "minn": 3, "maxn": 6, "bucket": 20_000}, True),  # character n-grams
    ({"quantize": True, "minn": 2, "maxn": 4, "bucket": 20_000, "cutoff": 3_000}, True),  # quantised, pruned rows
    ({"quantize": False, "word_ngrams": 2, "bucket": 20_000}, False),  # word pairs: fastText's own predict
    ({"quantize": False, "loss": "hs"}, False),  # hierarchical softmax: fastText's own predict
])
def test_table_scores_equal_fasttext_predict(tmp_path, params, table):
    """The table-lookup scorer gives model.predict's probabilities for every window and whole document."""
    import fasttext

    from tasks.detectors.toxicity_linear import SEPARATOR, LinearScorer

    data = write_davidson_csv(tmp_path / "d.csv", n_clean=150, n_toxic=150, seed=6)
    tt.train([data], tmp_path / "m.bin", params=tt.TrainParams(**params), seed=2)
    model = fasttext.load_model(str(tmp_path / "m.bin"))
    scorer = LinearScorer.from_model(model)
    assert (scorer is not None) == table
    if scorer is None:
        return
    docs = [[normalize_for_model(t) for t in TABLE_TEXTS[i:i + 3]] for i in range(0, len(TABLE_TEXTS), 3)]
    for _ in range(2):  # a second pass reads the words learnt in the first from the cache
        doc_probs, win_probs = scorer.score_documents(docs)
        for d, wins in enumerate(docs):
            labels, probs = model.predict([" ".join(wins), *wins], k=-1, threshold=0.0)
            for line, (ls, ps) in enumerate(zip(labels, probs, strict=True)):
                got = doc_probs[d] if line == 0 else win_probs[d][line - 1]
                for lab, p in zip(ls, ps, strict=True):
                    assert got[scorer.labels.index(lab)] == pytest.approx(p, abs=1e-5)
    # the same windows given as one text per document, separated by SEPARATOR tokens
    joined_docs, joined_wins = scorer.score_joined([f" {SEPARATOR} ".join(wins) for wins in docs])
    assert joined_docs == pytest.approx(doc_probs, abs=1e-9)
    assert [w.shape for w in joined_wins] == [w.shape for w in win_probs]
    for a, b in zip(joined_wins, win_probs, strict=True):
        assert a == pytest.approx(b, abs=1e-9)


def test_table_stays_exact_when_its_cache_of_new_words_is_emptied(tmp_path, monkeypatch):
    import fasttext

    from tasks.detectors import toxicity_linear

    data = write_davidson_csv(tmp_path / "d.csv", n_clean=150, n_toxic=150, seed=6)
    tt.train([data], tmp_path / "m.bin", params=tt.TrainParams(quantize=False, minn=3, maxn=5, bucket=20_000), seed=2)
    model = fasttext.load_model(str(tmp_path / "m.bin"))
    scorer = toxicity_linear.LinearScorer.from_model(model)
    monkeypatch.setattr(toxicity_linear, "OOV_CACHE", 7)  # forget the unknown words every few of them
    rng = random.Random(9)
    texts = [" ".join("".join(rng.choice("abcdefghij") for _ in range(6)) + " " + insult_sentence(rng)
                      for _ in range(3)) for _ in range(20)]
    for _ in range(2):
        doc_probs, _ = scorer.score_documents([[t] for t in texts])
        labels, probs = model.predict(texts, k=-1, threshold=0.0)
        for row, (ls, ps) in enumerate(zip(labels, probs, strict=True)):
            for lab, p in zip(ls, ps, strict=True):
                assert doc_probs[row, scorer.labels.index(lab)] == pytest.approx(p, abs=1e-5)
    # bounded: a batch of new words empties the cache of earlier ones, so it holds the vocabulary and this batch's
    fresh = [f"{w}q zzz{w}x" for w in ("alpha", "beta", "gamma")]
    scorer.score_documents([[normalize_for_model(t)] for t in fresh])
    assert set(scorer._index) - set(scorer._vocab) == {w for t in fresh for w in t.split()}
