"""Round 2's selection arithmetic for the toxicity model (benchmarks/toxicity_precision_dev.py): no data read."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import toxicity_precision_dev as pd  # noqa: E402


def test_precision_at_prevalence():
    # 10% toxic, all found, 10% of the clean flagged: 0.1 found against 0.09 false
    m = pd.at_prevalence(1.0, 0.1, 0.1)
    assert m["p_pi"] == pytest.approx(0.1 / 0.19, abs=1e-4)
    assert m["f1_pi"] == pytest.approx(2 * m["p_pi"] / (m["p_pi"] + 1.0), abs=1e-4)
    assert pd.at_prevalence(0.8, 0.0)["p_pi"] == 1.0 and pd.at_prevalence(0.0, 0.0)["f1_pi"] == 0.0


def test_prevalence_scores_use_the_stage_flags_of_each_set():
    y = [True, True, False, False]
    sets = {k: (y, [0.9, 0.6, 0.7, 0.1], [0.0, 0.99, 0.0, 0.0]) for k in ("dav", "gen", "forum")}
    out = pd.prevalence_scores(sets, 0.75)  # flags: doc 0.9, window 0.99 -> both toxic found, no false flag
    assert out["dav"]["r"] == 1.0 and out["dav"]["fpr"] == 0.0 and out["dav_f1"] == 1.0
    out = pd.prevalence_scores(sets, 0.65)  # the clean 0.7 is flagged now
    assert out["gen"]["fpr"] == 0.5 and out["score_pi"] == out["forum"]["f1_pi"]


def _result(tmp_path, name, rows):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"by_threshold": {t: {"pool": pool, "pi": {"score_pi": s, "dav_f1": d}}
                                                 for t, (s, d, pool) in rows.items()}}))
    return path


def test_select_keeps_the_constraint_and_breaks_ties_by_pool_flags(tmp_path):
    files = [_result(tmp_path, "a", {"0.7": (0.700, 0.97, 0.03), "0.75": (0.720, 0.95, 0.01)}),
             _result(tmp_path, "b", {"0.7": (0.6995, 0.96, 0.02)}),
             _result(tmp_path, "c", {"0.7": (0.690, 0.97, 0.001)})]
    ranked = pd.select(files)
    # a@0.75 fails Davidson F1 >= 0.96; b is within 0.002 of a@0.70 with fewer pool flags
    assert [(p["run"], p["thr"]) for p in ranked[:3]] == [("b", 0.7), ("a", 0.7), ("c", 0.7)]
    assert not ranked[-1]["feasible"]
