"""Shared pieces of the near-duplicate tests: generated texts of known Jaccard and a real dedup_near run.

Import it as ``from tests.neardup_helpers import ...`` (a helper module, not a test file). Texts are generated from
made-up syllable words, so two unrelated documents share no shingle and a planted variant's true Jaccard (word
5-grams, computed exactly) is known before the stage runs. The staging helpers run the real MinHash stage, which
writes the real features Parquet the corpus step reads.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow
from tasks.dedup.minhash import MinHashConfig, MinHashStage
from tasks.dedup.near import NearDedup, NearDedupConfig
from tasks.normalize import content_hash
from tasks.stage import CorpusContext, DocBatch

SYLLABLES = "ka lo mi ren tu sa vel dor pi ne qua zi mo fen ar ist bru cal dem fio gan hul".split()


def make_vocab(rng: random.Random, n: int, prefix: str = "") -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add(prefix + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


VOCAB = make_vocab(random.Random(7), 6000)
FRESH = make_vocab(random.Random(8), 3000, prefix="x")


def make_doc(rng: random.Random, n_words: int = 240) -> str:
    words = [rng.choice(VOCAB) for _ in range(n_words)]
    for i in range(11, n_words, 13):
        words[i] += "."
    return " ".join(words).capitalize()


def grams(text: str) -> set[tuple[str, ...]]:
    """Word 5-grams of the generated (ASCII) texts; equal to shingle_words' (checked below), and much faster."""
    w = re.findall(r"\w+", text.casefold())
    return {tuple(w[i:i + 5]) for i in range(len(w) - 4)} if len(w) >= 5 else {tuple(w)}


def jaccard(a: str, b: str) -> float:
    sa, sb = grams(a), grams(b)
    return len(sa & sb) / len(sa | sb)


def variant(text: str, target: float, rng: random.Random) -> tuple[str, float]:
    """Replace words (at least 5 apart) with fresh ones until the exact Jaccard with ``text`` drops to ``target``."""
    words = text.split(" ")
    free = list(range(len(words)))
    rng.shuffle(free)
    used: list[int] = []
    out = list(words)
    for pos in free:
        if jaccard(text, " ".join(out)) <= target + 0.005:
            break
        if all(abs(pos - u) >= 5 for u in used):
            out[pos] = rng.choice(FRESH)
            used.append(pos)
    new = " ".join(out)
    return new, jaccard(text, new)


def stage_corpus(root: Path, shards: list[list[dict]], minhash: MinHashConfig | None = None) -> tuple[list, list]:
    """Write each shard's docs.parquet / features.parquet / scores.parquet / findings.parquet (a doc may carry a
    ``score``, ``findings`` and ``meta``)."""
    stage = MinHashStage(minhash or MinHashConfig())
    docs_paths, feat_paths = [], []
    for s, shard in enumerate(shards):
        d = root / f"shard-{s:03d}"
        d.mkdir(parents=True)
        rows = [{"doc_id": r["id"], "ord": (s << 32) | i, "source_uri": r.get("source", "a.jsonl"),
                 "source_record": i, "source_id": None,
                 "content_hash": content_hash(r["text"], json.dumps(r["meta"]) if r.get("meta") else None),
                 "text": r["text"], "messages": None, "meta": json.dumps(r["meta"]) if r.get("meta") else None,
                 "raw": None, "raw_encoding": None, "chars": len(r["text"])} for i, r in enumerate(shard)]
        pq.write_table(pa.Table.from_pylist(rows, schema=arrow.STAGED_DOCS), d / "docs.parquet")
        res = stage.run(DocBatch(doc_ids=[r["id"] for r in shard], texts=[r["text"] for r in shard],
                                 meta=[r.get("meta") for r in shard]))
        pq.write_table(pa.table({"doc_id": [r["id"] for r in shard], **res.columns}), d / "features.parquet")
        scores = [{"doc_id": r["id"], "stage": "quality", "name": "q", "value": r["score"]}
                  for r in shard if "score" in r]
        pq.write_table(pa.Table.from_pylist(scores, schema=arrow.STAGED_SCORES), d / "scores.parquet")
        # a doc's "findings": [(reason, score), ...] as a document stage would have staged them
        found = [{"doc_id": r["id"], "stage": reason.split(".")[0], "reason": reason, "score": score,
                  "evidence": "{}", "spans": None, "detector_version": "test@1"}
                 for r in shard for reason, score in r.get("findings", [])]
        pq.write_table(pa.Table.from_pylist(found, schema=arrow.STAGED_FINDINGS), d / "findings.parquet")
        docs_paths.append(str(d / "docs.parquet"))
        feat_paths.append(str(d / "features.parquet"))
    return docs_paths, feat_paths


def near_run(root: Path, shards: list[list[dict]], run_id: str = "r1", prior: list[str] | None = None,
             minhash: MinHashConfig | None = None, **cfg) -> dict[str, dict]:
    """Stage the shards, run dedup_near, return {doc_id: duplicates row with parsed evidence}."""
    docs, feats = stage_corpus(root / run_id / "stage", shards, minhash)
    ctx = CorpusContext(run_id=run_id, dataset="t", lake=root / "lake", docs_paths=docs, features_paths=feats,
                        prior_runs=prior or [], work_dir=root / run_id / "work")
    res = NearDedup(NearDedupConfig(**cfg)).run(ctx)
    table = pq.read_table(res.duplicates_path)
    assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in arrow.DUPLICATE_PAIRS]
    return {r["doc_id"]: {**r, "evidence": json.loads(r["evidence"])} for r in table.to_pylist()}
