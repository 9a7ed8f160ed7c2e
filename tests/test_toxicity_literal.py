"""The literal-use sentences (tasks.toxicity_literal) and what they fixed in the bundled model: everyday sentences
about dogs, pigs, rats or rubbish are not toxic."""

from __future__ import annotations

import re

import pytest

from tasks import toxicity_literal as tl
from tasks import toxicity_phrases as tp
from tests.toxicity_helpers import score


def test_generate_is_deterministic_clean_and_uses_every_template():
    rows = tl.generate(600, seed=3)
    assert rows == tl.generate(600, seed=3) and rows != tl.generate(600, seed=4)
    assert {label for label, _, _ in rows} == {"clean"} and len(rows) == 600
    assert {tid for _, tid, _ in rows} == {tid for _, tid, _ in tl.templates()}
    assert not any("{" in text for _, _, text in rows)  # every slot filled


def test_split_holds_out_whole_templates():
    sets = tl.build(800, seed=7, holdout=0.25)
    train_ids = {tid for _, tid, _ in sets["literal_train"]}
    dev_ids = {tid for _, tid, _ in sets["dev_literal"]}
    assert train_ids and dev_ids and not train_ids & dev_ids
    assert len(dev_ids) == round(len(tl.templates()) * 0.25)


def test_composed_family_mirrors_the_hate_frames_with_words_of_the_hate_list():
    # the clean family differs from the toxic one in who is called the word (and "nothing but", which does not
    # take the adjective predicates)
    mirrored = [f.replace("{X}", "{G}").replace("{x}", "{G}").replace("{pred}", "{noun}").replace("{Pred}", "{Noun}")
                for f in tl.SUBJECT_FRAMES]
    assert mirrored == [f.replace("nothing but ", "") for f in tp.GROUP_FRAMES]
    hate_words = {w for w in tp.HATE_NOUNS if " " not in w}
    assert len(hate_words & set(tl.SUBJECTS)) >= 12
    composed = [t for _, tid, t in tl.generate(400, seed=1) if tid.startswith("literal_subject:")]
    assert composed and all(re.search(r"\b(are|every one)\b", t, flags=re.I) for t in composed)


def test_write_and_main(tmp_path):
    tl.main(["--out", str(tmp_path), "--n", "200"])
    train = (tmp_path / "literal_train.txt").read_text().splitlines()
    dev = (tmp_path / "dev_literal.txt").read_text().splitlines()
    assert len(train) + len(dev) == 200 and all(line.startswith("__label__clean ") for line in train + dev)


# The bug: the stage (v5) quarantined these as toxic (0.995 and 1.000), having seen the animal words only in the
# generated hate family. They are checked here as the stage runs (whole text and windows, shipped thresholds).
@pytest.mark.parametrize("text", ["Dogs are loyal animals.", "Pigs are smart.", "The rats ate the grain in the barn.",
                                  "Worms are good for the garden.", "The trash goes out on Tuesday."])
def test_bundled_model_leaves_literal_uses_alone(bundled_toxicity, text):
    assert score(bundled_toxicity, [text])[1] == {}


@pytest.mark.parametrize("text", ["Muslims are pigs, every one of them.", "Immigrants are rats and should be treated "
                                  "like rats."])
def test_bundled_model_still_flags_a_group_called_the_word(bundled_toxicity, text):
    assert list(score(bundled_toxicity, [text])[1]) == [0]
