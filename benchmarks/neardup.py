"""Near-duplicate detection: Sieve vs datatrove's MinHash pipeline on the same planted corpus.

    .venv/bin/python benchmarks/neardup.py --n 20000 [--rss-n 200000] [--flow] [--skip-datatrove]

Corpus: background documents of 8-40 sentences drawn from the real web/instruction text in
``../shared/data/corpora`` (a synthetic vocabulary when that folder is absent: the script says so), plus 10%
planted variants of earlier documents at a target Jaccard drawn uniformly from 0.70-1.0 (word substitutions,
deletions and insertions; 5% of the variants differ only in case and punctuation). Every variant follows its
source. The true Jaccard of each planted pair, and of every pair a tool reports, is computed exactly on word
5-gram sets (``tasks.dedup.shingles.shingle_words``).

Tools, each in its own subprocess on the same JSONL, one worker each (peak RSS = largest sum of the process
tree's resident memory, polled every 0.1 s; CPU = user + system seconds of the tree):

* Sieve (stages): the ``minhash`` stage over 2,000-record batches and ``dedup_near`` (DuckDB with 1 thread,
  memory_limit 1GB) on shards of 20,000 records, as the flow stages them; staging itself (reading, exact-dedup
  key, Parquet) is timed apart and not counted.
* datatrove 0.10 (``/tmp/venv-datatrove``, ``pip install "datatrove[processing]" orjson``; never in .venv): signatures,
  buckets, cluster, filter (``benchmarks/neardup_datatrove.py``), 16 x 8 bands, whitespace tokenizer.
* ``--flow``: the whole ``sieve run`` (only ``minhash`` + the dedup stages on), for the end-to-end cost.

Metrics by band of true Jaccard of planted pairs: recall (the variant was removed); flag rate below 0.8;
precision = removed documents whose true Jaccard with the copy the tool kept is >= 0.8 (and, looser, >= 0.7).
Generated data goes to ``benchmarks/out/neardup`` (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import machine_line, run_measured  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "corpora"
DT_PYTHON = Path("/tmp/venv-datatrove/bin/python")
OUT = ROOT / "benchmarks" / "out" / "neardup"
BANDS = [(0.70, 0.75), (0.75, 0.80), (0.80, 0.85), (0.85, 0.90), (0.90, 0.95), (0.95, 1.0), (1.0, 1.01)]
FORMAT = 2


# --- corpus ------------------------------------------------------------------------------------------------------


def _texts_from_shared() -> list[str]:
    texts: list[str] = []

    def jsonl(path: Path, *keys: str) -> None:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                texts.extend(str(row[k]) for k in keys if isinstance(row, dict) and row.get(k))

    for p in (SHARED / "web-dclm").glob("majority_data.jsonl"):
        jsonl(p, "text")
    for p in (SHARED / "web-c4-samples").glob("*.gz"):
        jsonl(p, "text")
    for p in (SHARED / "web-dolma-test-docs").glob("*.jsonl.gz"):
        jsonl(p, "text")
    for p in (SHARED / "dialogue-hh-rlhf-harmless").glob("*.jsonl.gz"):
        jsonl(p, "chosen")
    for p in (SHARED / "web-wikitext2").glob("*.txt"):
        texts.extend(p.read_text(errors="replace").split("\n"))
    for p in (SHARED / "instruct-gpteacher").glob("*.json"):
        for row in json.loads(p.read_text()):
            texts.extend(str(row.get(k, "")) for k in ("instruction", "response"))
    return texts


def sentence_pool(rng: random.Random) -> tuple[list[str], str]:
    """Distinct sentences of 6-60 words, from ../shared when present, else a synthetic vocabulary."""
    if SHARED.exists():
        raw = _texts_from_shared()
        sentences = {s.strip() for t in raw for s in re.split(r"(?<=[.!?])\s+|\n+", t)}
        pool = sorted(s for s in sentences if 6 <= len(s.split()) <= 60)
        return pool, f"{len(pool)} sentences from {SHARED}"
    print(f"NOTE: {SHARED} is absent: using a synthetic vocabulary instead of real text", file=sys.stderr)
    syl = "ka lo mi ren tu sa vel dor pi ne qua zi mo fen ar ist bru cal dem fio gan hul".split()
    vocab = sorted({"".join(rng.choice(syl) for _ in range(rng.randint(1, 4))) for _ in range(40000)})
    pool = [" ".join(rng.choice(vocab) for _ in range(rng.randint(6, 30))).capitalize() + "." for _ in range(60000)]
    return pool, "synthetic sentences (../shared absent)"


def make_variant(text: str, target: float, rng: random.Random, words: list[str]) -> str:
    """Edit ``text`` so that its word 5-gram Jaccard with the original lands near ``target``."""
    tokens = text.split(" ")
    if target >= 1.0:
        return text.upper() if rng.random() < 0.5 else re.sub(r"[.,]", lambda m: m.group(0) * 2, text)
    n = max(1, len(tokens) - 4)
    edits = max(1, round(n * (1 - target) / (5 * (1 + target))))
    for _ in range(edits):
        i = rng.randrange(len(tokens))
        op = rng.random()
        if op < 0.6:
            tokens[i] = rng.choice(words)
        elif op < 0.8 and len(tokens) > 10:
            del tokens[i]
        else:
            tokens.insert(i, rng.choice(words))
    return " ".join(tokens)


def build_corpus(n: int, seed: int = 0) -> tuple[Path, Path, str]:
    """Write (or reuse) corpus-<n>.jsonl and truth-<n>.jsonl; return their paths and the text source."""
    from tasks.dedup.shingles import shingle_words

    OUT.mkdir(parents=True, exist_ok=True)
    corpus, truth = OUT / f"corpus-{n}-s{seed}-v{FORMAT}.jsonl", OUT / f"truth-{n}-s{seed}-v{FORMAT}.jsonl"
    meta = OUT / f"corpus-{n}-s{seed}-v{FORMAT}.source"
    if corpus.exists() and truth.exists() and meta.exists():
        return corpus, truth, meta.read_text()
    rng = random.Random(seed)
    pool, source = sentence_pool(rng)
    words = sorted({w for s in pool[:5000] for w in s.split()})
    n_var = n // 10
    texts: list[tuple[str, str]] = []
    for i in range(n - n_var):
        k = rng.randint(8, 40)
        sents = [rng.choice(pool) for _ in range(k)]
        texts.append((f"bg{i}", " ".join(sents)))
    planted = []
    for j in range(n_var):
        src_id, src = texts[rng.randrange(n - n_var)]
        target = 1.0 if rng.random() < 0.05 else rng.uniform(0.70, 1.0)
        planted.append((f"var{j}", make_variant(src, target, rng, words), src_id, src))
    rng.shuffle(planted)
    tmp = corpus.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        for doc_id, text in texts:
            fh.write(json.dumps({"id": doc_id, "text": text}) + "\n")
        for doc_id, text, _, _ in planted:
            fh.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    with open(truth, "w") as fh:
        for doc_id, text, src_id, src in planted:
            fh.write(json.dumps({"doc": doc_id, "source": src_id, "jaccard": exact_jaccard(text, src, shingle_words)})
                     + "\n")
    os.replace(tmp, corpus)
    meta.write_text(source)
    return corpus, truth, source


def exact_jaccard(a: str, b: str, shingle_words) -> float:
    """Exact Jaccard of two texts' word 5-gram sets."""
    sa, sb = set(shingle_words(a)), set(shingle_words(b))
    return len(sa & sb) / max(1, len(sa | sb))


# --- running the tools -------------------------------------------------------------------------------------------


def sieve_stages(corpus: str, work: str) -> None:
    """(Subprocess) stage shards like the flow, time the minhash stage and dedup_near, print a JSON line."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas import arrow
    from tasks.dedup.minhash import MinHashStage
    from tasks.dedup.near import NearDedup
    from tasks.normalize import content_hash
    from tasks.stage import CorpusContext, DocBatch

    work_dir = Path(work)
    shutil.rmtree(work_dir, ignore_errors=True)
    stage = MinHashStage()
    stage.run(DocBatch(doc_ids=["warm"], texts=["warm up the stage once"]))  # setup (imports) not timed
    t_stage = t_sig = c_sig = 0.0
    docs_paths, feat_paths = [], []

    def flush(shard: int, rows: list[dict]) -> None:
        nonlocal t_stage, t_sig, c_sig
        t0 = time.perf_counter()
        d = work_dir / f"shard-{shard:04d}"
        d.mkdir(parents=True)
        staged = [{"doc_id": r["id"], "ord": (shard << 32) | i, "source_uri": corpus, "source_record": i,
                   "content_hash": content_hash(r["text"]), "text": r["text"], "chars": len(r["text"])}
                  for i, r in enumerate(rows)]
        pq.write_table(pa.Table.from_pylist(staged, schema=arrow.STAGED_DOCS), d / "docs.parquet")
        t_stage += time.perf_counter() - t0
        feats = []
        t1, c1 = time.perf_counter(), time.process_time()
        for lo in range(0, len(rows), 2000):
            part = rows[lo:lo + 2000]
            res = stage.run(DocBatch(doc_ids=[r["id"] for r in part], texts=[r["text"] for r in part]))
            feats.append(pa.table({"doc_id": [r["id"] for r in part], **res.columns}))
        t_sig += time.perf_counter() - t1
        c_sig += time.process_time() - c1
        pq.write_table(pa.concat_tables(feats), d / "features.parquet")
        docs_paths.append(str(d / "docs.parquet"))
        feat_paths.append(str(d / "features.parquet"))

    rows: list[dict] = []
    shard = 0
    with open(corpus) as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) == 20_000:
                flush(shard, rows)
                rows, shard = [], shard + 1
    if rows:
        flush(shard, rows)
    ctx = CorpusContext(run_id="bench", dataset="bench", lake=work_dir / "lake", docs_paths=docs_paths,
                        features_paths=feat_paths, prior_runs=[], work_dir=work_dir / "corpus",
                        memory_limit="1GB", threads=1)
    t2, c2 = time.perf_counter(), time.process_time()
    res = NearDedup().run(ctx)
    t_near, c_near = time.perf_counter() - t2, time.process_time() - c2
    pairs = pq.read_table(res.duplicates_path, columns=["doc_id", "duplicate_of"]).to_pylist()
    with open(work_dir / "pairs.jsonl", "w") as out:
        for p in pairs:
            out.write(json.dumps({"doc": p["doc_id"], "kept": p["duplicate_of"]}) + "\n")
    print(json.dumps({"staging_s": t_stage, "minhash_s": t_sig, "minhash_cpu": c_sig, "dedup_near_s": t_near,
                      "dedup_near_cpu": c_near, "counters": res.counters, "pairs": str(work_dir / "pairs.jsonl")}))


def run_flow(corpus: Path, work: Path) -> dict:
    """The whole ``sieve run`` with only minhash and the dedup stages on; returns run_measured() plus the pairs path."""
    import yaml

    from tasks.registry import CORPUS_STAGES, DOCUMENT_STAGES

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    off = {n: {"enabled": False} for n in [*DOCUMENT_STAGES, *CORPUS_STAGES]
           if n not in ("minhash", "dedup_exact", "dedup_near")}
    cfg = work / "sieve.yaml"
    cfg.write_text(yaml.safe_dump({"stages": off, "shards": {"workers": 1}}))
    m = run_measured([str(ROOT / ".venv" / "bin" / "sieve"), "run", str(corpus), "--lake", str(work / "lake"),
                 "--dataset", "bench", "--config", str(cfg), "--json"],
                env={"PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    import duckdb

    con = duckdb.connect(str(work / "lake" / "catalog.duckdb"), read_only=True)
    rows = con.execute("SELECT x.source_id, k.source_id FROM duplicates d JOIN documents x ON x.doc_id = d.doc_id "
                       "JOIN documents k ON k.doc_id = d.duplicate_of").fetchall()
    con.close()
    with open(work / "pairs.jsonl", "w") as out:
        for doc, kept in rows:
            out.write(json.dumps({"doc": doc, "kept": kept}) + "\n")
    m["result"]["pairs"] = str(work / "pairs.jsonl")
    return m


# --- evaluation --------------------------------------------------------------------------------------------------


def evaluate(corpus: Path, truth: Path, pairs_path: str) -> dict:
    """Recall by band of planted pairs, flag rate below 0.8, precision of reported (doc, kept) pairs."""
    from tasks.dedup.shingles import shingle_words

    texts = {}
    with open(corpus) as fh:
        for line in fh:
            r = json.loads(line)
            texts[r["id"]] = r["text"]
    pairs = [json.loads(line) for line in open(pairs_path)]
    removed = {p["doc"] for p in pairs}
    planted = [json.loads(line) for line in open(truth)]
    bands = {}
    for lo, hi in BANDS:
        members = [p for p in planted if lo <= p["jaccard"] < hi]
        bands[f"{lo:.2f}-{min(hi, 1.0):.2f}" if hi <= 1.0 else "1.00 (format only)"] = (
            sum(p["doc"] in removed for p in members), len(members))
    positives = [p for p in planted if p["jaccard"] >= 0.8]
    true_j = [exact_jaccard(texts[p["doc"]], texts[p["kept"]], shingle_words) if p["kept"] in texts else 0.0
              for p in pairs]
    return {
        "bands": bands,
        "recall_ge_0.8": sum(p["doc"] in removed for p in positives) / max(1, len(positives)),
        "precision_ge_0.8": sum(j >= 0.8 for j in true_j) / max(1, len(true_j)),
        "precision_ge_0.7": sum(j >= 0.7 for j in true_j) / max(1, len(true_j)),
        "removed": len(removed),
    }


# --- report ------------------------------------------------------------------------------------------------------


def report(n: int, results: dict[str, dict], evals: dict[str, dict]) -> None:
    print(f"\n### {n:,} documents ({n // 10:,} planted variants)\n")
    names = list(results)
    print("| band of true J | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for band in next(iter(evals.values()))["bands"]:
        cells = []
        for name in names:
            hit, total = evals[name]["bands"][band]
            cells.append(f"{hit}/{total} = {hit / max(1, total):.3f}")
        kind = "flag rate" if band < "0.80" else "recall"
        print(f"| {band} ({kind}) | " + " | ".join(cells) + " |")
    rows = [("recall, true J >= 0.8", lambda e, r: f"{e['recall_ge_0.8']:.4f}"),
            ("precision: kept copy at true J >= 0.8", lambda e, r: f"{e['precision_ge_0.8']:.4f}"),
            ("precision: kept copy at true J >= 0.7", lambda e, r: f"{e['precision_ge_0.7']:.4f}"),
            ("documents removed", lambda e, r: f"{e['removed']:,}"),
            ("wall seconds", lambda e, r: f"{r['seconds']:.1f}"),
            ("CPU seconds", lambda e, r: f"{r['cpu']:.1f}"),
            ("docs/s (wall, 1 worker)", lambda e, r: f"{n / r['seconds']:,.0f}"),
            ("docs per CPU-second", lambda e, r: f"{n / r['cpu']:,.0f}"),
            ("peak RSS MiB", lambda e, r: f"{r['peak_mib']:,.0f}")]
    for label, fn in rows:
        print(f"| {label} | " + " | ".join(fn(evals[k], results[k]) for k in names) + " |")
    for name, r in results.items():
        if r.get("detail"):
            print(f"\n{name}: {json.dumps(r['detail'])}")


def _saved(name: str, n: int) -> Path:
    return OUT / f"result-{re.sub(r'[^a-z]+', '-', name.lower()).strip('-')}-{n}.json"


def bench(n: int, skip_dt: bool, flow: bool, reuse: list[str]) -> None:
    corpus, truth, source = build_corpus(n)
    print(f"corpus: {corpus} ({source}); machine: {machine_line()}", flush=True)
    results, evals = {}, {}

    def run(name: str, fn) -> None:
        saved = _saved(name, n)
        if any(r in name.lower() for r in reuse) and saved.exists():
            results[name], evals[name] = json.loads(saved.read_text())
            results[name]["detail"] = {**results[name].get("detail", {}), "reused": str(saved)}
            return
        results[name], pairs = fn()
        evals[name] = evaluate(corpus, truth, pairs)
        saved.write_text(json.dumps([results[name], evals[name]]))

    def sieve():
        m = run_measured([sys.executable, __file__, "_sieve", str(corpus), str(OUT / f"sieve-{n}")])
        r = m["result"]
        # Sieve's near-dup cost = the minhash stage + dedup_near (staging is the flow's, done for every stage)
        return {"seconds": r["minhash_s"] + r["dedup_near_s"], "cpu": r["minhash_cpu"] + r["dedup_near_cpu"],
                "peak_mib": m["peak_mib"],
                "detail": {k: round(v, 2) if isinstance(v, float) else v for k, v in r.items() if k != "pairs"}}, \
            r["pairs"]

    def datatrove():
        work = OUT / f"datatrove-{n}"
        shutil.rmtree(work, ignore_errors=True)
        m = run_measured([str(DT_PYTHON), str(ROOT / "benchmarks" / "neardup_datatrove.py"), str(corpus), str(work)])
        # its four steps (start-up and imports excluded, as for Sieve)
        return {"seconds": sum(m["result"]["seconds"].values()), "cpu": sum(m["result"]["cpu"].values()),
                "peak_mib": m["peak_mib"],
                "detail": {"wall": {k: round(v, 2) for k, v in m["result"]["seconds"].items()},
                           "cpu": {k: round(v, 2) for k, v in m["result"]["cpu"].items()},
                           "process_wall": round(m["wall"], 1)}}, m["result"]["pairs"]

    def whole_flow():
        m = run_flow(corpus, OUT / f"flow-{n}")
        return {"seconds": m["wall"], "cpu": m["cpu"], "peak_mib": m["peak_mib"], "detail": {}}, m["result"]["pairs"]

    run("Sieve (stages)", sieve)
    if not skip_dt:
        if DT_PYTHON.exists():
            run("datatrove", datatrove)
        else:
            print(f"NOTE: {DT_PYTHON} missing: python3.11 -m venv /tmp/venv-datatrove && "
                  "/tmp/venv-datatrove/bin/pip install 'datatrove[processing]' orjson", file=sys.stderr)
    if flow:
        run("sieve run (whole flow)", whole_flow)
    report(n, results, evals)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_sieve":
        sieve_stages(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[20000])
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--flow", action="store_true", help="also time the whole `sieve run`")
    ap.add_argument("--reuse", nargs="*", default=[], help="tools (sieve, datatrove, flow) whose saved result "
                    "for this N is reported instead of run again")
    args = ap.parse_args()
    for n in args.n:
        bench(n, args.skip_datatrove, args.flow, [r.lower() for r in args.reuse])


if __name__ == "__main__":
    main()
