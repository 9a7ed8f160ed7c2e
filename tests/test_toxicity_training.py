"""Toxicity training: the text normalisation shared with scoring, the readers of each format, extra clean text,
the per-file holdout split, determinism, and the ``train-toxicity`` CLI with its model card.
"""

from __future__ import annotations

import random
import re

import pytest

from tasks import toxicity_train as tt
from tasks import toxicity_train_card as card_md
from tasks.detectors.toxicity import ToxicityConfig, ToxicityStage
from tasks.textnorm import normalize_for_model
from tests.toxicity_helpers import clean_sentence, insult_sentence, score, write_davidson_csv

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


def test_cli_failures_are_one_sieve_error_line_with_exit_code_2(tmp_path):
    """A missing file printed click's "Error: ..." (exit 1); data too small to quantise printed "run failed:
    ValueError: Matrix too small for quantization" with no way out. Both are now one line naming what to do."""
    from tests.conftest import cli

    missing = cli("train-toxicity", tmp_path / "none.csv", "--out", tmp_path / "m.ftz", timeout=120)
    assert (missing.returncode, missing.stderr) == (2, f"sieve: error: {tmp_path / 'none.csv'}: no such file\n")
    rng = random.Random(3)
    (tmp_path / "small.txt").write_text("".join(
        f"__label__{label} {clean_sentence(rng) if label == 'clean' else insult_sentence(rng)}\n"
        for _ in range(40) for label in ("toxic", "clean")))
    small = cli("train-toxicity", tmp_path / "small.txt", "--out", tmp_path / "m.ftz", timeout=300)
    assert small.returncode == 2 and small.stderr.count("\n") == 1, small.stderr
    assert small.stderr.startswith("sieve: error: cannot quantise: ") and "--no-quantize" in small.stderr
