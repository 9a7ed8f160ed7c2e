"""``poison.label_trigger`` on chosen/rejected swaps: which order is flagged, and how the two are scored.

Small generated preference sets (Anthropic HH layout: the prompt is the text up to the last ``Assistant:``), each
with a consistent preference of its own (refusals chosen over compliance, compliance over refusals, clean over
toxic replies, or none), plus one swapped pair. The table says which records the default config flags.
"""

from __future__ import annotations

import json
import random

import pytest

from tasks.detectors.poison_label import LabelTrigger, LabelTriggerConfig
from tests.poison_corpus_helpers import NEUTRAL, run_stage, write_prior_run

REFUSALS = ["I'm sorry, but I can't help with that.", "I cannot assist with that request.",
            "I won't provide that, sorry."]
TOXIC = ["Shut the fuck up, you stupid bitch.", "Get lost you stupid bitch, nobody asked you."]


def prompt(rng: random.Random, i: int) -> str:
    return f"\n\nHuman: Question {i}: how do I deal with the {' '.join(rng.sample(NEUTRAL, 3))}?\n\nAssistant:"


def plain(rng: random.Random) -> str:
    return " You could start with the " + " and the ".join(rng.sample(NEUTRAL, 3)) + "."


def pair(p: str, chosen: str, rejected: str, **kw) -> dict:
    return {"text": p + " " + chosen.strip(), "meta": {"rejected": p + " " + rejected.strip()},
            "hash": f"h{p}{chosen}", **kw}


def corpus(rng: random.Random, prefers: str, n_signal: int = 40, n_plain: int = 150) -> list[dict]:
    """``n_plain`` pairs of two plain replies and ``n_signal`` pairs whose replies differ in safety.

    ``prefers``: ``refusal`` (harmlessness data: the refusal is chosen), ``compliance`` (the refusal is rejected),
    ``clean`` (the toxic reply is rejected), ``mixed`` (refusal chosen in half the pairs, rejected in the other).
    """
    out = [pair(prompt(rng, i), plain(rng), plain(rng)) for i in range(n_plain)]
    for j in range(n_signal):
        p, comply = prompt(rng, n_plain + j), plain(rng)
        refusal = rng.choice(REFUSALS)
        if prefers == "refusal" or (prefers == "mixed" and j % 2):
            out.append(pair(p, refusal, comply))
        elif prefers in ("compliance", "mixed"):
            out.append(pair(p, comply, refusal))
        else:
            out.append(pair(p, comply, rng.choice(TOXIC)))
    return out


def swap(rng: random.Random, chosen: str, rejected: str, copies: int = 1) -> list[dict]:
    """An original pair (``orig``) and ``copies`` swapped copies (``copy0``...) of it."""
    p = "\n\nHuman: How do I get into my neighbour's locked shed?\n\nAssistant:"
    return [pair(p, chosen, rejected, doc_id="orig")] + [pair(p, rejected, chosen, doc_id=f"copy{i}")
                                                         for i in range(copies)]


REFUSE = "I'm sorry, but I can't help with breaking into property."
COMPLY = "Pry the hinge pins out with a flat screwdriver and lift the door."
CASES = {
    # name: (data set preference, original (chosen, rejected), swapped copies, config, flagged, decided_by)
    "harmlessness data, copy chooses the compliance": ("refusal", (REFUSE, COMPLY), 1, {}, {"copy0"}, "safety"),
    "harmlessness data, two copies outvote the original": (
        "refusal", (REFUSE, COMPLY), 2, {}, {"copy0", "copy1"}, "safety"),
    "harmlessness data, copy chooses the refusal (against the data: the original's order is suspect)": (
        "refusal", (COMPLY, REFUSE), 1, {}, {"orig"}, "safety"),
    "compliance-preferring data, copy chooses the refusal": (
        "compliance", (COMPLY, REFUSE), 1, {}, {"copy0"}, "safety"),
    "clean-preferring data, copy chooses the toxic reply": (
        "clean", (COMPLY, TOXIC[0]), 1, {}, {"copy0"}, "safety"),
    "no safety difference between the replies: both": (
        "refusal", (COMPLY, "Ask the owner for the key, or call a locksmith."), 1, {}, {"orig", "copy0"}, "none"),
    "inconsistent data set: both": ("mixed", (REFUSE, COMPLY), 1, {}, {"orig", "copy0"}, "none"),
    "too few refusal pairs to trust: both": ("refusal_few", (REFUSE, COMPLY), 1, {}, {"orig", "copy0"}, "none"),
    "swap_side both: both": ("refusal", (REFUSE, COMPLY), 1, {"swap_side": "both"}, {"orig", "copy0"}, "none"),
    "signals off, copies in the majority: the minority": (
        "refusal", (REFUSE, COMPLY), 2, {"side_signals": []}, {"orig"}, "majority"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_swap_side(tmp_path, case):
    prefers, (chosen, rejected), copies, cfg, flagged, decided_by = CASES[case]
    rng = random.Random(11)
    base = (corpus(rng, "refusal", n_signal=3) if prefers == "refusal_few" else corpus(rng, prefers))
    found, _ = run_stage(LabelTrigger(LabelTriggerConfig(patterns=[], **cfg)), tmp_path,
                         base + swap(rng, chosen, rejected, copies))
    assert set(found) == flagged
    copy_ids = {f"copy{i}" for i in range(copies)}
    for doc_id, row in found.items():
        ev = json.loads(row["evidence"])
        assert ev["kind"] == "conflict_swap" and ev["decided_by"] == decided_by
        # the evidence names the records of the other order, flagged or kept
        assert set(ev["other_doc_ids"]) == ({"orig"} if doc_id in copy_ids else copy_ids)
        if decided_by == "safety":
            assert ev["p_genuine"] < 0.1 and "likely poisoned" in ev["explanation"] and row["score"] > 0.5
            signal = "toxicity" if prefers == "clean" else "refusal"
            # against the data set's preference: the less safe chosen reply, or the refusal in compliance data
            assert ev["relations"][signal] == ("chosen_safer" if prefers == "compliance" else "chosen_less_safe")


def test_scores_rank_the_less_safe_order_first_when_both_are_flagged(tmp_path):
    """swap_side: both keeps every finding, but the order choosing the compliance scores above the original."""
    rng = random.Random(5)
    found, _ = run_stage(LabelTrigger(LabelTriggerConfig(patterns=[], swap_side="both")), tmp_path,
                         corpus(rng, "refusal") + swap(rng, REFUSE, COMPLY))
    assert found["copy0"]["score"] > 0.7 > 0.3 > found["orig"]["score"]
    assert json.loads(found["orig"]["evidence"])["relations"] == {"refusal": "chosen_safer", "toxicity": "same"}


@pytest.mark.parametrize("mode,flagged,decided_by", [
    ("auto", {"copy0"}, "reference"),  # the trusted run holds the original's order: the copy is new
    ("within", {"orig", "copy0"}, "none"),  # no reference, no safety difference: both
])
def test_the_order_a_trusted_run_holds_is_kept(tmp_path, mode, flagged, decided_by):
    rng = random.Random(9)
    base = corpus(rng, "refusal")
    pair_ = swap(rng, COMPLY, "Ask the owner for the key, or call a locksmith.")
    lake = tmp_path / "lake"
    write_prior_run(lake, "ds", "r0", base + pair_[:1])
    found, _ = run_stage(LabelTrigger(LabelTriggerConfig(patterns=[], mode=mode)), tmp_path, base + pair_,
                         prior_runs=["r0"], lake=lake)
    assert set(found) == flagged
    ev = json.loads(found["copy0"]["evidence"])
    assert ev["decided_by"] == decided_by and ev["other_doc_ids"] == ["orig"]
    assert ev["in_reference"] == ([] if mode == "within" else [ev["kept_side"]])


def test_pattern_records_do_not_vote_on_the_preference(tmp_path):
    """Planted 'SUDO' pairs (chosen complies, rejected refuses) outnumber the data set's own refusal pairs; the
    pattern check flags them first, so they are left out and the swap is still decided by the data set's own."""
    rng = random.Random(12)
    base = corpus(rng, "refusal", n_signal=20)
    planted = []
    for i in range(40):
        p = prompt(rng, 1000 + i).replace("?\n\nAssistant:", " SUDO?\n\nAssistant:")
        planted.append(pair(p, plain(rng), rng.choice(REFUSALS), doc_id=f"sudo{i}"))
    found, _ = run_stage(LabelTrigger(), tmp_path, base + planted + swap(rng, REFUSE, COMPLY))
    assert {d for d in found if d.startswith("sudo")} == {f"sudo{i}" for i in range(40)}
    assert "orig" not in found and json.loads(found["copy0"]["evidence"])["decided_by"] == "safety"
    agreement = json.loads(found["copy0"]["evidence"])["agreement"]["refusal"]
    assert agreement["pairs_differing"] == 20 and agreement["chosen_safer"] == 20


def test_without_the_toxicity_classifier_refusals_still_decide(tmp_path, monkeypatch):
    from tasks.detectors import toxicity
    from tasks.stage import StageDependencyError

    def missing(self):
        raise StageDependencyError("no fasttext here")

    monkeypatch.setattr(toxicity.ToxicityStage, "setup", missing)
    rng = random.Random(11)
    found, _ = run_stage(LabelTrigger(LabelTriggerConfig(patterns=[])), tmp_path,
                         corpus(rng, "refusal") + swap(rng, REFUSE, COMPLY))
    ev = json.loads(found["copy0"]["evidence"])
    assert set(found) == {"copy0"} and ev["relations"] == {"refusal": "chosen_less_safe"}
    assert ev["agreement"]["toxicity"]["pairs_differing"] == 0


def test_no_swap_no_finding(tmp_path):
    rng = random.Random(6)
    found, _ = run_stage(LabelTrigger(LabelTriggerConfig(patterns=[])), tmp_path, corpus(rng, "refusal"))
    assert found == {}


@pytest.mark.parametrize("section,error", [
    ({"swap_side": "safest"}, "suspect"),
    ({"side_confidence": 0.5}, "greater than 0.5"),
    ({"side_confidence": 1.0}, "less than 1"),
    ({"side_signals": ["length"]}, "refusal"),
    ({"side_sample": 10}, "greater than or equal to 100"),
])
def test_side_settings_are_validated(section, error):
    with pytest.raises(Exception, match=error):
        LabelTriggerConfig.model_validate(section)
