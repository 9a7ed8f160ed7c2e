"""The toxicity stage on models trained here: scores and findings, thresholds, label maps, config and setup errors,
and window scoring of a long page. The two trained models are module fixtures (seconds each): keep their tests here.
"""

from __future__ import annotations

import random
import re

import pytest

from tasks import toxicity_train as tt
from tasks.detectors.toxicity import ToxicityConfig, ToxicityStage
from tasks.registry import build_document_stages
from tasks.stage import DocBatch
from tests.toxicity_helpers import (
    clean_sentence,
    insult_sentence,
    score,
    threat_sentence,
    write_davidson_csv,
)


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
    ({"window_chars": 10}, r"window_chars: invalid value 10; valid values: 50 to 1000000$"),
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
