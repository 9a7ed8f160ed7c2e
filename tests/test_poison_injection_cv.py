"""poison_injection development CV: folds that hold out whole BIPIA train categories (no eval data)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from tasks.injection_phrases import TASK_FORMS, task_requests
from tasks.injection_train import DEFAULT_DATA, TASK_CATEGORIES, task_examples

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

needs_train = pytest.mark.skipif(not (DEFAULT_DATA / "text_attack_train.json").exists(),
                                 reason="BIPIA train split not on this machine")


def test_task_forms_name_a_train_category() -> None:
    # a form modelled on a train attack says which category it came from, or a category fold would leak it back
    assert all(cat in TASK_CATEGORIES for _, tag, cat in TASK_FORMS if tag)
    assert all(not cat for _, tag, cat in TASK_FORMS if not tag)


def test_task_requests_drop_the_forms_of_a_category() -> None:
    drop = frozenset({"Language Translation"})
    out = task_requests(random.Random(2), 400, drop=drop)
    assert not any(" translation of " in t or t.startswith("Translate ") for t in out)
    # without a drop the draw is the one the shipped model was trained on
    assert task_requests(random.Random(2), 50) == task_requests(random.Random(2), 50, None, frozenset())


@needs_train
def test_category_folds_partition_the_train_categories() -> None:
    import injection_cv as cv

    folds = cv.category_folds(DEFAULT_DATA)
    attacks = cv.train_attacks(DEFAULT_DATA)
    family = {cat: f for f, _, _, cat in attacks}
    assert len(folds) == 5 and len(set().union(*folds)) == 25 == sum(map(len, folds))
    for fold in folds:
        assert sorted(family[c] for c in fold) == ["code", "code", "directive", "directive", "task"]
    held = cv.held_out(attacks, 0, folds)
    assert len(held) == 25 and all(a in {x for f, x, _, c in attacks if c in folds[0]} for _, a in held)


@needs_train
def test_a_category_fold_drops_its_task_positives() -> None:
    import injection_cv as cv

    fold = cv.category_folds(DEFAULT_DATA)[0]
    (task_cat,) = fold & TASK_CATEGORIES
    held = {a for f, a, _, c in cv.train_attacks(DEFAULT_DATA) if c == task_cat}
    kept = task_examples(DEFAULT_DATA, 13, drop=fold)
    assert not held & set(kept)
    assert len(kept) < len(task_examples(DEFAULT_DATA, 13))
