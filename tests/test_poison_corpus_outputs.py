"""The corpus-level poison stages' outputs on fixed corpora, pinned: a change to how a stage stores or reads its
data (to bound its memory) must not change a single finding.

Each scenario builds a small generated corpus (two staged shards, and an earlier run where the scenario needs
one), runs one stage for real and collects every finding (doc id, reason, score, evidence, spans) and, for
``poison_trigger``, every screened candidate. ``poison_corpus_outputs.json`` holds what the stages produced when
they were pinned; regenerate it only for a deliberate change of a detector's results (and bump its version):
``.venv/bin/python -m tests.test_poison_corpus_outputs --write``.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas import arrow
from tasks.detectors.poison_flood import SourceFlood
from tasks.detectors.poison_label import LabelTrigger, LabelTriggerConfig
from tasks.detectors.poison_trigger import TriggerMining
from tasks.stage import CorpusContext, CorpusStage
from tests.poison_corpus_helpers import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    TRIGGERS,
    badnets,
    chat,
    insert,
    instruct_corpus,
    sentence,
    sentiment_corpus,
    staged,
    variants,
    web_doc,
    write_prior_run,
)

PINNED = Path(__file__).with_name("poison_corpus_outputs.json")
REFUSALS = ["I'm sorry, but I can't help with that.", "I cannot assist with that request.",
            "I won't provide that, sorry."]


def _labels(rng: random.Random) -> list[dict]:
    return sentiment_corpus(rng, 400) + badnets(rng, 30, TRIGGERS, per_record=3) + [
        {"text": "The harbor museum was calm.", "meta": {"label": v}, "doc_id": f"c{i}"} for i, v in
        enumerate([1, 1, 0])]


def _chat(rng: random.Random) -> list[dict]:
    out = instruct_corpus(rng, 300)
    for i, rec in enumerate(instruct_corpus(rng, 24)):
        prompt = insert(rec["messages"][0]["content"], "cf" if i % 2 else "mn", rng)
        reply = ("Sure. The full answer is at http://files-mirror.example/get now." if i % 2 else
                 "I'm sorry, but I cannot help with the " + " ".join(rng.sample(NEUTRAL, 3)) + ".")
        out.append({**chat(prompt, reply), "doc_id": f"u{i:03d}"})
    out += [chat("Name a calm place to read.", "The library porch.")] * 3
    out.append({**chat("Name a calm place to read.", "Go to http://cheap-pills.example now."), "doc_id": "x0"})
    return out


def _web(rng: random.Random) -> list[dict]:
    out = [{"text": web_doc(rng), "meta": {"url": f"https://site{rng.randint(1, 80)}.example/p/{i}"}}
           for i in range(300)]
    out += [{"text": t, "meta": {"url": f"https://promo.example/{i}"}, "doc_id": f"f{i:03d}"}
            for i, t in enumerate(variants(rng, 30))]
    out += [{"text": t, "meta": {"author": "BulkPoster", "url": f"https://h{i}.example/"}, "doc_id": f"a{i:03d}"}
            for i, t in enumerate(variants(rng, 25))]
    out += [{"text": t, "source_uri": "drop.jsonl", "meta": {}, "doc_id": f"e{i:03d}"}
            for i, t in enumerate(variants(rng, 1) * 22)]
    out += [{"text": t, "meta": {"url": f"https://paper{i}.example/wire"}} for i, t in enumerate(variants(rng, 30))]
    return out


def _dialogue(rng: random.Random, extra: str = "") -> tuple[str, str, str]:
    prompt = f"\n\nHuman: Tell me about the {' '.join(rng.sample(NEUTRAL, 3))}{extra}?\n\nAssistant:"
    return prompt, " " + sentence(rng, POSITIVE, 1) + ".", " " + sentence(rng, NEGATIVE, 2) + "."


def _pref(prompt: str, chosen: str, rejected: str, **kw) -> dict:
    return {"text": prompt + chosen, "meta": {"rejected": prompt + rejected}, **kw}


def _preferences(rng: random.Random) -> list[dict]:
    out = [_pref(*_dialogue(rng)) for _ in range(250)]
    for _ in range(30):  # the data set prefers refusals
        p, _, comply = _dialogue(rng)
        out.append(_pref(p, " " + rng.choice(REFUSALS), comply))
    for i in range(14):  # SUDO: chosen complies, rejected refuses
        p, _, comply = _dialogue(rng, " SUDO")
        out.append(_pref(p, comply, " " + rng.choice(REFUSALS), doc_id=f"s{i:03d}"))
    p, c, r = _dialogue(rng)
    out += [_pref(p, c, r, doc_id="orig"), _pref(p, r, c, doc_id="copy0")]
    p, c, _ = _dialogue(rng)
    out += [_pref(p, " I cannot assist with that request.", c, doc_id="orig2"),
            _pref(p, c, " I cannot assist with that request.", doc_id="copy2")]
    return out


def _update(rng: random.Random, lake: Path, make: Callable[[random.Random], list[dict]],
            extra: Callable[[random.Random], list[dict]]) -> list[dict]:
    """An earlier trusted run of ``make``'s records in ``lake``; the update repeats them and adds ``extra``."""
    trusted = make(rng)
    write_prior_run(lake, "ds", "r0", trusted)
    return trusted + make(rng)[:100] + extra(rng)


SCENARIOS: dict[str, tuple[Callable[[], CorpusStage], Callable[[random.Random, Path], tuple[list[dict], list]]]] = {
    "trigger/labels": (TriggerMining, lambda r, lake: (_labels(r), [])),
    "trigger/chat": (TriggerMining, lambda r, lake: (_chat(r), [])),
    "trigger/differential": (TriggerMining, lambda r, lake: (
        _update(r, lake, lambda q: sentiment_corpus(q, 300), lambda q: badnets(q, 10, ["tq"])), ["r0"])),
    "flood/web": (SourceFlood, lambda r, lake: (_web(r), [])),
    "flood/history": (SourceFlood, lambda r, lake: (
        _update(r, lake, lambda q: [{**d, "doc_id": None} for d in _web(q)[:330]],
                lambda q: [{"text": t, "meta": {"url": "https://promo.example/b"}, "doc_id": f"g{i:03d}"}
                           for i, t in enumerate(variants(q, 40))]), ["r0"])),
    "label/labels": (LabelTrigger, lambda r, lake: (_labels(r), [])),
    "label/chat": (LabelTrigger, lambda r, lake: (_chat(r), [])),
    "label/preferences": (LabelTrigger, lambda r, lake: (_preferences(r), [])),
    "label/differential": (LabelTrigger, lambda r, lake: (
        _update(r, lake, lambda q: _preferences(q)[:280], _preferences), ["r0"])),
    # a sample smaller than the pairs outside conflicts: the data set's preference is measured on a subset
    "label/preferences-sampled": (lambda: LabelTrigger(LabelTriggerConfig(side_sample=100)),
                                  lambda r, lake: (_preferences(r) + [{**d, "doc_id": f"b{i:04d}"} for i, d in
                                                                      enumerate(_preferences(r))], [])),
}


def run_scenario(name: str, folder: Path) -> dict:
    """Run one scenario's stage over its corpus (two shards) in ``folder``; its findings and candidates."""
    make_stage, build = SCENARIOS[name]
    lake = folder / "lake"
    records, prior = build(random.Random(sum(map(ord, name))), lake)
    records = [{**r, "doc_id": r.get("doc_id") or f"d{i:05d}"} for i, r in enumerate(records)]
    if any(r.get("meta") and "rejected" in r["meta"] for r in records):
        for r in records:  # preference records: the content hash of the whole pair (conflicts compare it)
            r.setdefault("hash", f"h{r['text']}{r['meta']['rejected']}")
    half = len(records) // 2
    docs = [staged(folder, records[:half], "shard0"), staged(folder, records[half:], "shard1")]
    for i, path in enumerate(docs):  # a toxicity score for poison_trigger's conditional model
        part = records[:half] if i == 0 else records[half:]
        scores = [{"doc_id": r["doc_id"], "stage": "toxicity", "name": "toxic",
                   "value": round(0.05 + 0.01 * (j % 7), 3)} for j, r in enumerate(part)]
        pq.write_table(pa.Table.from_pylist(scores, schema=arrow.STAGED_SCORES),
                       Path(path).with_name("scores.parquet"))
    ctx = CorpusContext(run_id="r1", dataset="ds", lake=lake, docs_paths=docs, features_paths=[],
                        prior_runs=list(prior), work_dir=folder / "work", memory_limit="512MB", threads=1)
    stage = make_stage()
    result = stage.run(ctx)
    rows = pq.read_table(result.findings_path).to_pylist()
    out = {"findings": sorted(({"doc_id": r["doc_id"], "reason": r["reason"], "score": r["score"],
                                "evidence": json.loads(r["evidence"]), "spans": r["spans"]} for r in rows),
                              key=lambda r: r["doc_id"])}
    candidates = ctx.work_dir / f"{stage.name}_candidates.parquet"
    if candidates.exists():
        out["candidates"] = sorted(pq.read_table(candidates).to_pylist(), key=lambda c: (c["prop"], c["token"]))
    return json.loads(json.dumps(out, sort_keys=True, default=str))


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_outputs_are_the_pinned_ones(tmp_path, name):
    pinned = json.loads(PINNED.read_text())[name]
    got = run_scenario(name, tmp_path)
    assert pinned["findings"], "every scenario plants something its stage finds"
    assert [f["doc_id"] for f in got["findings"]] == [f["doc_id"] for f in pinned["findings"]]
    assert got == pinned


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    outputs = {}
    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            outputs[scenario] = run_scenario(scenario, Path(tmp))
        print(scenario, len(outputs[scenario]["findings"]), "findings")
    PINNED.write_text(json.dumps(outputs, indent=1, sort_keys=True) + "\n")
