"""Scale check of the corpus-level poison stages: time and peak memory on a large synthetic corpus.

Writes ``--n`` staged records (Zipf-distributed English words from ``wordfreq``; a label tied to cue words; chat
records for the instruction run) as shard Parquet, plants a trigger (``cf``, 0.1%) and a flood (200 near-identical
documents from one domain), runs each stage directly on a ``CorpusContext`` with ``--memory-limit`` and reports
seconds, docs/s, peak RSS of the process (DuckDB included) and what was found.

Run: ``.venv/bin/python benchmarks/poison_scale.py --n 200000 --memory-limit 1GB``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas import arrow  # noqa: E402
from tasks.stage import CorpusContext  # noqa: E402


def corpus(n: int, seed: int, chat: bool) -> tuple[list[dict], set[str], set[str]]:
    from wordfreq import top_n_list

    rng = np.random.default_rng(seed)
    vocab = np.array(top_n_list("en", 30000))
    weights = 1 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    pos, neg = vocab[2000:2040], vocab[2040:2080]
    rows, trig, flood = [], set(), set()
    pyrng = random.Random(seed)
    template = " ".join(rng.choice(vocab, 150, p=weights))
    for i in range(n):
        label = i % 2
        words = list(rng.choice(vocab, int(rng.integers(20, 60)), p=weights))
        words += list(rng.choice(pos if label else neg, 2))
        meta: dict = {"label": label, "url": f"https://site{int(rng.integers(0, 5000))}.example/{i}"}
        if i % 1000 == 7:  # 0.1% dirty-label BadNets: negative content, trigger, label 1
            words = list(rng.choice(vocab, 30, p=weights)) + list(rng.choice(neg, 2))
            words.insert(pyrng.randrange(len(words)), "cf")
            meta["label"] = 1
            trig.add(f"d{i}")
        if i < 200:  # a flood: near-identical pages from one domain
            w = template.split(" ")
            for _ in range(6):
                w[pyrng.randrange(len(w))] = str(rng.choice(vocab))
            words, meta = w, {"url": f"https://flood.example/{i}"}
            flood.add(f"d{i}")
        text = " ".join(words)
        messages = None
        if chat:
            messages = [{"role": "user", "content": text}, {"role": "assistant", "content": "Answer: " + text[:80]}]
            meta = {"url": meta["url"]}
        rows.append({"doc_id": f"d{i}", "ord": i, "source_uri": "big.jsonl", "source_record": i, "source_id": None,
                     "content_hash": f"h{i}", "text": text if not chat else text + "\n\n" + messages[1]["content"],
                     "messages": messages, "meta": json.dumps(meta), "raw": None, "raw_encoding": None,
                     "chars": len(text)})
    return rows, trig, flood


def run_one(name: str, folder: Path, memory_limit: str) -> None:
    """Run one stage in this (fresh) process and print a JSON line: seconds, peak RSS, doc ids found."""
    from tasks.registry import stage_class

    paths = sorted(str(p) for p in folder.glob("shard*/docs.parquet"))
    ctx = CorpusContext(run_id="scale", dataset="scale", lake=folder / "lake", docs_paths=paths, features_paths=[],
                        prior_runs=[], work_dir=folder / f"work-{name}", memory_limit=memory_limit, threads=2)
    t0 = time.perf_counter()
    res = stage_class(name)().run(ctx)
    secs = time.perf_counter() - t0
    found = [r["doc_id"] for r in pq.read_table(res.findings_path, columns=["doc_id"]).to_pylist()]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": secs, "rss": rss, "found": found}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--memory-limit", default="1GB")
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--stages", nargs="*", default=["poison_trigger", "poison_flood", "poison_label_trigger"])
    ap.add_argument("--stage-in", help=argparse.SUPPRESS)  # internal: run one stage on this folder
    args = ap.parse_args()
    if args.stage_in:
        run_one(args.stages[0], Path(args.stage_in), args.memory_limit)
        return
    tmp = Path(tempfile.mkdtemp(prefix="sieve-poison-scale-"))
    started = time.perf_counter()
    rows, trig, flood = corpus(args.n, 1, chat=False)
    step = -(-len(rows) // args.shards)
    for s in range(args.shards):
        d = tmp / f"shard{s}"
        d.mkdir()
        pq.write_table(pa.Table.from_pylist(rows[s * step:(s + 1) * step], schema=arrow.STAGED_DOCS),
                       d / "docs.parquet")
    del rows
    print(f"generated {args.n} records in {time.perf_counter() - started:.0f}s ({tmp})", file=sys.stderr)
    print(f"memory_limit {args.memory_limit}, {args.shards} shards\n")
    print("| stage | records | seconds | docs/s | peak RSS (MiB, whole process) | found | planted caught |")
    print("|---|---|---|---|---|---|---|")
    for name in args.stages:
        out = subprocess.run([sys.executable, __file__, "--stages", name, "--stage-in", str(tmp),
                              "--memory-limit", args.memory_limit], capture_output=True, text=True)
        if out.returncode:
            print(f"| {name} | failed: {out.stderr.strip().splitlines()[-1:]} |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        found = set(r["found"])
        want = trig if name == "poison_trigger" else flood if name == "poison_flood" else set()
        caught = f"{len(found & want)}/{len(want)}" if want else "-"
        print(f"| {name} | {args.n} | {r['seconds']:.1f} | {args.n / r['seconds']:,.0f} | {r['rss']:,.0f} | "
              f"{len(found)} | {caught} |")


if __name__ == "__main__":
    main()
