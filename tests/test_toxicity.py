"""toxicity: train on a fixture we write, then score; label maps, thresholds, windows, errors, the bundled model."""

from __future__ import annotations

import csv
import random
import re

import pytest

from tasks import toxicity_train as tt
from tasks import toxicity_train_card as card_md
from tasks.detectors.toxicity import (
    BUNDLED_MODEL,
    BUNDLED_THRESHOLDS,
    BUNDLED_WINDOW_THRESHOLD,
    ToxicityConfig,
    ToxicityStage,
    windows,
)
from tasks.registry import build_document_stages, stage_class
from tasks.stage import DocBatch
from tasks.textnorm import normalize_for_model
from tests.conftest import ROOT

# A small corpus with a realistic vocabulary (fastText stops with NaN on a handful of repeated words): clean
# sentences about everyday life and insults, all written for this test, combined by a seeded generator.
SUBJECTS = ["my neighbour", "the teacher", "our team", "the new bakery", "my sister", "the city council",
            "a local farmer", "the museum", "the train company", "our old dog", "the gardener", "my grandfather",
            "the library", "the choir", "a young painter", "the hospital", "the football club", "my colleague",
            "the bus driver", "the engineers"]
VERBS = ["planted", "painted", "repaired", "visited", "cooked", "organised", "photographed", "cleaned", "described",
         "designed", "borrowed", "delivered", "measured", "celebrated", "explored", "recorded", "printed",
         "collected", "translated", "built"]
OBJECTS = ["a wooden bridge", "fresh tomatoes", "the old piano", "a quiet garden", "seven blue bicycles",
           "the harbour", "a detailed map", "warm bread", "the concert hall", "two maple trees", "a clay pot",
           "the weather report", "a long letter", "the river path", "spicy soup", "a paper kite", "the school roof",
           "apple pie", "a chess board", "the mountain cabin"]
WHEN = ["last weekend", "this morning", "before lunch", "during the festival", "after the storm", "in early spring",
        "on a sunny afternoon", "yesterday evening", "every summer", "near the station", "with great care",
        "for the children", "despite the rain", "at the market", "in the valley"]
OPENERS = ["shut up", "nobody cares", "listen", "honestly", "get lost", "go away", "seriously", "admit it",
           "face it", "look"]
INSULTS = ["you worthless idiot", "you pathetic loser", "you stupid moron", "you disgusting creep",
           "you brainless clown", "you miserable fool", "you ugly rat", "you lying scumbag", "you dumb jerk",
           "you useless imbecile"]
TAILS = ["everyone hates you", "i hope you fail", "you make me sick", "nobody wants you here",
         "crawl back under your rock", "your ideas are garbage", "you are a total joke", "stop wasting our time",
         "what a waste of air", "keep your filthy mouth shut"]
THREATS = ["i will find you", "watch your back", "you will regret this", "i know where you live",
           "you will pay for this", "i am coming for you"]


def clean_sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}"


def insult_sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENERS)} {rng.choice(INSULTS)} {rng.choice(TAILS)}"


def threat_sentence(rng: random.Random) -> str:
    return f"{rng.choice(THREATS)} {rng.choice(INSULTS)} {rng.choice(WHEN)}"


def write_davidson_csv(path, n_clean=300, n_toxic=300, seed=7):
    """A CSV in the Davidson layout: class 1 (offensive) for insults, 2 (neither) for clean sentences."""
    rng = random.Random(seed)
    rows = [(1, "RT @friend: " + insult_sentence(rng) + " &amp; more") for _ in range(n_toxic)]
    rows += [(2, clean_sentence(rng) + " http://t.co/x" + str(i)) for i in range(n_clean)]
    rng.shuffle(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["", "count", "hate_speech", "offensive_language", "neither", "class", "tweet"])
        for i, (cls, text) in enumerate(rows):
            w.writerow([i, 3, 0, 3 if cls == 1 else 0, 3 if cls == 2 else 0, cls, text])
    return path


@pytest.fixture(scope="module")
def fixture_model(tmp_path_factory):
    """A binary toxic/clean model trained on the Davidson-layout fixture (not quantised: seconds)."""
    d = tmp_path_factory.mktemp("tox")
    data = write_davidson_csv(d / "train.csv")
    report = tt.train([data], d / "model.bin", params=tt.TrainParams(quantize=False), seed=3)
    return d / "model.bin", report


@pytest.fixture(scope="module")
def three_label_model(tmp_path_factory):
    """A model with labels insult / threat / clean, trained from fastText ``__label__`` lines."""
    d = tmp_path_factory.mktemp("tox3")
    rng = random.Random(11)
    lines = [f"__label__insult {insult_sentence(rng)}" for _ in range(250)]
    lines += [f"__label__threat {threat_sentence(rng)}" for _ in range(250)]
    lines += [f"__label__clean {clean_sentence(rng)}" for _ in range(300)]
    rng.shuffle(lines)
    (d / "train.txt").write_text("\n".join(lines) + "\n")
    tt.train([d / "train.txt"], d / "model.bin", params=tt.TrainParams(quantize=False), seed=5)
    return d / "model.bin"


def score(stage: ToxicityStage, texts: list[str]):
    result = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
    return result, {f.row: f for f in result.findings}


NORMALISATION = [
    ("RT @some_user: Hello &amp; welcome", "xxuser hello welcome"),
    ("see https://example.com/a?b=1 and www.example.org now", "see xxurl and xxurl now"),
    ("Thanks @bob_99 for the tip", "thanks xxuser for the tip"),
    ("Don't SHOUT!!! ok?", "dont shout ok"),
    ("line one\nline two\r\nline\tthree", "line one line two line three"),
    ("\u201cquoted\u201d \u2014 it\u2019s fine\u2026", "quoted its fine"),
    ("&lt;b&gt;bold&lt;/b&gt; &#128514;", "b bold b \U0001F602"),
    # near misses: a word containing RT and an uppercase word are not retweet markers; e-mail loses its host
    ("ART and PORT stay", "art and port stay"),
    ("write to ann@example.com", "write to ann xxuser com"),
    # every character str.split() calls whitespace is a space, so split() gives fastText's tokens
    ("a\u2003b\u3000c\x1cd\x00e\u00a0f\x85g\u2028h", "a b c d e f g h"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALISATION)
def test_normalisation_shared_by_training_and_scoring(raw, expected):
    out = normalize_for_model(raw)
    assert out.split() == expected.split()
    assert out.split() == [w for w in re.split("[ \t\n\v\f\r\x00]+", out) if w]  # fastText's separators


def test_readers_for_each_format(tmp_path):
    dav = write_davidson_csv(tmp_path / "d.csv", n_clean=5, n_toxic=7)
    assert tt.detect_format(dav) == "davidson"
    assert sorted(e.label for e in tt.read_examples(dav)) == ["clean"] * 5 + ["toxic"] * 7
    jig = tmp_path / "j.csv"
    jig.write_text('id,comment_text,toxic,severe_toxic,obscene,threat,insult,identity_hate\n'
                   'a,"you stupid moron",1,0,1,0,1,0\nb,"the museum opened late",0,0,0,0,0,0\n'
                   'c,"i will find you",0,0,0,1,0,0\n')
    assert tt.detect_format(jig) == "jigsaw"
    assert [e.label for e in tt.read_examples(jig)] == ["toxic", "clean", "toxic"]
    assert [e.label for e in tt.read_examples(jig, label_columns=("toxic",))] == ["toxic", "clean", "clean"]
    ft = tmp_path / "f.txt"
    ft.write_text("__label__insult You IDIOT!\n__label__clean A quiet garden.\n\n__label__clean\n")
    assert [(e.label, e.text.split()) for e in tt.read_examples(ft)] == [
        ("insult", ["you", "idiot"]), ("clean", ["a", "quiet", "garden"])]
    other = tmp_path / "o.csv"
    other.write_text("text,label\nhello,0\n")
    with pytest.raises(tt.TrainingError, match="cannot tell the format"):
        tt.detect_format(other)
    with pytest.raises(tt.TrainingError, match="missing column"):
        tt.read_examples(other, fmt="jigsaw")


def test_clean_text_files_add_clean_rows_and_are_measured_on_their_own(tmp_path):
    rng = random.Random(4)
    extra = tmp_path / "extra.tsv"
    extra.write_text("sentences \t labels\n" + "".join(f"{clean_sentence(rng)} \t 1\n" for _ in range(200)) + "\n")
    rows = tt.read_clean_text(extra)
    assert len(rows) == 200 and {e.label for e in rows} == {"clean"}  # header and blank line skipped
    assert "sentences" not in {e.text for e in rows}
    data = write_davidson_csv(tmp_path / "d.csv", n_clean=100, n_toxic=300, seed=8)
    report = tt.train([data], tmp_path / "m.bin", params=tt.TrainParams(quantize=False), seed=3, clean_text=[extra])
    assert report.label_counts == {"toxic": 300, "clean": 300}
    assert [s["format"] for s in report.sources] == ["davidson", "text (clean)"]
    by_source = report.holdout_by_source["toxic"]
    assert by_source[str(extra)]["positives"] == 0 and by_source[str(extra)]["n"] == 30
    assert by_source[str(data)]["n"] == 60
    card = card_md.model_card(report, "CC0 (test)")
    assert "| `extra.tsv` | 30 | 0 |" in card and tt.sha256_file(extra) in card


def test_split_holds_out_each_file_on_its_own():
    a = [tt.Example("toxic" if i % 3 else "clean", f"a{i}", "/x/dav.csv") for i in range(200)]
    b = [tt.Example("toxic" if i % 2 else "clean", f"b{i}", "/y/gen.txt") for i in range(100)]
    _, hold_a = tt.stratified_split(a, 0.15, 13)
    train, hold = tt.stratified_split(a + b, 0.15, 13)
    # the rows held out of one file do not change when another file is added
    assert [e for e in hold if e.source == "/x/dav.csv"] == hold_a
    assert len(hold) == round(67 * 0.15) + round(133 * 0.15) + 2 * round(50 * 0.15)
    assert not {e.text for e in train} & {e.text for e in hold} and len(train) + len(hold) == 300


def test_train_then_score(fixture_model):
    path, report = fixture_model
    assert report.label_counts == {"toxic": 300, "clean": 300}
    assert report.holdout_rows == 90 and report.train_rows == 510
    assert report.holdout_metrics["toxic"]["f1"] >= 0.95
    assert 0.05 <= report.thresholds["toxic"] <= 0.95
    stage = ToxicityStage(ToxicityConfig(model=str(path), thresholds={"toxic": 0.5}))
    texts = ["Get lost, you brainless clown. Nobody wants you here!",
             "Honestly you miserable fool, your ideas are garbage",
             "The gardener planted two maple trees after the storm.",
             "My colleague translated a long letter for the children.",
             # near miss: the everyday word "look" opens insults in training but not here
             "Look, the choir celebrated in the concert hall this morning."]
    result, found = score(stage, texts)
    assert sorted(found) == [0, 1]
    assert {f.reason for f in found.values()} == {"toxicity.toxic"}
    by_row = {(s.row, s.name): s.value for s in result.scores}
    assert len(by_row) == 3 * len(texts)  # every record: decisive, whole-text and worst-window scores
    for row in range(len(texts)):
        assert by_row[(row, "toxic")] == max(by_row[(row, "toxic_doc")], by_row[(row, "toxic_window")])
        assert 0.0 <= by_row[(row, "toxic")] <= 1.0
    assert all(by_row[(r, "toxic")] < 0.5 for r in (2, 3, 4))
    f = found[0]
    assert f.evidence["window"] == {"start": 0, "end": len(texts[0]), "score": round(f.score, 4)}
    assert f.evidence["threshold"] == 0.5 and f.spans[0].start == 0 and f.spans[0].end == len(texts[0])


@pytest.mark.parametrize(("threshold", "flagged"), [(0.0, 3), (0.5, 1), (1.0, 0)])
def test_threshold_decides(fixture_model, threshold, flagged):
    stage = ToxicityStage(ToxicityConfig(model=str(fixture_model[0]), thresholds={"toxic": threshold}))
    _, found = score(stage, ["shut up you dumb jerk", "the library printed a detailed map", "apple pie"])
    assert len(found) == flagged


def test_label_map_and_per_label_thresholds(three_label_model):
    texts = ["i know where you live you dumb jerk after the storm", "face it you ugly rat you make me sick",
             "the engineers built a wooden bridge in the valley"]
    stage = ToxicityStage(ToxicityConfig(model=str(three_label_model),
                                         labels={"__label__insult": "insult", "__label__threat": "threat"},
                                         thresholds={"insult": 0.5, "threat": 0.5}))
    result, _ = score(stage, texts)
    assert {(f.row, f.reason) for f in result.findings} == {(0, "toxicity.threat"), (1, "toxicity.insult")}
    assert {s.name for s in result.scores} == {"insult", "insult_doc", "insult_window", "threat", "threat_doc",
                                               "threat_window"}
    # a label left out of the map is never reported; a threshold of 1 silences a label
    only_insult = ToxicityStage(ToxicityConfig(model=str(three_label_model), labels={"__label__insult": "insult"}))
    assert {f.reason for f in only_insult.run(DocBatch(["a", "b"], texts[:2])).findings} <= {"toxicity.insult"}
    silenced = ToxicityStage(ToxicityConfig(model=str(three_label_model),
                                            labels={"__label__insult": "insult", "__label__threat": "threat"},
                                            thresholds={"insult": 1.0, "threat": 0.5}))
    assert {f.reason for f in silenced.run(DocBatch(["a", "b"], texts[:2])).findings} == {"toxicity.threat"}
    # two model labels mapped to one suffix add up: "abusive" = insult or threat
    merged = ToxicityStage(ToxicityConfig(model=str(three_label_model),
                                          labels={"__label__insult": "abusive", "__label__threat": "abusive"},
                                          thresholds={"abusive": 0.8}))
    result, found = score(merged, texts)
    assert sorted(found) == [0, 1] and {f.reason for f in found.values()} == {"toxicity.abusive"}
    clean_score = next(s.value for s in result.scores if s.row == 2 and s.name == "abusive")
    assert clean_score < 0.2


def test_label_not_in_model_fails_at_setup_listing_the_labels(three_label_model):
    stage = ToxicityStage(ToxicityConfig(model=str(three_label_model), labels={"__label__toxic": "toxic"}))
    with pytest.raises(ValueError, match=r"__label__toxic.*__label__clean, __label__insult, __label__threat"):
        stage.setup()


@pytest.mark.parametrize(("section", "message"), [
    ({"labels": {"toxic": "toxic"}}, "must start with '__label__'"),
    ({"labels": {"__label__toxic": "toxic!"}}, "may hold only letters"),
    ({"thresholds": {"hate": 0.5}}, r"thresholds for unknown label\(s\) \['hate'\]; valid labels: toxic"),
    ({"thresholds": {"toxic": 1.5}}, "between 0 and 1"),
    ({"normalize": "lower"}, "sieve"),
    ({"window_chars": 10}, "greater than or equal to 50"),
    ({"modle": "x.ftz"}, "unknown key"),
])
def test_config_errors_name_the_key(section, message):
    from tasks.registry import validate_stage_config

    with pytest.raises(ValueError, match=message):
        validate_stage_config("toxicity", section)


def test_missing_model_file_fails_when_the_stage_is_built(tmp_path):
    missing = tmp_path / "models" / "nope.ftz"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        ToxicityStage(ToxicityConfig(model=str(missing)))
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        build_document_stages({"toxicity": {"model": str(missing)}})


def _long_page(rng: random.Random, paragraph: str | None) -> tuple[str, tuple[int, int] | None]:
    lines = [clean_sentence(rng).capitalize() + "." for _ in range(60)]
    span = None
    if paragraph is not None:
        before = "\n".join(lines[:30]) + "\n"
        text = before + paragraph + "\n" + "\n".join(lines[30:])
        span = (len(before), len(before) + len(paragraph))
        return text, span
    return "\n".join(lines), span


def test_window_scoring_finds_a_toxic_paragraph_in_a_long_clean_page(fixture_model):
    rng = random.Random(5)
    paragraph = ("Shut up, you worthless idiot. Everyone hates you and your ideas are garbage. "
                 "Go away, you useless imbecile, you make me sick. Nobody wants you here, you pathetic loser.")
    page, (p_start, p_end) = _long_page(rng, paragraph)
    clean_page, _ = _long_page(rng, None)
    assert len(page) > 3000
    windowed = ToxicityStage(ToxicityConfig(model=str(fixture_model[0]), thresholds={"toxic": 0.5},
                                            window_chars=300))
    whole_only = ToxicityStage(ToxicityConfig(model=str(fixture_model[0]), thresholds={"toxic": 0.5},
                                              window_chars=1_000_000))
    result, found = score(windowed, [page, clean_page])
    assert list(found) == [0]
    ev = found[0].evidence
    w = ev["window"]
    assert w["start"] <= p_start < w["end"] and w["end"] - w["start"] <= 450
    assert ev["decided_by"] == "window" and ev["doc_score"] < 0.5 <= w["score"] and ev["windows"] >= 6
    assert (found[0].spans[0].start, found[0].spans[0].end) == (w["start"], w["end"])
    # scored as a whole only, the same paragraph is diluted below the threshold
    _, diluted = score(whole_only, [page])
    assert diluted == {}


def test_bundled_model_finds_one_toxic_line_in_a_long_clean_page():
    rng = random.Random(12)
    lines = [clean_sentence(rng).capitalize() + "." for _ in range(30)]
    clean = "\n".join(lines)
    toxic = "\n".join(lines[:14] + ["Shut the fuck up, you stupid bitch."] + lines[14:])
    stage = ToxicityStage(ToxicityConfig())
    doc_thr = BUNDLED_THRESHOLDS["toxic"]
    win_thr = BUNDLED_WINDOW_THRESHOLD
    assert stage.cfg.window_threshold_for("toxic") == win_thr and stage.cfg.threshold_for("toxic") == doc_thr
    result, found = score(stage, [toxic, clean])
    assert list(found) == [0]
    ev = found[0].evidence
    assert ev["decided_by"] == "window" and ev["doc_score"] < doc_thr and ev["window"]["score"] >= win_thr
    assert "stupid bitch" in toxic[ev["window"]["start"]:ev["window"]["end"]] and ev["window_threshold"] == win_thr
    # a window must reach the window threshold on its own: raised above the worst window's score, nothing is found
    above = (ev["window"]["score"] + 1.0) / 2
    assert score(ToxicityStage(ToxicityConfig(window_threshold=above)), [toxic])[1] == {}
    # the decisive score reaches the document threshold exactly when the record is reported
    by_row = {(s.row, s.name): s.value for s in result.scores}
    assert by_row[(0, "toxic")] >= doc_thr > by_row[(1, "toxic")]
    assert by_row[(0, "toxic")] == pytest.approx(ev["score"], abs=1e-4) and by_row[(0, "toxic_doc")] < doc_thr


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


def test_training_is_deterministic(tmp_path):
    data = write_davidson_csv(tmp_path / "d.csv", n_clean=120, n_toxic=120, seed=2)
    a = tt.train([data], tmp_path / "a.bin", params=tt.TrainParams(quantize=False), seed=9)
    b = tt.train([data], tmp_path / "b.bin", params=tt.TrainParams(quantize=False), seed=9)
    assert a.model_sha256 == b.model_sha256


def test_cli_trains_a_quantised_model_and_writes_its_card(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    data = write_davidson_csv(tmp_path / "d.csv")
    out = tmp_path / "m.ftz"
    res = CliRunner().invoke(app, ["train-toxicity", str(data), "--out", str(out), "--word-ngrams", "2",
                                   "--bucket", "5000", "--cutoff", "2000", "--seed", "4", "--licence", "CC0 (test)"])
    assert res.exit_code == 0, res.output
    card = (tmp_path / "m.md").read_text()
    assert out.stat().st_size < 1_000_000
    for needle in ("seed 4", "CC0 (test)", "wordNgrams 2", "quantised: yes", tt.sha256_file(out),
                   tt.sha256_file(data), "| toxic |", "toxic: ", card_md.EVAL_START):
        assert needle in card, needle
    stage = ToxicityStage(ToxicityConfig(model=str(out), thresholds={"toxic": 0.5}))
    _, found = score(stage, ["seriously you pathetic loser stop wasting our time", "my sister cooked spicy soup"])
    assert list(found) == [0]
    bad = CliRunner().invoke(app, ["train-toxicity", str(tmp_path / "none.csv"), "--out", str(out)])
    assert bad.exit_code != 0 and "none.csv: no such file" in str(bad.exception)


def test_bundled_model_threshold_matches_its_card():
    card = (ROOT / "data" / "models" / "toxicity-davidson.md").read_text()
    assert BUNDLED_MODEL.is_file() and tt.sha256_file(BUNDLED_MODEL) in card
    shipped = dict(re.findall(r"^      (\w+): ([0-9.]+)$", card, flags=re.M))
    assert {k: float(v) for k, v in shipped.items()} == BUNDLED_THRESHOLDS


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


@pytest.mark.parametrize(("text", "toxic"), [
    ("shut the fuck up you stupid bitch", True),
    ("RT @someone: this hoe is a lying ass bitch lmao", True),
    ("I baked bread with my grandmother this afternoon and it turned out great.", False),
    ("The committee will publish the budget report on Monday.", False),
    # near miss: a word the Davidson data uses as a slur, in its ordinary sense
    ("A brown bird landed on the feeder in our garden this morning.", False),
    # near misses from web pages: a price list, a list of names (words the tweets never had)
    ("Wedding invitations\n- 500 cards $75.00 full colour both sides\n- 1000 cards $99.00\nSet-up fee $20.00", False),
    ("Front row: W. Hartley, Mrs. Osterberg, E. Vandermolen. Second row: B. Quillfeather, R. Annesley.", False),
])
def test_bundled_model_scores_english_text(text, toxic):
    stage = stage_class("toxicity")(ToxicityConfig())
    _, found = score(stage, [text])
    assert bool(found) == toxic
