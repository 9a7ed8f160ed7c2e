"""Shared pieces of the corpus-level poison tests: word pools, generated corpora, staged shards, a stage run, and an
earlier run written as the router leaves it.

Import it as ``from tests.poison_corpus_helpers import ...`` (a helper module, not a test file). Each stage runs for
real over tiny corpora written as staged shard Parquet (the files the flow hands corpus stages).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow
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
