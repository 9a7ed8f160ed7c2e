"""Toxicity benchmark: the bundled model vs alt-profanity-check on every ../shared/data/eval/toxicity-* set.

Run:  .venv/bin/python benchmarks/toxicity.py [--data ../shared/data] [--card data/models/toxicity-davidson.md]

For each evaluation set (never trained or tuned on) it reports precision, recall and F1 at the shipped threshold
and PR-AUC, for the `toxicity` stage as it runs in the pipeline (whole document + windows), for the same model on
the whole text only, and for alt-profanity-check (threshold 0.5, its `predict`). Then docs/s on ~2 KB web
documents (one process = one core; CPU time and wall time, since the machine is shared; two passes, the first from
a fresh stage) and the share of those web documents each scorer flags. With --card, the tables replace the eval
section of the model card.

Sets and labels (from each set's MANIFEST.md):
  toxicity-davidson-test  labeled_data.derived.csv, text `tweet`, positive = class 0 (hate) or 1 (offensive)
  toxicity-ethos          Ethos_Dataset_Binary.csv (`;`-separated), text `comment`, positive = isHate >= 0.5
  toxicity-jigsaw-sample  test_examples.csv, text `comment_text`, positive = toxic == 1
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.classifier_metrics import average_precision, binary_metrics  # noqa: E402
from tasks.detectors.toxicity import ToxicityConfig, ToxicityStage  # noqa: E402
from tasks.stage import DocBatch  # noqa: E402
from tasks.toxicity_train_card import replace_eval_section  # noqa: E402

SETS = {
    "toxicity-davidson-test": ("labeled_data.derived.csv", ",", "tweet", lambda r: r["class"] in ("0", "1")),
    "toxicity-ethos": ("Ethos_Dataset_Binary.csv", ";", "comment", lambda r: float(r["isHate"]) >= 0.5),
    "toxicity-jigsaw-sample": ("test_examples.csv", ",", "comment_text", lambda r: r["toxic"].strip() == "1"),
}


def load_set(folder: Path) -> tuple[list[str], list[bool]] | None:
    """Texts and labels of one evaluation set, or None when its format is not known here."""
    spec = SETS.get(folder.name)
    if spec is None:
        return None
    name, delimiter, text_col, positive = spec
    with open(folder / name, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=delimiter))
    return [r[text_col] or "" for r in rows], [bool(positive(r)) for r in rows]


def stage_scores(stage: ToxicityStage, texts: list[str]) -> tuple[list[float], list[bool]]:
    """Per text: the stage's decisive score (``toxic``) and whether it reported the text.

    The stage reports a text when the whole text reaches the threshold or a window the window threshold, so the
    flags come from its findings, not from one threshold on the score.
    """
    result = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
    label = next(iter(stage.cfg.labels.values()))
    out = [0.0] * len(texts)
    for s in result.scores:
        if s.name == label:
            out[s.row] = s.value
    flagged = {f.row for f in result.findings}
    return out, [i in flagged for i in range(len(texts))]


def baseline(texts: list[str]) -> tuple[list[float], list[bool]]:
    """alt-profanity-check's probability per text, flagged at 0.5 (its own ``predict``)."""
    from profanity_check import predict_prob

    probs = [float(p) for p in predict_prob(texts)]
    return probs, [p >= 0.5 for p in probs]


def web_docs(data: Path, n: int, size: int = 2000) -> list[str]:
    """~``size``-char documents cut from real web text (corpora/web-dclm), cycled to ``n`` documents."""
    texts = [json.loads(line)["text"] for line in open(data / "corpora/web-dclm/majority_data.jsonl")]
    stream = "\n".join(texts)
    docs, start = [], 0
    while start < len(stream) - size:
        end = stream.find(" ", start + size)
        end = len(stream) if end < 0 else end
        docs.append(stream[start:end])
        start = end + 1
    return (docs * (n // len(docs) + 1))[:n]


#: The generated sentences the bundled model trained on (its card's `tasks.toxicity_phrases` command).
GENERATED_N_PER_LABEL, GENERATED_SEED, GENERATED_FORUM_N_PER_LABEL = 8000, 7, 3000


def window_dev(data: Path) -> str:
    """Recall and false flags of window settings on pages built from the shipped model's held-out TRAINING rows.

    The same split as ``sieve train-toxicity`` made for the bundled model (its card's command: Davidson, the
    generated sentences and SST-2; seed 13, 15% of every label of every file held out; a file's split depends on
    its name and rows, so the generated file is written again, byte for byte, and checked against the card's sha256):
    each page is ~2 KB of held-out SST-2 sentences, one per line, with one held-out Davidson tweet inserted at a
    random line; toxic pages get a toxic tweet, clean pages a clean one. No evaluation data is read.
    """
    import hashlib
    import random
    import tempfile

    from tasks import toxicity_phrases as tp
    from tasks import toxicity_train as tt

    dav = data / "train/toxicity-davidson/labeled_data.derived.csv"
    sst = data / "train/poison-badnets-sst2/badnets_sst-2_train.tsv"
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "train.txt"
        tp.write_fasttext(tp.build(GENERATED_N_PER_LABEL, GENERATED_SEED,
                                   forum_n_per_label=GENERATED_FORUM_N_PER_LABEL)["train"], generated)
        digest = hashlib.sha256(generated.read_bytes()).hexdigest()
        gen_rows = tt.read_examples(generated, "fasttext")
    card = (ROOT / "data/models/toxicity-davidson.md").read_text(encoding="utf-8")
    if digest not in card:
        return (f"window dev: the generated sentences (sha256 {digest[:12]}...) are not the ones the model card "
                "names: the split would not be the bundled model's; nothing measured.")
    # the split is per source file name (tt.stratified_split): the sources are named as the trainer names them
    rows = [tt.Example(e.label, e.text, str(dav)) for e in tt.read_examples(dav)]
    rows += [tt.Example(e.label, e.text, "train.txt") for e in gen_rows]
    rows += [tt.Example(e.label, e.text, str(sst)) for e in tt.read_clean_text(sst)]
    _, hold = tt.stratified_split(rows, 0.15, 13)
    filler = [e.text for e in hold if e.source == str(sst)]
    toxic = [e.text for e in hold if e.source == str(dav) and e.label == "toxic"]
    clean = [e.text for e in hold if e.source == str(dav) and e.label == "clean"]
    rng = random.Random(1)

    def page(tweet: str) -> str:
        lines: list[str] = []
        while sum(map(len, lines)) < 2000:
            lines.append(rng.choice(filler))
        lines.insert(rng.randrange(len(lines)), tweet)
        return "\n".join(lines)

    pages = [page(rng.choice(toxic)) for _ in range(600)] + [page(rng.choice(clean)) for _ in range(600)]
    out = ["| window_chars | window threshold | toxic pages found | clean pages flagged |", "|---|---|---|---|"]
    for chars, wt in ((1_000_000, None), (500, 0.52), (250, 0.52), (150, 0.52), (150, 0.8), (150, 0.9), (150, 0.95),
                     (150, 0.97), (150, 0.98), (150, 0.99)):
        stage = ToxicityStage(ToxicityConfig(window_chars=chars, window_threshold=wt))
        result = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(pages))], texts=pages))
        hit = {f.row for f in result.findings}
        found = sum(i in hit for i in range(600)) / 600
        false = sum(i in hit for i in range(600, 1200)) / 600
        out.append(f"| {'whole text only' if chars > 10_000 else chars} | {wt if wt is not None else '-'} | "
                   f"{found:.1%} | {false:.1%} |")
    return "\n".join(out)


def timed(fn, *args) -> tuple[float, float, object]:
    """(cpu seconds, wall seconds, result) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(*args)
    return time.process_time() - cpu, time.perf_counter() - wall, out


def main() -> int:
    """Run the benchmark and print Markdown tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared data folder")
    ap.add_argument("--card", help="model card whose eval section gets the tables")
    ap.add_argument("--speed-docs", type=int, default=3000, help="~2 KB documents for the docs/s measurement")
    ap.add_argument("--no-baseline", action="store_true", help="leave out alt-profanity-check (when it is not "
                                                                   "installed; its figures do not depend on the model)")
    ap.add_argument("--window-dev", action="store_true", help="only the window settings on pages built from "
                                                              "held-out training rows (no evaluation data)")
    args = ap.parse_args()
    data = Path(args.data)
    if args.window_dev:
        if not (data / "train/toxicity-davidson").is_dir():
            print(f"benchmarks/toxicity.py: no training data under {data / 'train'}; nothing measured.")
            return 0
        print(window_dev(data))
        return 0
    sets = sorted((data / "eval").glob("toxicity-*")) if (data / "eval").is_dir() else []
    if not sets:
        print(f"benchmarks/toxicity.py: no evaluation sets under {data / 'eval'} (toxicity-*); nothing measured. "
              f"Pass --data to point at the shared data folder.")
        return 0
    try:
        if not args.no_baseline:
            from profanity_check import predict_prob  # noqa: F401  (fail early, with the pip line)
    except ImportError:
        print("benchmarks/toxicity.py: the baseline needs alt-profanity-check: pip install 'alt-profanity-check>=1.5' "
              "(or pass --no-baseline)")
        return 1

    stage = ToxicityStage(ToxicityConfig())
    whole = ToxicityStage(ToxicityConfig(window_chars=1_000_000))
    threshold, win_threshold = stage.cfg.threshold_for("toxic"), stage.cfg.window_threshold_for("toxic")
    scorers = {
        "sieve toxicity stage (doc + windows)": lambda t: stage_scores(stage, t),
        "same model, whole text only": lambda t: stage_scores(whole, t),
        "alt-profanity-check (baseline)": baseline,
    }
    if args.no_baseline:
        del scorers["alt-profanity-check (baseline)"]
    lines = [f"Model `{stage.model_path.name}` (`{stage.identity}`), shipped thresholds: whole text "
             f"{threshold}, window ({stage.cfg.window_chars} chars at most) {win_threshold}; precision, recall and "
             "F1 are those of the texts the stage reports, PR-AUC ranks by its decisive `toxic` score (the whole "
             "text's or the worst window's mapped onto the same scale, whichever is higher). "
             + ("Baseline not run (--no-baseline)." if args.no_baseline else "Baseline alt-profanity-check at 0.5 "
                "(trained on all of Davidson, davidson-test included: not a fair opponent there)."), "",
             "| set | rows | positives | scorer | precision | recall | F1 | PR-AUC |",
             "|---|---|---|---|---|---|---|---|"]
    for folder in sets:
        loaded = load_set(folder)
        if loaded is None:
            print(f"skipped {folder.name}: columns/labels not known to this script (read its MANIFEST.md)")
            continue
        texts, y = loaded
        for name, score in scorers.items():
            s, flags = score(texts)
            m = binary_metrics(y, [float(f) for f in flags], 0.5)
            lines.append(f"| {folder.name} | {len(y):,} | {sum(y):,} | {name} | {m['precision']:.3f} | "
                         f"{m['recall']:.3f} | {m['f1']:.3f} | {average_precision(y, s):.3f} |")

    docs = web_docs(data, args.speed_docs)
    mean_chars = sum(map(len, docs)) / len(docs)
    # Fresh stages: the first pass over the documents includes learning the words the model's vocabulary lacks
    # (character n-gram models compute each new word's row once); the second pass is the steady state.
    stage, whole = ToxicityStage(ToxicityConfig()), ToxicityStage(ToxicityConfig(window_chars=1_000_000))
    setup_cpu, _, _ = timed(stage.prepare)  # prepare, not setup: run() would set up again
    whole.prepare()
    scorers["sieve toxicity stage (doc + windows)"] = lambda t: stage_scores(stage, t)
    scorers["same model, whole text only"] = lambda t: stage_scores(whole, t)
    if not args.no_baseline:
        baseline(docs[:10])  # import/load outside the timing
    lines += ["", f"Speed on {len(docs):,} web documents of ~{mean_chars:,.0f} chars (corpora/web-dclm, cut into "
              f"{len(set(docs)):,} distinct documents, cycled), one process = one core: documents per CPU-second "
              "of the process (time.process_time) and per wall second; pass 1 starts from a freshly set-up stage "
              f"(set-up, not timed: {setup_cpu:.2f} CPU-s), pass 2 repeats the documents. flagged = share of the "
              "documents reported.", "",
              "| scorer | pass | docs/CPU-s | docs/s (wall) | flagged |", "|---|---|---|---|---|"]
    for name, score in scorers.items():
        for run in (1, 2):
            cpu, wall, (_, flags) = timed(score, docs)
            flagged = sum(flags) / len(flags)
            lines.append(f"| {name} | {run} | {len(docs) / cpu:,.0f} | {len(docs) / wall:,.0f} | {flagged:.1%} |")
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    lines += ["", f"Machine: {_cpus()} cores, load average {' '.join(load)} at the end of the run."]
    table = "\n".join(lines)
    print(table)
    if args.card:
        card = Path(args.card)
        card.write_text(replace_eval_section(card.read_text(encoding="utf-8"), table), encoding="utf-8")
        print(f"\nwrote the eval section of {card}")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
