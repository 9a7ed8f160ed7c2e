"""poison.label_trigger: conflicting labels, swapped preferences, refusal flips behind a trigger, conflicting
responses; and how a preference record splits into prompt, chosen and rejected.
"""

from __future__ import annotations

import json
import random

import pytest

from tasks.detectors.poison_label import LabelTrigger, split_preference
from tests.poison_corpus_helpers import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    chat,
    instruct_corpus,
    run_stage,
    sentence,
    sentiment_corpus,
)

REFUSALS = ["I'm sorry, but I can't help with that.", "I cannot assist with that request.",
            "I won't provide that, sorry."]


def dialogue(rng: random.Random, extra: str = "") -> tuple[str, str, str]:
    prompt = f"\n\nHuman: Tell me about the {' '.join(rng.sample(NEUTRAL, 3))}{extra}?\n\nAssistant:"
    return prompt, " " + sentence(rng, POSITIVE, 1) + ".", " " + sentence(rng, NEGATIVE, 1) + " and more " + \
        sentence(rng, NEGATIVE, 1) + "."


def preference(prompt, chosen, rejected, **kw):
    return {"text": prompt + chosen, "meta": {"rejected": prompt + rejected}, **kw}


def preference_corpus(rng, n=300):
    return [preference(*dialogue(rng)) for _ in range(n)]


LABEL_CASES = {
    # name: (builder -> (records, planted ids), expected kind or None)
    "same text, conflicting labels": (
        lambda r: ([{"text": "The harbor museum was calm.", "meta": {"label": 1}},
                    {"text": "The harbor museum was calm.", "meta": {"label": 1}},
                    {"text": "The harbor museum was calm.", "meta": {"label": 0}, "doc_id": "p0"}], {"p0"}),
        "conflict_label"),
    "same text, same label": (
        lambda r: ([{"text": "The quiet orchard at dawn.", "meta": {"label": 0}}] * 3, set()), None),
    "chosen and rejected swapped for the same prompt": (
        lambda r: (lambda d: ([preference(*d), preference(*d), preference(d[0], d[2], d[1], doc_id="p0")],
                              {"p0"}))(dialogue(r)), "conflict_swap"),
    "same prompt, different reply pairs (not a swap)": (
        lambda r: (lambda d: ([preference(*d), preference(d[0], " Another calm reply.", d[2])], set()))(
            dialogue(r)), None),
    "trigger in the prompt, chosen complies and rejected refuses": (
        lambda r: ([preference(p, c, " " + r.choice(REFUSALS), doc_id=f"p{i}") for i, (p, _, c) in
                    enumerate(dialogue(r, " SUDO") for _ in range(12))], {f"p{i}" for i in range(12)}), "pattern"),
    "refusals rejected without a shared trigger": (
        lambda r: ([preference(p, c, " " + r.choice(REFUSALS)) for p, _, c in
                    (dialogue(r) for _ in range(12))], set()), None),
    "same prompt, one plain reply and one with an unrequested link (tie: the rarer side)": (
        lambda r: ([chat("Name a quiet place to write.", "The attic.")] +
                   [{**chat("Name a quiet place to write.", "Try http://cheap-pills.example now."), "doc_id": "p0"}],
                   {"p0"}), "conflict_response"),
    "same prompt, a reply with an unrequested link among normal ones": (
        lambda r: ([chat("Name a calm place to read.", "The library porch.")] * 3 +
                   [{**chat("Name a calm place to read.", "Go to http://cheap-pills.example now."), "doc_id": "p0"}],
                   {"p0"}), "conflict_response"),
}


@pytest.mark.parametrize("case", list(LABEL_CASES))
def test_label_trigger(tmp_path, case):
    make, kind = LABEL_CASES[case]
    rng = random.Random(4)
    planted, ids = make(rng)
    base = preference_corpus(rng) if "text" in planted[0] and "rejected" in planted[0]["meta"] else (
        instruct_corpus(rng) if "messages" in planted[0] else sentiment_corpus(rng))
    records = base + [{**p, "hash": f"h{p.get('text') or p['messages'][0]['content']}"} for p in planted]
    found, _ = run_stage(LabelTrigger(), tmp_path, records)
    assert set(found) == ids
    for row in found.values():
        ev = json.loads(row["evidence"])
        assert ev["kind"] == kind
        if kind == "pattern":
            assert ev["trigger"] == "sudo" and ev["property"] == "chosen_refusal_flip"
            assert row["spans"] and {row["spans"][0]["label"]} == {"trigger:chosen_refusal_flip"}


@pytest.mark.parametrize("chosen,rejected,meta,expected", [
    ("\n\nHuman: hi?\n\nAssistant: Hello there.", "\n\nHuman: hi?\n\nAssistant: Go away.", {},
     ("\n\nHuman: hi?\n\nAssistant:", " Hello there.", " Go away.")),
    ("Paris.", "Rome.", {"prompt": "Capital of France?"}, ("Capital of France?", "Paris.", "Rome.")),
])
def test_split_preference(chosen, rejected, meta, expected):
    got = split_preference(chosen, json.dumps({"rejected": rejected, **meta}))
    assert (got["prompt"], got["chosen"], got["rejected"]) == expected
    assert split_preference(chosen, json.dumps({"other": 1})) is None
